"""Events in, read-model rows out, for each kind of institution: the PUP, OPS, CIS and supervisor views on real Kafka
and PostgreSQL, who may read them, and paging."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from services.reporting.calendar import today
from tests.integration.reporting import views_history
from tests.integration.reporting.conftest import Feed
from tests.integration.reporting.history import Office
from tests.integration.reporting.views_history import headers

pytestmark = pytest.mark.infra


async def test_pup_views(reporting: httpx.AsyncClient, feed: Feed, office: Office) -> None:
    cast = views_history.build(office)
    await feed(cast.history)
    anna = headers(office.pup, "anna.broker", "job_broker")
    boss = headers(office.pup, "kierownik.pup", "supervisor")

    load = (await reporting.get(f"/pup/{office.pup}/caseload", headers=anna)).json()
    assert {r["worker"]: (r["clients"], r["shared_clients"], r["open_plans"], r["open_steps"], r["overdue_steps"])
            for r in load} == {"anna.broker": (2, 2, 2, 2, 1), "piotr.broker": (1, 1, 0, 0, 0)}

    mine = (await reporting.get(f"/pup/{office.pup}/shared-clients", headers=anna)).json()
    assert {r["client_id"] for r in mine["items"]} == {str(cast.a), str(cast.b)}  # only anna's own clients
    a = next(r for r in mine["items"] if r["client_id"] == str(cast.a))
    assert [b["basis"] for b in a["benefits"]] == ["unemployment"]
    assert a["social_worker"] == "ewa.social"
    b = next(r for r in mine["items"] if r["client_id"] == str(cast.b))
    assert b["ops_steps"]["open"] == 1
    everyone = (await reporting.get(f"/pup/{office.pup}/shared-clients", headers=boss,
                                    params={"teryt": "2469"})).json()
    assert [r["client_id"] for r in everyone["items"]] == [str(cast.c)]  # Katowice (county 2469)

    due = (await reporting.get(f"/pup/{office.pup}/steps-due", headers=anna)).json()
    assert [(s["step_id"], s["overdue"]) for s in due["items"]] == [(str(cast.overdue_step), True),
                                                                   (str(cast.due_step), False)]
    assert due["items"][0]["days_overdue"] == 2

    referrals = (await reporting.get(f"/pup/{office.pup}/referrals", headers=boss)).json()
    assert referrals["outcomes"] == {"accepted": 1, "pending": 1, "refused": 1}
    assert referrals["items"][0]["offer_title"] == "Staż: magazynier"
    page = (await reporting.get(f"/pup/{office.pup}/referrals", headers=boss, params={"limit": 2})).json()
    assert (len(page["items"]), page["total"], page["next_offset"]) == (2, 3, 2)
    rest = (await reporting.get(f"/pup/{office.pup}/referrals", headers=boss, params={"offset": 2})).json()
    assert (len(rest["items"]), rest["next_offset"]) == (1, None)


async def test_ops_views(reporting: httpx.AsyncClient, feed: Feed, office: Office) -> None:
    cast = views_history.build(office)
    await feed(cast.history)
    ewa = headers(office.ops, "ewa.social", "social_worker")

    benefits = (await reporting.get(f"/ops/{office.ops}/benefits", headers=ewa)).json()
    [benefit] = benefits["items"]
    assert (benefit["unemployment_status"], benefit["deregistration_reason"], benefit["basis_questioned"]) == (
        "deregistered", "took_work", True)
    steps = (await reporting.get(f"/ops/{office.ops}/social-contract-steps", headers=ewa)).json()
    assert [s["instrument"] for s in steps["items"]] == ["social_work"]
    conflicts = (await reporting.get(f"/ops/{office.ops}/conflicts", headers=ewa)).json()
    assert [(c["client_id"], c["rule_id"], c["status"]) for c in conflicts["items"]] == [(str(cast.a), "R1", "open")]
    load = (await reporting.get(f"/ops/{office.ops}/caseload", headers=ewa)).json()
    assert {r["worker"]: r["clients"] for r in load} == {"ewa.social": 2, "maria.social": 1}


async def test_cis_views(reporting: httpx.AsyncClient, feed: Feed, office: Office) -> None:
    cast = views_history.build(office)
    await feed(cast.history)
    boss = headers(office.cis, "kierownik.cis", "supervisor")

    expiring = (await reporting.get(f"/cis/{office.cis}/ipzs-expiring", headers=boss)).json()
    assert [(r["client_id"], r["days_left"]) for r in expiring["items"]] == [(str(cast.candidate), 3)]
    assert expiring["norms"][0]["value"] == 7
    candidates = (await reporting.get(f"/cis/{office.cis}/bonus-candidates", headers=boss)).json()
    assert [(r["client_id"], r["attendance"]) for r in candidates["items"]] == [(str(cast.candidate), 0.95)]
    assert [n["id"] for n in candidates["norms"]] == ["bonus_min_attendance", "bonus_max_unexcused_days"]
    attendance = (await reporting.get(f"/cis/{office.cis}/attendance", headers=boss)).json()
    assert {r["client_id"]: r["days_unexcused"] for r in attendance["items"]} == {
        str(cast.candidate): 0, str(cast.graduate): 10}
    graduates = (await reporting.get(f"/cis/{office.cis}/graduates-follow-up", headers=boss)).json()
    assert [(r["client_id"], r["after_months"], r["due_on"], r["job_broker"]) for r in graduates["items"]] == [
        (str(cast.graduate), 3, today().isoformat(), "anna.broker")]
    staff = (await reporting.get(f"/cis/{office.cis}/instructors", headers=boss)).json()
    assert staff["norm"]["value"] == 5
    assert "art. 11 ust. 3" in staff["norm"]["legal_basis"]
    assert [(r["instructor"], r["participants"], r["over_limit"]) for r in staff["instructors"]] == [
        ("jan.instruktor", 6, True), ("ola.instruktor", 1, False)]
    later = (await reporting.get(f"/cis/{office.cis}/instructors", headers=boss,
                                 params={"on": (today() + timedelta(30)).isoformat()})).json()
    assert later["instructors"] == []


async def test_supervisor_views_and_who_may_read(reporting: httpx.AsyncClient, feed: Feed, office: Office) -> None:
    cast = views_history.build(office)
    await feed(cast.history)
    boss = headers(office.pup, "kierownik.pup", "supervisor")
    anna = headers(office.pup, "anna.broker", "job_broker")

    summary = (await reporting.get(f"/supervisor/{office.pup}/summary", headers=boss)).json()
    assert summary == {"workers": 2, "clients": 3, "open_plans": 2, "open_steps": 2, "overdue_steps": 1,
                       "open_conflicts": 1}
    overdue = (await reporting.get(f"/supervisor/{office.pup}/overdue-steps", headers=boss)).json()
    assert [s["step_id"] for s in overdue["items"]] == [str(cast.overdue_step)]
    conflicts = (await reporting.get(f"/supervisor/{office.ops}/conflicts",
                                     headers=headers(office.ops, "kierownik.ops", "supervisor"))).json()
    assert conflicts["total"] == 1

    assert (await reporting.get(f"/supervisor/{office.pup}/summary", headers=anna)).status_code == 403
    assert (await reporting.get(f"/pup/{office.pup}/shared-clients", headers=anna,
                                params={"worker": "piotr.broker"})).status_code == 403
    assert (await reporting.get(f"/pup/{office.pup}/shared-clients",
                                headers=headers(office.ops, "ewa.social", "social_worker"))).status_code == 403
    assert (await reporting.get(f"/pup/{office.ops}/shared-clients",
                                headers=headers(office.ops, "ewa.social", "social_worker"))).status_code == 404
    assert (await reporting.get(f"/pup/{office.pup}/shared-clients")).status_code == 401  # no access token
    bad = await reporting.get(f"/ops/{office.ops}/benefits", headers=headers(office.ops, "ewa.social", "social_worker"),
                              params={"from": "2026-05-01", "to": "2026-04-01"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "from")
    bad = await reporting.get(f"/pup/{office.pup}/referrals", headers=boss, params={"limit": 0})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "limit")
