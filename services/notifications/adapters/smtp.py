"""Sending e-mail over SMTP with aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

import aiosmtplib

from services.notifications.adapters.mail_queue import QueuedMail
from services.notifications.config import NotificationsSettings


class PermanentMailError(Exception):
    """The SMTP server refused the e-mail for good (5xx): sending it again would fail again."""


class MailSender(Protocol):
    """The port the mailer depends on."""

    async def send(self, mail: QueuedMail) -> None: ...


def message_of(mail: QueuedMail, sender: str) -> EmailMessage:
    """A plain-text message; its Message-ID comes from the mail id, so a resent duplicate can be recognised."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.address
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{mail.mail_id}@pzw.notifications>"
    message.set_content(mail.body)
    return message


class SmtpSender:
    """One SMTP connection per e-mail (volumes are small; no connection to keep healthy)."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    async def send(self, mail: QueuedMail) -> None:
        """Send one e-mail; PermanentMailError for a 5xx refusal, any other exception is worth a retry."""
        s = self._settings
        try:
            await aiosmtplib.send(
                message_of(mail, s.smtp_from), hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                start_tls=s.smtp_starttls, use_tls=False, timeout=s.smtp_timeout_seconds)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if all(r.code >= 500 for r in exc.recipients):
                raise PermanentMailError(str(exc)) from exc
            raise
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                raise PermanentMailError(f"{exc.code} {exc.message}") from exc
            raise
