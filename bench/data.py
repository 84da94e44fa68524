"""Realistic test data: a bench-local event payload, Polish people and addresses, valid PESEL numbers."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.ids import new_id
from libs.events.registry import EventPayload, EventRegistry
from libs.events.schemas.clients import ClientRegistered, PersonIdentity
from libs.events.schemas.common import Address, Contact, InstitutionKind

registry = EventRegistry()

ACTOR = Actor(user="anna.nowak", institution="PUP-2473", role="job_broker")


@registry.event("CaseNoteRecorded", 1, context="bench")
class CaseNoteRecorded(EventPayload):
    """A case worker's note on a client (the bench's own payload, ~400 bytes of JSON)."""

    client_id: uuid.UUID
    institution_id: str
    author: str
    category: str
    subject: str
    text: str
    recorded_on: date
    follow_up_on: date | None = None
    tags: list[str]


_FIRST_MALE = ["Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Marcin", "Michał", "Grzegorz", "Józef",
               "Łukasz", "Adam", "Zbigniew", "Jerzy", "Tadeusz", "Mateusz", "Dariusz", "Mariusz", "Wojciech", "Ryszard"]
_FIRST_FEMALE = ["Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta",
                 "Magdalena", "Joanna", "Zofia", "Aleksandra", "Monika", "Teresa", "Danuta", "Natalia", "Julia"]
_LAST = [("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"),
         ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
         ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"),
         ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"), ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"),
         ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"), ("Pawłowski",
                                                                                            "Pawłowska")]
# (gmina, TERYT TERC, postal code, city, county code used in institution ids)
_PLACES = [
    ("Siemianowice Śląskie", "2474011", "41-100", "Siemianowice Śląskie", "2473"),
    ("Katowice", "2469011", "40-001", "Katowice", "2469"),
    ("Chorzów", "2462011", "41-500", "Chorzów", "2462"),
    ("Bytom", "2461011", "41-902", "Bytom", "2461"),
    ("Kraków", "1261011", "30-001", "Kraków", "1261"),
    ("Wieliczka", "1219064", "32-020", "Wieliczka", "1219"),
    ("Łódź", "1061011", "90-001", "Łódź", "1061"),
    ("Zgierz", "1020011", "95-100", "Zgierz", "1020"),
    ("Poznań", "3064011", "60-001", "Poznań", "3064"),
    ("Gniezno", "3003011", "62-200", "Gniezno", "3003"),
    ("Wrocław", "0264011", "50-001", "Wrocław", "0264"),
    ("Gdańsk", "2261011", "80-001", "Gdańsk", "2261"),
    ("Lublin", "0663011", "20-001", "Lublin", "0663"),
    ("Białystok", "2061011", "15-001", "Białystok", "2061"),
    ("Rzeszów", "1863011", "35-001", "Rzeszów", "1863"),
    ("Kielce", "2661011", "25-001", "Kielce", "2661"),
]
_STREETS = ["Jana Pawła II", "Mickiewicza", "Słowackiego", "Kościuszki", "3 Maja", "Piłsudskiego", "Sienkiewicza",
            "Bytomska", "Zwycięstwa", "Wyszyńskiego", "Dworcowa", "Ogrodowa", "Polna", "Leśna", "Szkolna"]
_NOTE_SUBJECTS = ["Rozmowa wstępna", "Wizyta w miejscu zamieszkania", "Ustalenia dotyczące szkolenia",
                  "Kontakt telefoniczny", "Weryfikacja dokumentów"]
_NOTE_TEXTS = [
    "Klient zgłosił się osobiście, przedstawił zaświadczenie o ukończeniu kursu i deklaruje gotowość do podjęcia "
    "zatrudnienia w pełnym wymiarze godzin. Ustalono kolejny termin spotkania z doradcą zawodowym.",
    "Przeprowadzono wywiad środowiskowy; sytuacja mieszkaniowa stabilna, rodzina wymaga wsparcia w zakresie "
    "opieki nad dzieckiem. Skierowano wniosek o zasiłek celowy do dalszego rozpatrzenia.",
    "Omówiono możliwości udziału w programie aktywizacji zawodowej; klientka wyraziła zainteresowanie stażem "
    "w administracji publicznej. Przekazano listę wymaganych dokumentów.",
]
_TAGS = ["aktywizacja", "szkolenie", "staż", "zasiłek", "wywiad", "doradztwo", "pilne", "dokumenty"]


def pesel_for(index: int) -> tuple[str, date]:
    """A valid PESEL (checksum and encoded birth date) that is unique for every `index` below ~200 million.

    Birth dates run from 1950 to 2005 (months of 2000s births are encoded + 20); the 4-digit serial takes the rest.
    """
    days, serial = divmod(index, 10_000)
    born = date(1950, 1, 1) + timedelta(days=days % 20_000)
    month = born.month + (20 if born.year >= 2000 else 0)
    digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial:04d}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return f"{digits}{check}", born


@dataclass(frozen=True, slots=True)
class Person:
    """A generated person with a PESEL, a home address and an institution that registers them."""

    pesel: str
    first_name: str
    last_name: str
    birth_date: date
    address: Address
    contact: Contact
    institution_id: str
    institution_kind: InstitutionKind


def person(index: int, rng: random.Random) -> Person:
    """The `index`-th generated person (unique PESEL), with plausible Polish names and address."""
    pesel, born = pesel_for(index)
    female = int(pesel[9]) % 2 == 0
    first = rng.choice(_FIRST_FEMALE if female else _FIRST_MALE)
    last = rng.choice(_LAST)[1 if female else 0]
    gmina, teryt, postal, city, county = rng.choice(_PLACES)
    address = Address(gmina=gmina, teryt=teryt, postal_code=postal, city=city, street=rng.choice(_STREETS),
                      building=str(rng.randint(1, 120)), apartment=str(rng.randint(1, 60)) if rng.random() < 0.6
                      else None)
    contact = Contact(phone=f"+48 {rng.randint(500, 899)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                      email=f"{_ascii(first)}.{_ascii(last)}{index % 1000}@poczta.example.pl".lower())
    kind = rng.choice([InstitutionKind.PUP, InstitutionKind.OPS, InstitutionKind.CIS])
    institution = {"PUP": f"PUP-{county}", "OPS": f"MOPS-{county}01", "CIS": f"CIS-{county}"}[kind.value]
    return Person(pesel, first, last, born, address, contact, institution, kind)


def client_registered(index: int, rng: random.Random) -> ClientRegistered:
    """A ClientRegistered event of the `index`-th generated person, with a fresh client id."""
    p = person(index, rng)
    return ClientRegistered(
        client_id=new_id(), institution_id=p.institution_id, institution_kind=p.institution_kind,
        identity=PersonIdentity(pesel=p.pesel, first_name=p.first_name, last_name=p.last_name,
                                birth_date=p.birth_date),
        address=p.address, contact=p.contact, registered_on=date(2026, 1, 2) + timedelta(days=index % 300))


def registration_body(index: int, rng: random.Random) -> dict[str, Any]:
    """The JSON body of POST /clients for the `index`-th generated person."""
    p = person(index, rng)
    return {
        "institution_id": p.institution_id, "institution_kind": p.institution_kind.value,
        "identity": {"pesel": p.pesel, "first_name": p.first_name, "last_name": p.last_name,
                     "birth_date": p.birth_date.isoformat()},
        "address": p.address.model_dump(mode="json", exclude_none=True),
        "contact": p.contact.model_dump(mode="json", exclude_none=True),
        "registered_on": "2026-11-02",
    }


def case_note(rng: random.Random, client_id: uuid.UUID | None = None) -> CaseNoteRecorded:
    """A case note of realistic size (300-500 bytes of JSON)."""
    _, _, _, _, county = rng.choice(_PLACES)
    return CaseNoteRecorded(
        client_id=client_id or new_id(), institution_id=f"PUP-{county}",
        author=f"{_ascii(rng.choice(_FIRST_FEMALE))}.{_ascii(rng.choice(_LAST)[1])}".lower(),
        category=rng.choice(["contact", "visit", "training", "benefit"]), subject=rng.choice(_NOTE_SUBJECTS),
        text=rng.choice(_NOTE_TEXTS), recorded_on=date(2026, 3, 1) + timedelta(days=rng.randint(0, 200)),
        follow_up_on=date(2026, 10, 1) if rng.random() < 0.5 else None, tags=rng.sample(_TAGS, 2),
    )


def new_event(payload: EventPayload) -> NewEvent:
    return NewEvent(payload=payload, occurred_at=datetime.now(UTC))


def metadata(partition_key: str | None = None) -> Metadata:
    return Metadata(actor=ACTOR, correlation_id=new_id(), partition_key=partition_key)


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ"))
