"""Notifications stored exactly once per cause, recipient and channel, on real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from libs.events.ids import derived_id
from libs.events.schemas.clients import ClientErased, ErasureBasis
from libs.events.schemas.notifications import NotificationKind
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.rules import DirectChannel
from tests.integration.notifications.service_parts import Parts, wire
from tests.unit.notifications.builders import (
    JOB_BROKER,
    OPS,
    OPS_ACTOR,
    OPS_SUPERVISOR,
    PUP_ACTOR,
    PUP_SUPERVISOR,
    SOCIAL_WORKER,
    conflict,
    deregistered,
    event,
    plan_opened,
    sharing_stopped,
    step_added,
    stream,
    workers_assigned,
)

pytestmark = pytest.mark.infra


@pytest.fixture
async def parts(pool: asyncpg.Pool, tmp_path: Path) -> Parts:
    return await wire(pool, tmp_path)


async def test_a_conflict_handled_again_notifies_nobody_twice(parts: Parts) -> None:
    client_id = uuid.uuid4()
    await parts.apply(parts.clients, stream([workers_assigned(client_id)]))
    detected = [event(conflict(client_id))]
    await parts.apply(parts.conflicts, detected)
    sent = await parts.sent()
    assert sorted(r["recipient"] for r in sent) == sorted([JOB_BROKER, SOCIAL_WORKER, PUP_SUPERVISOR,
                                                           OPS_SUPERVISOR])
    assert {r["channel"] for r in sent} == {"in_app"}  # nobody gave an e-mail address yet
    expected = {str(derived_id(detected[0].event_id, r["recipient"], "conflict_detected", "in_app")) for r in sent}
    assert {r["stream_id"] for r in sent} == expected

    await parts.apply(parts.conflicts, detected)  # a replay: the rows are claimed already
    assert len(await parts.sent()) == 4
    # Even with the table emptied, the notifications' streams exist: NO_STREAM refuses, the transaction goes on.
    await parts.pool.execute("DELETE FROM notifications")
    await parts.apply(parts.conflicts, detected)
    assert len(await parts.sent()) == 4


async def test_the_partner_gets_the_notification_and_its_e_mail_is_queued_with_it(parts: Parts) -> None:
    client_id, plan_id = uuid.uuid4(), uuid.uuid4()
    await parts.set_preferences(SOCIAL_WORKER, OPS, Preferences(email="beata@mops.example"))
    await parts.apply(parts.clients, stream([workers_assigned(client_id)]))
    added = stream([plan_opened(plan_id, client_id), step_added(plan_id, client_id, uuid.uuid4(),
                                                                owner_worker=JOB_BROKER, owner_institution="PUP-5101")],
                   actor=PUP_ACTOR)
    await parts.apply(parts.plans, added)
    sent = await parts.sent(SOCIAL_WORKER)
    assert [(r["kind"], r["channel"]) for r in sent] == [("partner_changed_plan", "in_app"),
                                                          ("partner_changed_plan", "email")] * 2
    assert await parts.sent(JOB_BROKER) == []  # the PUP acted: it is not told about itself
    mail = await parts.mails.status(uuid.UUID(sent[1]["stream_id"]))
    assert mail is not None
    assert (mail.attempts, mail.delivered_at) == (0, None)
    subject = await parts.pool.fetchval("SELECT subject FROM mails WHERE mail_id = $1", mail.mail_id)
    assert subject == "[PZW] PUP-5101: otwarto wspólny plan we wspólnym planie klienta"


async def test_switching_e_mail_off_keeps_the_inbox(parts: Parts) -> None:
    client_id = uuid.uuid4()
    await parts.set_preferences(SOCIAL_WORKER, OPS, Preferences(
        email="beata@mops.example", channels={NotificationKind.PARTNER_CHANGED_STATUS: (DirectChannel.IN_APP,)}))
    await parts.apply(parts.clients, stream([workers_assigned(client_id), deregistered(client_id)], actor=PUP_ACTOR))
    assert [r["channel"] for r in await parts.sent(SOCIAL_WORKER)] == ["in_app"]
    assert await parts.pool.fetchval("SELECT count(*) FROM mails") == 0


async def test_partners_of_a_client_no_longer_shared_are_not_told(parts: Parts) -> None:
    client_id = uuid.uuid4()
    await parts.apply(parts.clients, stream([workers_assigned(client_id), sharing_stopped(client_id),
                                             deregistered(client_id)]))
    assert await parts.sent() == []


async def test_a_plan_event_before_the_workers_are_known_reaches_the_plan_parties(parts: Parts) -> None:
    client_id, plan_id = uuid.uuid4(), uuid.uuid4()
    await parts.apply(parts.plans, stream([plan_opened(plan_id, client_id)], actor=OPS_ACTOR))
    assert [r["recipient"] for r in await parts.sent()] == [JOB_BROKER]


async def test_an_erased_client_leaves_no_inbox_entry_nor_pairing(parts: Parts) -> None:
    erased, kept = uuid.uuid4(), uuid.uuid4()
    for client_id in (erased, kept):
        await parts.apply(parts.clients, stream([workers_assigned(client_id)]))
        await parts.apply(parts.conflicts, [event(conflict(client_id))])
    assert await parts.pool.fetchval("SELECT count(*) FROM notifications WHERE client_id = $1", erased) == 4

    await parts.apply(parts.clients, [event(ClientErased(client_id=erased, legal_basis=ErasureBasis.RETENTION_EXPIRED,
                                                         erased_on=date(2026, 11, 20)), version=2)])
    for table in ("notifications", "notify_client_workers"):
        assert await parts.pool.fetchval(f"SELECT count(*) FROM {table} WHERE client_id = $1", erased) == 0
        assert await parts.pool.fetchval(f"SELECT count(*) FROM {table} WHERE client_id = $1", kept) > 0
