"""Test people and their valid PESEL numbers, and the Authorization headers of acting workers."""

from __future__ import annotations

import itertools
from datetime import date

import jwt

from tests.support.identity import development_issuer

_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_serial = itertools.count(1)


def pesel_for(birth: date, serial: int, male: bool) -> str:
    """A valid PESEL for a birth date (1900-2099) and a serial number."""
    month = birth.month + (20 if birth.year >= 2000 else 0)
    body = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial % 1000:03d}{(serial % 5) * 2 + int(male)}"
    check = (10 - sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 10) % 10
    return body + str(check)


def person(first: str = "Jan", last: str = "Kowalski", birth: date = date(1980, 3, 14), male: bool = True) -> dict:
    """An identity block with a PESEL no other test person has."""
    return {"pesel": pesel_for(birth, next(_serial), male), "first_name": first, "last_name": last,
            "birth_date": birth.isoformat()}


def worker(institution: str, user: str, role: str, region: str | None = None) -> dict[str, str]:
    """The Authorization header of a worker, with an access token the development issuer signed."""
    return bearer(development_issuer().token(institution, user, role, region=region))


def supervisor(institution: str) -> dict[str, str]:
    """The head of an institution (signs agreements, sees the supervisor views)."""
    return worker(institution, f"kierownik@{institution.lower()}", "supervisor")


def administrator(institution: str) -> dict[str, str]:
    """An institution's administrator (regions and the pairing of workers)."""
    return worker(institution, f"administrator@{institution.lower()}", "administrator")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def institution_of(headers: dict[str, str]) -> str:
    """The institution the worker of an Authorization header acts for (read from the token's claims)."""
    claims = jwt.decode(headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False})
    return str(claims["institution"])


ADDRESS = {"gmina": "Siemianowice Śląskie", "teryt": "2474011", "postal_code": "41-100",
           "city": "Siemianowice Śląskie", "street": "Jana Pawła II", "building": "10"}
