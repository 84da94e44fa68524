"""A handful of realistic registrations so that a fresh platform has something to show."""

from __future__ import annotations

from datetime import date

import httpx

# Valid PESEL numbers (checksum and encoded birth date) of fictitious people.
PEOPLE = [
    ("Jan", "Kowalski", "44051401359", date(1944, 5, 14)),
    ("Anna", "Wiśniewska", "85071712304", date(1985, 7, 17)),
    ("Piotr", "Wójcik", "90022004517", date(1990, 2, 20)),
    ("Katarzyna", "Kamińska", "78111505262", date(1978, 11, 15)),
]
ADDRESS = {"gmina": "Siemianowice Śląskie", "teryt": "2473011", "postal_code": "41-100",
           "city": "Siemianowice Śląskie", "street": "Jana Pawła II", "building": "10"}


async def load_demo_data(urls: dict[str, str]) -> str:
    """Register each person at the PUP, and half of them at the MOPS too (shared clients)."""
    created = 0
    async with httpx.AsyncClient(base_url=urls["clients"], timeout=10) as http:
        for n, (first, last, pesel, born) in enumerate(PEOPLE):
            for institution, kind, role in (("PUP-2473", "PUP", "job_broker"), ("MOPS-2473", "OPS", "social_worker")):
                if kind == "OPS" and n % 2:
                    continue
                answer = await http.post("/clients", headers={
                    "X-Actor-User": "demo", "X-Actor-Institution": institution, "X-Actor-Role": role}, json={
                    "institution_id": institution, "institution_kind": kind,
                    "identity": {"pesel": pesel, "first_name": first, "last_name": last,
                                 "birth_date": born.isoformat()},
                    "address": {**ADDRESS, "building": str(10 + n)}, "registered_on": "2026-10-01"})
                answer.raise_for_status()
                created += 1
    return f"demo data: {created} registrations of {len(PEOPLE)} people"
