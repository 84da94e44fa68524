"""Progress lines for long generations: counts, rate and the time left, at most every few seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts clients and events; prints `clients, events, events/s, eta` every `every` seconds."""

    def __init__(self, total_clients: int, out: TextIO = sys.stderr, every: float = 5.0) -> None:
        self.total = total_clients
        self.out, self.every = out, every
        self.clients = self.events = 0
        self.started = self._printed = time.monotonic()

    def add(self, clients: int, events: int) -> None:
        self.clients += clients
        self.events += events
        now = time.monotonic()
        if now - self._printed >= self.every:
            self._printed = now
            self.out.write(self.line() + "\n")
            self.out.flush()

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        """Events per second since the start."""
        return self.events / self.elapsed

    def line(self) -> str:
        done = self.clients / self.total if self.total else 1.0
        eta = self.elapsed * (1 - done) / done if done else 0.0
        return (f"{self.clients:,}/{self.total:,} clients ({done:.1%}), {self.events:,} events, "
                f"{self.rate:,.0f} events/s, {self.elapsed:,.0f} s elapsed, about {eta:,.0f} s left")
