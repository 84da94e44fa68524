"""Polish labels of the source systems mapped to the platform's codes, and lenient parsing of cell values.

Every function here leaves a value it does not recognise as it is, so that validation names the field and says
what is expected instead of the normaliser guessing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from libs.events.schemas.clients import (
    BenefitBasis,
    DeregistrationReason,
    DocumentType,
    EducationLevel,
    IncomeSource,
    UnemploymentStatus,
)

_LATIN = str.maketrans({"ł": "l", "Ł": "l", "_": " ", "-": " ", ".": " "})


@functools.lru_cache(maxsize=4096)  # exports repeat the same labels on every row
def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: the form labels and column names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN).lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _table(enum: type[StrEnum], labels: Mapping[str, StrEnum]) -> dict[str, StrEnum]:
    table: dict[str, StrEnum] = {fold(member.value): member for member in enum}
    table.update({fold(label): member for label, member in labels.items()})
    return table


EDUCATION = _table(EducationLevel, {
    "brak": EducationLevel.NONE, "bez wykształcenia": EducationLevel.NONE,
    "niepełne podstawowe": EducationLevel.NONE, "podstawowe": EducationLevel.PRIMARY,
    "gimnazjalne": EducationLevel.LOWER_SECONDARY, "gimnazjalne i poniżej": EducationLevel.LOWER_SECONDARY,
    "zasadnicze zawodowe": EducationLevel.VOCATIONAL, "zasadnicze": EducationLevel.VOCATIONAL,
    "branżowe": EducationLevel.VOCATIONAL, "zasadnicze branżowe": EducationLevel.VOCATIONAL,
    "średnie ogólnokształcące": EducationLevel.GENERAL_SECONDARY, "ogólnokształcące": EducationLevel.GENERAL_SECONDARY,
    "policealne i średnie zawodowe": EducationLevel.VOCATIONAL_SECONDARY,
    "średnie zawodowe": EducationLevel.VOCATIONAL_SECONDARY, "policealne": EducationLevel.VOCATIONAL_SECONDARY,
    "średnie branżowe": EducationLevel.VOCATIONAL_SECONDARY, "wyższe": EducationLevel.HIGHER,
})
STATUS = _table(UnemploymentStatus, {
    "zarejestrowany": UnemploymentStatus.REGISTERED, "zarejestrowana": UnemploymentStatus.REGISTERED,
    "bezrobotny": UnemploymentStatus.REGISTERED, "bezrobotna": UnemploymentStatus.REGISTERED,
    "wyrejestrowany": UnemploymentStatus.DEREGISTERED, "wyrejestrowana": UnemploymentStatus.DEREGISTERED,
})
REASON = _table(DeregistrationReason, {
    "odmowa przyjęcia propozycji": DeregistrationReason.REFUSED_OFFER,
    "odmowa": DeregistrationReason.REFUSED_OFFER,
    "niepotwierdzenie gotowości": DeregistrationReason.NO_READINESS_CONFIRMATION,
    "niestawiennictwo": DeregistrationReason.NO_READINESS_CONFIRMATION,
    "podjęcie pracy": DeregistrationReason.TOOK_WORK, "podjęcie zatrudnienia": DeregistrationReason.TOOK_WORK,
    "na własny wniosek": DeregistrationReason.OWN_REQUEST, "własny wniosek": DeregistrationReason.OWN_REQUEST,
    "inna": DeregistrationReason.OTHER, "inny": DeregistrationReason.OTHER,
})
BASIS = _table(BenefitBasis, {
    "bezrobocie": BenefitBasis.UNEMPLOYMENT, "ubóstwo": BenefitBasis.POVERTY,
    "niepełnosprawność": BenefitBasis.DISABILITY, "rodzina": BenefitBasis.FAMILY,
    "bezradność opiekuńczo-wychowawcza": BenefitBasis.FAMILY, "wielodzietność": BenefitBasis.FAMILY,
    "bezdomność": BenefitBasis.HOMELESSNESS, "uzależnienie": BenefitBasis.ADDICTION,
    "alkoholizm": BenefitBasis.ADDICTION, "narkomania": BenefitBasis.ADDICTION,
    "inna": BenefitBasis.OTHER, "inne": BenefitBasis.OTHER,
})
INCOME = _table(IncomeSource, {
    "zatrudnienie": IncomeSource.EMPLOYMENT, "praca": IncomeSource.EMPLOYMENT,
    "wynagrodzenie": IncomeSource.EMPLOYMENT, "stypendium stażowe": IncomeSource.INTERNSHIP_STIPEND,
    "staż": IncomeSource.INTERNSHIP_STIPEND, "dodatek szkoleniowy": IncomeSource.TRAINING_ALLOWANCE,
    "stypendium szkoleniowe": IncomeSource.TRAINING_ALLOWANCE,
    "zasiłek dla bezrobotnych": IncomeSource.UNEMPLOYMENT_BENEFIT,
    "świadczenie z pomocy społecznej": IncomeSource.SOCIAL_BENEFIT,
    "świadczenie społeczne": IncomeSource.SOCIAL_BENEFIT, "pomoc społeczna": IncomeSource.SOCIAL_BENEFIT,
    "inne": IncomeSource.OTHER, "inny": IncomeSource.OTHER,
})
DOCUMENT = _table(DocumentType, {
    "dowód osobisty": DocumentType.ID_CARD, "dowód": DocumentType.ID_CARD, "paszport": DocumentType.PASSPORT,
    "karta pobytu": DocumentType.RESIDENCE_CARD, "inny": DocumentType.OTHER, "inny dokument": DocumentType.OTHER,
})
_TRUE = {"t", "tak", "true", "1", "y", "yes", "prawda"}
_FALSE = {"n", "nie", "false", "0", "no", "falsz"}
# Who said it, for incomes: the client's own statement (oświadczenie) or the institution's records (ewidencja).
DECLARED = {"oswiadczenie": True, "klient": True, "ewidencja": False, "urzad": False, "instytucja": False}


def code(value: Any, table: Mapping[str, StrEnum]) -> Any:
    """The code of a Polish label or code (any case, with or without diacritics); anything else unchanged."""
    if isinstance(value, str):
        return table.get(fold(value), value.strip())
    return value


def boolean(value: Any) -> Any:
    """T/N, tak/nie, true/false, 1/0 as a boolean; an unknown word unchanged."""
    if isinstance(value, str):
        folded = fold(value)
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        if folded in DECLARED:
            return DECLARED[folded]
    return value


_DMY = re.compile(r"^(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})$")


def day(value: Any) -> Any:
    """A date from YYYY-MM-DD or the Polish DD.MM.YYYY; anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    match = _DMY.match(text)
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return text
    return text[:10] if len(text) > 10 and text[10] in "T " else text


