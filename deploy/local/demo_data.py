"""Demo data for `make run`: an agreement, a region, shared clients, a joint plan, an offer and a conflict."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx

from libs.events.envelope import Actor
from tools.demo_data.tokens import ActorTokens

PUP, OPS = "PUP-2473", "MOPS-2473"
# Demo workers of the development issuer's directory (services/identity/directory.toml).
BROKER = Actor(user="anna.nowak", institution=PUP, role="job_broker")
SOCIAL = Actor(user="ewa.lis", institution=OPS, role="social_worker")
HEAD = Actor(user="marek.wojcik", institution=PUP, role="supervisor")
ADMIN = Actor(user="beata.sowa", institution=OPS, role="administrator")
# Valid PESEL numbers (checksum and encoded birth date) of fictitious people.
PEOPLE = [
    ("Jan", "Kowalski", "44051401359", date(1944, 5, 14)),
    ("Anna", "Wiśniewska", "85071712304", date(1985, 7, 17)),
    ("Piotr", "Wójcik", "90022004517", date(1990, 2, 20)),
    ("Katarzyna", "Kamińska", "78111505262", date(1978, 11, 15)),
]
ADDRESS = {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
           "city": "Siemianowice Śląskie", "street": "Jana Pawła II"}


def _day(offset: int = 0) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


async def _ok(answer: httpx.Response) -> dict:  # type: ignore[type-arg]
    if answer.status_code >= 300:
        raise RuntimeError(f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text}")
    return dict(answer.json()) if answer.content else {}


@dataclass(frozen=True)
class Workers:
    """The Authorization headers of the demo workers (case workers, a supervisor, an administrator)."""

    broker: dict[str, str]
    social: dict[str, str]
    head: dict[str, str]
    admin: dict[str, str]


async def load_demo_data(urls: dict[str, str], tokens: ActorTokens) -> str:
    """Walk a small PZW through the services' APIs, as the workers would (with their access tokens)."""
    w = Workers(*(tokens.header(a) for a in (BROKER, SOCIAL, HEAD, ADMIN)))
    async with httpx.AsyncClient(timeout=15) as http:
        await _ok(await http.post(f"{urls['clients']}/agreements", headers=w.head, json={
            "pup_institution_id": PUP, "ops_institution_id": OPS, "valid": {"from": "2026-01-01", "to": "2028-12-31"},
            "legal_basis": {"code": "RODO-6-1-e", "applies_from": "2025-06-01",
                            "text": "art. 6 ust. 1 lit. e RODO w zw. z ustawą o pomocy społecznej i ustawą o rynku "
                                    "pracy i służbach zatrudnienia"}}))
        await _ok(await http.post(f"{urls['clients']}/regions", headers=w.admin, json={
            "name": "Rejon 1 – Centrum", "pup_institution_id": PUP, "ops_institution_id": OPS,
            "area": {"postal_codes": ["41-100"]},
            "workers": {"job_broker": BROKER.user, "social_worker": SOCIAL.user}}))
        clients: list[str] = []
        for n, (first, last, pesel, born) in enumerate(PEOPLE):
            body = {"identity": {"pesel": pesel, "first_name": first, "last_name": last,
                                 "birth_date": born.isoformat()},
                    "address": {**ADDRESS, "building": str(10 + n)}, "registered_on": _day(-60)}
            record = await _ok(await http.post(f"{urls['clients']}/clients", headers=w.broker,
                                               json={**body, "institution_id": PUP, "institution_kind": "PUP"}))
            if n % 2 == 0:
                record = await _ok(await http.post(f"{urls['clients']}/clients", headers=w.social, json={
                    **body, "institution_id": OPS, "institution_kind": "OPS"}))
            clients.append(record["client_id"])
        shared = clients[0]
        plan = await _open_plan(http, urls, shared, w)
        await _conflict(http, urls, clients[2], w)
        offer = await _ok(await http.post(f"{urls['matching']}/offers", headers=w.broker, json={
            "kind": "internship", "instrument": "internship", "title": "Staż: pracownik magazynu",
            "location": {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100"},
            "capacity": 3, "period": {"from": _day(30), "to": _day(210)}}))
    return (f"demo data: {len(clients)} clients ({len(clients[::2])} shared), plan {plan}, offer "
            f"{offer['offer_id']}, a benefit conflict on client {clients[2]}")


async def _open_plan(http: httpx.AsyncClient, urls: dict[str, str], client_id: str, w: Workers) -> str:
    """The joint plan of a shared client with the OPS social preparation under way."""
    for _ in range(100):  # the plans service learns of the shared client from Kafka
        answer = await http.get(f"{urls['plans']}/clients/{client_id}/sharing", headers=w.social)
        if answer.status_code == 200 and answer.json() and answer.json()[0]["usable_today"]:
            break
        await asyncio.sleep(0.2)
    plan = await _ok(await http.post(f"{urls['plans']}/plans", headers=w.social, json={"client_id": client_id}))
    plan_id, version = plan["plan_id"], plan["version"]
    for who, path, body in [
        (w.social, "/social-contract", {"contract_number": "KS/2473/2026/1", "valid": {"from": _day(), "to": _day(180)},
                                      "goals": ["uregulowanie zadłużenia czynszowego"]}),
        (w.broker, "/ipd", {"ipd_number": "IPD/2473/2026/1", "valid": {"from": _day(), "to": _day(180)},
                          "goals": ["zatrudnienie w logistyce"]}),
        (w.social, "/steps", {"instrument": "social_work", "title": "Przygotowanie społeczne: budżet domowy",
                            "planned": {"from": _day(), "to": _day(21)}, "social_preparation": True}),
        (w.broker, "/steps", {"instrument": "training", "title": "Szkolenie: operator wózka widłowego",
                            "planned": {"from": _day(30), "to": _day(60)}}),
    ]:
        changed = await _ok(await http.post(f"{urls['plans']}/plans/{plan_id}{path}", json=body,
                                            headers={**who, "If-Match": f'"{version}"'}))
        version = changed["version"]
    return str(plan_id)


async def _conflict(http: httpx.AsyncClient, urls: dict[str, str], client_id: str, w: Workers) -> None:
    """An OPS benefit granted because of unemployment, then a PUP deregistration for a refused offer (R1)."""
    await _ok(await http.post(f"{urls['clients']}/clients/{client_id}/benefits", headers=w.social, json={
        "kind": "zasiłek okresowy", "basis": "unemployment", "monthly_amount": "418.00",
        "period": {"from": _day(-30), "to": _day(150)}}))
    await _ok(await http.post(f"{urls['clients']}/clients/{client_id}/unemployment-status", headers=w.broker, json={
        "status": "deregistered", "reason": "refused_offer", "effective_on": _day(-1)}))
