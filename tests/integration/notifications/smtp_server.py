"""A real SMTP server for tests (aiosmtpd in its own thread), keeping every message it accepted."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from libs.events.infra.ports import free_port


class _Mailbox:
    """The aiosmtpd handler: accepts mail for every address except those told to refuse (550)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start, stop and start again on the same port (to play an SMTP outage)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = _Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered to an address, oldest first."""
        return [m for m in list(self.mailbox.messages) if m["To"] == address]

    async def wait_for(self, address: str, count: int = 1, within: float = 20) -> list[EmailMessage]:
        """Wait until `count` messages reached `address`; return them."""
        deadline = asyncio.get_running_loop().time() + within
        while len(self.to(address)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{count} e-mail(s) to {address} expected, got {len(self.to(address))}")
            await asyncio.sleep(0.05)
        return self.to(address)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())