def amount(value: Any) -> Any:
    """A decimal from "1 200,50", "1200.50" or a JSON number; anything else unchanged."""
    if isinstance(value, float):
        return Decimal(str(value))  # via str: 418.1 stays 418.1, not its binary approximation
    if not isinstance(value, str):
        return value
    text = value.replace("\u00a0", "").replace(" ", "").replace("zł", "").replace("PLN", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return value.strip()


def postal_code(value: Any) -> Any:
    """41-100 from "41100" or " 41-100 "; anything else unchanged."""
    if isinstance(value, str):
        text = value.strip()
        return f"{text[:2]}-{text[2:]}" if len(text) == 5 and text.isdigit() else text
    return value


def digits(value: Any) -> Any:
    """Digits without spaces (PESEL, TERYT); anything else unchanged."""
    if isinstance(value, str):
        text = "".join(value.split())
        return text if text.isdigit() else value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def text(value: Any) -> Any:
    """Trimmed text with single spaces; "" becomes None (an empty cell is no value)."""
    if isinstance(value, str):
        cleaned = " ".join(value.split())
        return cleaned or None
    return value


def name(value: Any) -> Any:
    """A person's name: trimmed; ALL CAPS exports (common in legacy systems) become Title Case."""
    cleaned = text(value)
    if isinstance(cleaned, str) and cleaned.isupper():
        return cleaned.title()
    return cleaned


def street(value: Any) -> Any:
    """A street without the "ul." prefix ("al.", "pl.", "os." carry meaning and stay)."""
    cleaned = text(value)
    if isinstance(cleaned, str) and fold(cleaned[:3]) == "ul":
        return cleaned[3:].strip() or None
    return cleaned


def document_number(value: Any) -> Any:
    """Upper case, no spaces or dashes (ABC 123456 -> ABC123456)."""
    if isinstance(value, str):
        return "".join(value.split()).replace("-", "").upper() or None
    return value
