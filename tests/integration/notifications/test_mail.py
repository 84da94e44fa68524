"""E-mail over a real SMTP server (aiosmtpd): delivery recorded, retries while it is down, the daily digest."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from services.notifications.adapters.smtp import SmtpSender
from services.notifications.application.digests import DigestLoop
from services.notifications.application.mailer import Mailer, retry_delay
from services.notifications.config import NotificationsSettings
from services.notifications.domain.preferences import Preferences
from tests.integration.notifications.service_parts import Parts, wire
from tests.integration.notifications.smtp_server import SmtpServer, body_of
from tests.unit.notifications.builders import (
    JOB_BROKER,
    OPS,
    PUP,
    PUP_ACTOR,
    SOCIAL_WORKER,
    benefit_granted,
    deregistered,
    stream,
    today,
    workers_assigned,
)

pytestmark = pytest.mark.infra

ADDRESS = "beata.ops@mops-510101.example"


@pytest.fixture
async def parts(pool: asyncpg.Pool, tmp_path: Path) -> Parts:
    return await wire(pool, tmp_path, digest_hour=16)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def mailer(parts: Parts, port: int) -> Mailer:
    settings = NotificationsSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="pzw@test.example",
                                     smtp_timeout_seconds=5)
    return Mailer(parts.mails, SmtpSender(settings), parts.clock, interval=0.05, lease=60, retry_first=1,
                  retry_cap=60)


async def status_change(parts: Parts, client_id: uuid.UUID) -> None:
    await parts.apply(parts.clients, stream([workers_assigned(client_id), deregistered(client_id)], actor=PUP_ACTOR))


async def test_an_e_mail_is_delivered_after_the_notification_is_stored(parts: Parts, smtp: SmtpServer) -> None:
    await parts.set_preferences(SOCIAL_WORKER, OPS, Preferences(email=ADDRESS))
    await status_change(parts, uuid.uuid4())
    [_, email] = await parts.sent(SOCIAL_WORKER)
    assert await mailer(parts, smtp.port).send_due() == 1
    [message] = smtp.to(ADDRESS)
    assert message["Subject"] == "[PZW] PUP-5101: zmiana statusu bezrobotnego klienta"
    assert message["Message-ID"] == f"<{email['stream_id']}@pzw.notifications>"
    assert message["From"] == "pzw@test.example"
    assert "Szczegóły w skrzynce" in body_of(message)
    status = await parts.mails.status(uuid.UUID(email["stream_id"]))
    assert status is not None
    assert status.delivered_at is not None
    assert status.attempts == 1
    assert await mailer(parts, smtp.port).send_due() == 0  # delivered once, not again


async def test_while_smtp_is_down_the_e_mail_waits_and_goes_out_when_it_is_back(parts: Parts) -> None:
    server = SmtpServer()  # not started: nothing listens on its port
    await parts.set_preferences(SOCIAL_WORKER, OPS, Preferences(email=ADDRESS))
    await status_change(parts, uuid.uuid4())
    [_, email] = await parts.sent(SOCIAL_WORKER)
    mail_id = uuid.UUID(email["stream_id"])
    sender = mailer(parts, server.port)
    assert await sender.send_due() == 1
    status = await parts.mails.status(mail_id)
    assert status is not None
    assert status.delivered_at is None
    assert status.attempts == 1
    assert status.last_error
    assert "onnect" in status.last_error
    assert await sender.send_due() == 0  # waits for its retry time
    server.start()
    try:
        parts.clock.offset += timedelta(seconds=2)
        assert await sender.send_due() == 1
        assert len(server.to(ADDRESS)) == 1
        status = await parts.mails.status(mail_id)
        assert status is not None
        assert status.delivered_at is not None
        assert status.attempts == 2
    finally:
        server.stop()
    assert retry_delay(1, 30, 900) == timedelta(seconds=30)
    assert retry_delay(4, 30, 900) == timedelta(seconds=240)
    assert retry_delay(10, 30, 900) == timedelta(seconds=900)


async def test_a_refused_address_is_recorded_and_not_retried(parts: Parts, smtp: SmtpServer) -> None:
    smtp.mailbox.refused.add(ADDRESS)
    await parts.set_preferences(SOCIAL_WORKER, OPS, Preferences(email=ADDRESS))
    await status_change(parts, uuid.uuid4())
    [_, email] = await parts.sent(SOCIAL_WORKER)
    sender = mailer(parts, smtp.port)
    assert await sender.send_due() == 1
    status = await parts.mails.status(uuid.UUID(email["stream_id"]))
    assert status is not None
    assert status.failed_at is not None
    assert "550" in (status.last_error or "")
    parts.clock.offset += timedelta(hours=1)
    assert await sender.send_due() == 0


async def test_the_digest_collects_the_days_items_into_one_e_mail_at_its_hour(parts: Parts, smtp: SmtpServer) -> None:
    await parts.set_preferences(SOCIAL_WORKER, OPS, Preferences(email=ADDRESS, digest=True))
    await parts.set_preferences(JOB_BROKER, PUP, Preferences(email="adam@pup.example"))
    client_id = uuid.uuid4()
    parts.clock.move_to(today(), 9)
    await status_change(parts, client_id)
    parts.clock.move_to(today(), 11)
    await parts.apply(parts.clients, stream([benefit_granted(client_id, institution=PUP)], stream_id=str(client_id),
                                            first_version=3))
    assert [r["channel"] for r in await parts.sent(SOCIAL_WORKER)] == ["in_app", "digest"] * 2
    digests = DigestLoop(parts.pool, parts.notifier.rules, parts.preferences, parts.clock, interval=0.05)
    sender = mailer(parts, smtp.port)
    assert await digests.collect_due() == 0  # before 16:00 nothing goes
    parts.clock.move_to(today(), 16, 1)
    assert await digests.collect_due() == 1
    assert await digests.collect_due() == 0
    await sender.send_due()
    [digest] = smtp.to(ADDRESS)
    assert digest["Subject"] == f"[PZW] Podsumowanie dnia {today()}: 2 powiadomienia"
    text = body_of(digest)
    assert text.index("09:0") < text.index("zmiana statusu bezrobotnego") < text.index("11:0") < text.index(
        "przyznano świadczenie")
    assert smtp.to("adam@pup.example") == []  # the PUP acted both times: nothing for its worker
