"""Sending queued e-mails at least once, with retries while the SMTP server is down."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from services.notifications.adapters.mail_queue import MailQueue, QueuedMail
from services.notifications.adapters.smtp import MailSender, PermanentMailError
from services.notifications.application.notifier import Clock

log = structlog.get_logger(__name__)


def retry_delay(attempts: int, first: float, cap: float) -> timedelta:
    """Pause before the next attempt: `first`, doubling with each failed attempt, at most `cap` seconds."""
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), cap))


class Mailer:
    """Leases due e-mails, sends them, records delivery or schedules the next attempt.

    At least once, not exactly once: a crash (or a lost SMTP reply) after the server accepted an e-mail and before
    its delivery is recorded sends it again after the lease. The repeat carries the same Message-ID.
    """

    def __init__(self, queue: MailQueue, sender: MailSender, clock: Clock, *, interval: float, lease: float,
                 retry_first: float, retry_cap: float, batch: int = 50) -> None:
        self._queue = queue
        self._sender = sender
        self._clock = clock
        self._interval = interval
        self._lease = timedelta(seconds=lease)
        self._retry_first = retry_first
        self._retry_cap = retry_cap
        self._batch = batch

    async def run(self, stop: asyncio.Event) -> None:
        """Send due e-mails until `stop` is set."""
        while not stop.is_set():
            sent = await self.send_due()
            if sent < self._batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def send_due(self) -> int:
        """One round: lease due e-mails and try each once; return how many were tried."""
        mails = await self._queue.lease(self._clock(), self._lease, self._batch)
        for mail in mails:
            await self._send(mail)
        return len(mails)

    async def _send(self, mail: QueuedMail) -> None:
        try:
            await self._sender.send(mail)
        except PermanentMailError as exc:
            log.warning("e-mail refused for good", mail_id=str(mail.mail_id), error=str(exc))
            await self._queue.failed(mail.mail_id, str(exc), self._clock())
        except Exception as exc:  # the server is down or busy: keep the e-mail and try again later
            delay = retry_delay(mail.attempts, self._retry_first, self._retry_cap)
            log.info("e-mail not sent; will retry", mail_id=str(mail.mail_id), attempts=mail.attempts,
                     retry_in=delay.total_seconds(), error=repr(exc))
            await self._queue.retry_later(mail.mail_id, repr(exc), self._clock() + delay)
        else:
            await self._queue.delivered(mail.mail_id, self._clock())
