"""A progress bar on stderr without dependencies: redrawn in place on a terminal, a line now and then otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Shows `done` of `total` with a rate; `extra` text (e.g. events applied) follows the bar."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.label, self.total, self.width = label, max(total, 0), width
        self.stream = stream or sys.stderr
        self._tty = self.stream.isatty()
        self._started = time.monotonic()
        self._shown_at = -1e9
        self._shown_share = -1.0

    def update(self, done: int, extra: str = "") -> None:
        """Redraw with `done` units finished (off a terminal: a line every 10 % or 5 s, and at the end)."""
        elapsed = time.monotonic() - self._started
        share = min(done / self.total, 1.0) if self.total else 1.0
        if not self._tty and share < 1.0 and elapsed - self._shown_at < 5 and int(share * 10) == int(
                self._shown_share * 10):
            return
        if not self._tty and share >= 1.0 and self._shown_share >= 1.0:
            return
        self._shown_at, self._shown_share = elapsed, share
        filled = int(self.width * share)
        rate = done / elapsed if elapsed > 0 else 0.0
        text = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {share:6.1%} {done:,}/{self.total:,} "
                f"{rate:,.0f}/s {elapsed:5.1f}s {extra}")
        self.stream.write("\r" + text.ljust(110) if self._tty else text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line on a terminal."""
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
