"""The notifications service over HTTP on real PostgreSQL, Kafka and SMTP: the plans service and feeds of the
clients and conflicts contexts cause notifications; workers read them in the inbox, live, and by e-mail."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from libs.events.envelope import Actor
from libs.events.infra import Infrastructure
from libs.events.topics import CLIENTS, CONFLICTS, NOTIFICATIONS
from services.notifications.bootstrap import build_app
from services.plans.bootstrap import build_app as build_plans_app
from services.plans.config import PlansSettings
from tests.conftest import create_database
from tests.integration.notifications.harness import MovableClock, event_feed
from tests.integration.notifications.live_stream import LiveStream
from tests.integration.notifications.platform import (
    PAIR,
    SYSTEM,
    Platform,
    settings_for,
    unique,
    worker_actor,
)
from tests.integration.notifications.smtp_server import SmtpServer, body_of
from tests.integration.plans.clients_feed import agreement_signed
from tests.support.kafka import headers_of, read_topic
from tests.support.people import worker
from tests.support.services import eventually, serving
from tests.unit.notifications.builders import (
    JOB_BROKER,
    OPS,
    OPS_SUPERVISOR,
    PUP,
    PUP_SUPERVISOR,
    SOCIAL_WORKER,
    conflict,
    days,
    deregistered,
    handed_over,
)

pytestmark = pytest.mark.infra

PUP_H = worker(PUP, JOB_BROKER, "job_broker")
OPS_H = worker(OPS, SOCIAL_WORKER, "social_worker")
DETECTOR = Actor.system("matching.conflicts")


@pytest.fixture(scope="module")
async def platform(infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    smtp = SmtpServer()
    smtp.start()
    database = await create_database(infra.postgres_dsn, "notifications")
    clock = MovableClock()
    settings = settings_for(infra, database, tmp_path_factory.mktemp("routing"), smtp.port,
                            f"notifications-e2e-{uuid.uuid4().hex[:8]}")
    plans = PlansSettings(database_url=await create_database(infra.postgres_dsn, "plans"),
                          kafka_bootstrap=infra.kafka_bootstrap)
    db = await asyncpg.create_pool(database, min_size=1, max_size=4)
    try:
        async with event_feed(infra) as feed, serving(build_plans_app(plans)) as plans_api, \
                serving(build_app(settings, clock)) as api:
            await feed.append(PAIR.agreement_id, [agreement_signed(PAIR)], topic=CLIENTS, actor=SYSTEM,
                              stream_type="agreement")
            yield Platform(api, plans_api, feed, smtp, clock, db, infra.kafka_bootstrap)
    finally:
        await db.close()
        smtp.stop()


async def test_a_plan_change_by_the_pup_reaches_the_ops_worker_in_app_live_and_by_e_mail(platform: Platform) -> None:
    address = f"ops.{uuid.uuid4().hex[:6]}@mops-510101.example"
    await platform.prefer(OPS_H, email=address)
    client_id = await platform.client()

    async def shared() -> bool:
        answer = await platform.plans.get(f"/clients/{client_id}/sharing", headers=PUP_H)
        return answer.status_code == 200 and answer.json()[0]["usable_today"]

    await eventually(shared, within=60)
    async with LiveStream(platform.api, OPS_H) as live:
        opened = await platform.plans.post("/plans", json={"client_id": str(client_id)}, headers=PUP_H)
        assert opened.status_code == 201, opened.text
        plan_id = opened.json()["plan_id"]
        step = await platform.plans.post(
            f"/plans/{plan_id}/steps", headers={**PUP_H, "If-Match": '"1"'},
            json={"instrument": "training", "title": "Kurs operatora wózka", "planned": {"from": str(days(10)),
                                                                                         "to": str(days(40))}})
        assert step.status_code == 201, step.text

        async def both_pushed() -> list[dict[str, Any]] | None:
            mine = [n for n in live.notifications() if n["client_id"] == str(client_id)]
            return mine if len(mine) >= 2 else None

        pushed = await eventually(both_pushed, within=30)
    assert [n["title"] for n in pushed] == ["PUP-5101: otwarto wspólny plan we wspólnym planie klienta",
                                            "PUP-5101: dodano krok planu we wspólnym planie klienta"]
    assert {n["kind"] for n in pushed} == {"partner_changed_plan"}
    assert f"Plan {plan_id}" in pushed[1]["body"]
    assert JOB_BROKER in pushed[1]["body"]

    items = await platform.items_about(OPS_H, client_id, 2)
    assert [i["notification_id"] for i in items] == [n["notification_id"] for n in reversed(pushed)]
    assert all(i["read_at"] is None for i in items)
    assert (await platform.inbox(OPS_H))["unread"] >= 2

    mails = await platform.smtp.wait_for(address, 2)
    assert sorted(m["Subject"] for m in mails) == ["[PZW] PUP-5101: dodano krok planu we wspólnym planie klienta",
                                                   "[PZW] PUP-5101: otwarto wspólny plan we wspólnym planie klienta"]
    assert "Kurs operatora" not in body_of(mails[0]) + body_of(mails[1])  # details stay in the inbox
    pup_items = (await platform.inbox(PUP_H, limit=200))["items"]
    assert [i for i in pup_items if i["client_id"] == str(client_id)] == []  # the PUP is not told its own change


async def test_a_conflict_reaches_both_workers_and_their_supervisors(platform: Platform) -> None:
    client_id = await platform.client()
    detected = conflict(client_id)
    await platform.feed.append(detected.conflict_id, [detected], topic=CONFLICTS, actor=DETECTOR, key=client_id,
                               stream_type="conflict")
    for who in (OPS_H, PUP_H, worker(PUP, PUP_SUPERVISOR, "supervisor"), worker(OPS, OPS_SUPERVISOR, "supervisor")):
        [item] = await platform.items_about(who, client_id)
        assert item["kind"] == "conflict_detected"
        assert item["title"] == "Konflikt świadczeń R1 (high) u klienta"
        assert "PUP-5101, MOPS-510101" in item["body"]


async def test_a_redelivered_event_notifies_once(platform: Platform) -> None:
    client_id = await platform.client()
    status = await platform.feed.append(client_id, [deregistered(client_id)], topic=CLIENTS, actor=SYSTEM,
                                        stream_type="client")
    await platform.items_about(OPS_H, client_id)
    # The very message again (a relay re-sending after a crash): the runner knows the stream version.
    await platform.feed.redeliver(status, CLIENTS)
    # The same event under a later version, as after a rebuild of the bookkeeping: the derived ids refuse it.
    again = dataclasses.replace(status[0], stream_version=status[0].stream_version + 1)
    await platform.feed.redeliver([again], CLIENTS)
    await platform.applied(client_id, again.stream_version)
    items = [i for i in (await platform.inbox(OPS_H, limit=200))["items"] if i["client_id"] == str(client_id)]
    assert len(items) == 1
    channels = await platform.db.fetch(
        """SELECT payload->>'channel' AS channel FROM events WHERE event_type = 'NotificationSent'
           AND payload->>'cause_event_id' = $1 ORDER BY 1""", str(status[0].event_id))
    assert [r["channel"] for r in channels] == ["email", "in_app"]  # one per channel (an address is set)


async def test_a_status_change_and_a_hand_over(platform: Platform) -> None:
    client_id = await platform.client()
    await platform.status_change(client_id, 5)
    [item] = await platform.items_about(OPS_H, client_id)
    assert (item["kind"], item["title"]) == ("partner_changed_status",
                                             "PUP-5101: zmiana statusu bezrobotnego klienta")
    newcomer = unique("nowa.osoba@mops-510101")
    handover = handed_over(SOCIAL_WORKER, newcomer)
    await platform.feed.append(handover.region_id, [handover], topic=CLIENTS, actor=worker_actor(OPS, "kierownik"),
                               stream_type="region")

    async def told() -> list[dict[str, Any]]:
        return list((await platform.inbox(worker(OPS, newcomer, "social_worker")))["items"])

    [note] = await eventually(told, within=30)
    assert (note["kind"], note["title"]) == ("caseload_handed_over", f"Przejęto klientów od {SOCIAL_WORKER}")


async def test_paging_marking_read_and_the_events_on_kafka(platform: Platform) -> None:
    reader = unique("czytelnik@mops-510101")
    who = worker(OPS, reader, "social_worker")
    client_id = await platform.client(social_worker=reader)
    for version in range(5, 10):
        await platform.status_change(client_id, version)
    await platform.items_about(who, client_id, 5)
    first = await platform.inbox(who, limit=2)
    second = await platform.inbox(who, limit=2, cursor=first["next_cursor"])
    third = await platform.inbox(who, limit=2, cursor=second["next_cursor"])
    pages = [first, second, third]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert third["next_cursor"] is None
    ids = [i["notification_id"] for p in pages for i in p["items"]]
    assert len(set(ids)) == 5
    assert [i["sent_at"] for p in pages for i in p["items"]] == sorted(
        (i["sent_at"] for p in pages for i in p["items"]), reverse=True)
    assert first["unread"] == 5

    read = await platform.api.post(f"/inbox/{ids[0]}/read", headers=who)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    again = await platform.api.post(f"/inbox/{ids[0]}/read", headers=who)
    assert again.json()["read_at"] == read.json()["read_at"]
    assert (await platform.api.post(f"/inbox/{ids[0]}/read", headers=OPS_H)).status_code == 404
    unread = await platform.inbox(who, unread_only="true")
    assert unread["unread"] == 4
    assert ids[0] not in [i["notification_id"] for i in unread["items"]]

    async def published() -> list[Any] | None:
        records = await read_topic(platform.kafka, NOTIFICATIONS, expected=1, within=2)
        mine = [r for r in records if headers_of(r)["ce_subject"].decode() == ids[0]]
        return mine if len(mine) >= 2 else None

    records = await eventually(published, within=30)
    assert [headers_of(r)["ce_type"].decode() for r in records] == [
        "pl.pzw.notifications.NotificationSent", "pl.pzw.notifications.NotificationRead"]
    assert {r.key.decode() for r in records} == {reader}


async def test_the_digest_gathers_the_days_notifications_into_one_e_mail(platform: Platform) -> None:
    reader = unique("zbiorczo@mops-510101")
    address = f"{reader.split('@')[0]}@mops-510101.example"
    who = worker(OPS, reader, "social_worker")
    await platform.prefer(who, email=address, digest=True)
    client_id = await platform.client(social_worker=reader)
    await platform.status_change(client_id, 5)
    await platform.status_change(client_id, 6)
    await platform.items_about(who, client_id, 2)  # in-app as usual
    slot = await platform.db.fetchval(
        "SELECT max(digest_due_at) FROM notifications WHERE recipient = $1 AND channel = 'digest'", reader)
    assert slot is not None
    await asyncio.sleep(0.5)
    assert platform.smtp.to(address) == []  # no single e-mails with the digest on
    try:
        platform.clock.offset = slot - platform.clock() + platform.clock.offset + timedelta(minutes=1)
        [digest] = await platform.smtp.wait_for(address, 1)
    finally:
        platform.clock.offset = timedelta()
    assert digest["Subject"].endswith(": 2 powiadomienia")
    assert body_of(digest).count("zmiana statusu bezrobotnego klienta") == 2


async def test_preferences_switch_e_mail_off_and_on(platform: Platform) -> None:
    reader = unique("bezmaila@mops-510101")
    address = f"{reader.split('@')[0]}@mops-510101.example"
    who = worker(OPS, reader, "social_worker")
    chosen = await platform.prefer(who, email=address, channels={"partner_changed_status": ["in_app"]})
    assert chosen["channels"]["partner_changed_status"] == ["in_app"]
    assert chosen["channels"]["conflict_detected"] == ["in_app", "email"]  # the routing file's default
    client_id = await platform.client(social_worker=reader)
    await platform.status_change(client_id, 5)
    await platform.items_about(who, client_id)
    assert await platform.db.fetchval("SELECT count(*) FROM mails WHERE recipient = $1", reader) == 0
    assert (await platform.api.get("/preferences", headers=who)).json()["email"] == address

    await platform.prefer(who, email=address)  # back to the defaults: e-mail on
    await platform.status_change(client_id, 6)
    [mail] = await platform.smtp.wait_for(address, 1)
    assert mail["Subject"] == "[PZW] PUP-5101: zmiana statusu bezrobotnego klienta"


async def test_bad_input_gets_422_and_unknown_things_404(platform: Platform) -> None:
    api = platform.api

    async def put(body: dict[str, Any]) -> httpx.Response:
        return await api.put("/preferences", headers=OPS_H, json=body)

    unknown_kind = await put({"email": "a@b.pl", "channels": {"birthday": ["in_app"]}})
    assert unknown_kind.status_code == 422
    assert unknown_kind.json()["errors"][0]["field"] == "channels.birthday.[key]"
    assert (await put({"email": "a@b.pl", "channels": {"step_due": ["sms"]}})).status_code == 422
    no_address = await put({"channels": {"step_due": ["email"]}})
    assert no_address.status_code == 422
    assert "e-mail address is needed" in no_address.json()["detail"]
    assert (await put({"digest": True})).status_code == 422
    assert (await put({"email": "not-an-address"})).status_code == 422
    assert (await put({"email": "a@b.pl", "sms": True})).status_code == 422
    assert (await api.get("/inbox")).status_code == 401  # who is asking? (no access token)
    assert (await api.get("/inbox", headers=OPS_H, params={"limit": 0})).status_code == 422
    bad_cursor = await api.get("/inbox", headers=OPS_H, params={"cursor": "bm90IGEgY3Vyc29y"})
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"][0]["field"] == "cursor"
    assert (await api.post("/inbox/not-a-uuid/read", headers=OPS_H)).status_code == 422
    missing = await api.post(f"/inbox/{uuid.uuid4()}/read", headers=OPS_H)
    assert missing.status_code == 404
    assert "not in your inbox" in missing.json()["detail"]
    routing = (await api.get("/routing", headers=OPS_H)).json()
    assert routing["conflict_detected"]["recipients"] == ["institution_workers", "supervisors"]
