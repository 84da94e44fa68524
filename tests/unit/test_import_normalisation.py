"""Normalisation of import values: Polish labels, dates, amounts, codes and names (no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from libs.events.schemas.clients import BenefitBasis, DeregistrationReason, EducationLevel, IncomeSource
from services.clients.importing import vocabulary as v


@pytest.mark.parametrize(("label", "expected"), [
    ("zasadnicze zawodowe", EducationLevel.VOCATIONAL), ("Średnie ogólnokształcące", EducationLevel.GENERAL_SECONDARY),
    ("srednie ogolnoksztalcace", EducationLevel.GENERAL_SECONDARY), ("WYŻSZE", EducationLevel.HIGHER),
    ("general_secondary", EducationLevel.GENERAL_SECONDARY), ("policealne i średnie zawodowe",
                                                             EducationLevel.VOCATIONAL_SECONDARY)])
def test_education_labels(label: str, expected: EducationLevel) -> None:
    assert v.code(label, v.EDUCATION) == expected


def test_other_vocabularies() -> None:
    assert v.code("odmowa przyjęcia propozycji", v.REASON) == DeregistrationReason.REFUSED_OFFER
    assert v.code(" Podjęcie pracy ", v.REASON) == DeregistrationReason.TOOK_WORK
    assert v.code("ubóstwo", v.BASIS) == BenefitBasis.POVERTY
    assert v.code("bezradność opiekuńczo-wychowawcza", v.BASIS) == BenefitBasis.FAMILY
    assert v.code("stypendium stażowe", v.INCOME) == IncomeSource.INTERNSHIP_STIPEND


def test_unknown_labels_are_left_for_validation_to_name() -> None:
    assert v.code(" magister ", v.EDUCATION) == "magister"
    assert v.code(3, v.EDUCATION) == 3
    assert v.boolean("może") == "może"


@pytest.mark.parametrize(("cell", "expected"), [("T", True), ("tak", True), ("1", True), ("N", False),
                                                 ("Nie", False), ("oświadczenie", True), ("ewidencja", False)])
def test_booleans(cell: str, expected: bool) -> None:
    assert v.boolean(cell) is expected


def test_dates() -> None:
    assert v.day("09.10.2026") == date(2026, 10, 9)
    assert v.day("9.1.2026") == date(2026, 1, 9)
    assert v.day(" 2026-10-09 ") == "2026-10-09"
    assert v.day("2026-10-09T08:00:00+01:00") == "2026-10-09"
    assert v.day("31.02.2026") == "31.02.2026"  # not a date: validation names the field


def test_amounts() -> None:
    assert v.amount("1 304,70") == Decimal("1304.70")
    assert v.amount("1\u00a0304,70 zł") == Decimal("1304.70")
    assert v.amount("418.5") == Decimal("418.5")
    assert v.amount(418.1) == Decimal("418.1")
    assert v.amount("dużo") == "dużo"


def test_codes_and_names() -> None:
    assert v.postal_code("41100") == "41-100"
    assert v.postal_code(" 41-100 ") == "41-100"
    assert v.digits("2473 011") == "2473011"
    assert v.digits(44051401359) == "44051401359"
    assert v.name("  JAN   MARIA ") == "Jan Maria"
    assert v.name("KOWALSKA-NOWAK") == "Kowalska-Nowak"
    assert v.name("McDonald") == "McDonald"
    assert v.text("   ") is None
    assert v.street("ul. Jana Pawła II") == "Jana Pawła II"
    assert v.street("Ul.Polna") == "Polna"
    assert v.street("al. Korfantego") == "al. Korfantego"
    assert v.street("Ułańska") == "Ułańska"
    assert v.document_number("ec 123-456") == "EC123456"


def test_fold_ignores_case_diacritics_and_separators() -> None:
    assert v.fold("Miejscowość") == "miejscowosc"
    assert v.fold("Kod_pocztowy") == v.fold("kod pocztowy") == v.fold("KOD-POCZTOWY")
    assert v.fold("Łódź") == "lodz"
