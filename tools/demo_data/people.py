"""Realistic Polish people: gendered names from Faker's pl_PL vocabularies, valid and unique PESEL numbers.

Faker's word lists are used, not its random generator: our own seeded `random.Random` per client is faster and
keeps the output stable for a seed whatever else Faker changes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker.providers.address.pl_PL import Provider as _Address
from faker.providers.person.pl_PL import Provider as _Person

_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")

FIRST_FEMALE: tuple[str, ...] = tuple(_Person.first_names_female)
FIRST_MALE: tuple[str, ...] = tuple(_Person.first_names_male)
LAST_COMMON: tuple[str, ...] = tuple(_Person.male_last_names)  # Kowalski, Wiśniewski ... (declined for women)
LAST_UNISEX: tuple[str, ...] = tuple(_Person.unisex_last_names)  # Nowak, Wójcik ... (the same for both)
STREETS: tuple[str, ...] = tuple(dict.fromkeys(_Address.streets))

# Slots of (day of year, 3-digit serial, sex digit) available to one birth year: 365 x 1000 x 5.
PESEL_SLOTS = 365 * 1000 * 5
# Index -> slot is a bijection (the stride is coprime with 2^3 * 5^5 * 73) that scatters neighbouring indices over
# the year like a golden-ratio sequence, so any number of clients gets distinct, well-spread birthdays.
_STRIDE = 1_127_909

# Age of registered unemployed people: (lowest age, highest age, weight); the 25-34 group is the largest.
_AGES = ((18, 24, 14), (25, 34, 29), (35, 44, 25), (45, 54, 18), (55, 64, 14))


def female_form(surname: str) -> str:
    """The feminine form of a Polish adjectival surname (Kowalski -> Kowalska); others stay as they are."""
    for ending, feminine in (("cki", "cka"), ("dzki", "dzka"), ("ski", "ska")):
        if surname.endswith(ending):
            return surname[: -len(ending)] + feminine
    return surname


def ascii_login(first: str, last: str) -> str:
    """A worker login as institutions make them: anna.nowak (no diacritics, lower case)."""
    return f"{first}.{last}".translate(_ASCII).lower().replace(" ", "-")


def pesel(birth: date, serial: int, sex_digit: int) -> str:
    """A valid PESEL: birth date (century in the month), 3-digit serial, sex digit (odd: man), checksum."""
    month = birth.month + {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[birth.year // 100]
    body = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial:03d}{sex_digit}"
    check = (10 - sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 10) % 10
    return body + str(check)


@dataclass(frozen=True, slots=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date
    pesel: str
    male: bool
    phone: str
    email: str | None


def person(rng: random.Random, index: int, seed: int, today: date) -> Person:
    """The person of client `index`: unique PESEL for every index below PESEL_SLOTS whatever the birth year."""
    if index >= PESEL_SLOTS:
        raise ValueError(f"at most {PESEL_SLOTS} distinct people per data set")
    male = rng.random() < 0.53  # slightly more men among the registered long-term unemployed clients of OPS
    low, high, _ = rng.choices(_AGES, weights=[a[2] for a in _AGES])[0]
    year = today.year - rng.randint(low, high) - 1
    slot = (index * _STRIDE + seed * 104_729) % PESEL_SLOTS
    day, rest = divmod(slot, 5000)
    serial, sex_slot = divmod(rest, 5)
    birth = date(year, 1, 1) + timedelta(days=day)
    first = rng.choice(FIRST_MALE if male else FIRST_FEMALE)
    last = rng.choice(LAST_COMMON) if rng.random() < 0.45 else rng.choice(LAST_UNISEX)
    if not male:
        last = female_form(last)
    phone = f"+48 {rng.choice('5678')}{rng.randint(0, 99):02d} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"
    email = f"{ascii_login(first, last)}{rng.randint(1, 99)}@poczta.example.pl" if rng.random() < 0.6 else None
    return Person(first, last, birth, pesel(birth, serial, sex_slot * 2 + int(male)), male, phone, email)
