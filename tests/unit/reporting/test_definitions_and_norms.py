"""Indicator definitions and read-model norms are data: valid, versioned, applying from their dates."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.reporting.indicators.definitions import Definitions, load_definitions
from services.reporting.indicators.forms import ActivationForm as F
from services.reporting.norms import load_norms


def test_every_indicator_applies_by_now_with_a_basis_and_texts_in_both_languages() -> None:
    definitions = load_definitions()
    today = date(2026, 11, 1)
    assert [d.id for d in definitions.all_in_force(today)] == definitions.ids
    for d in definitions.indicator:
        assert all((d.legal_basis, d.definition_pl, d.definition_en, d.name_pl, d.name_en)), d.id


def test_the_version_in_force_follows_the_date_the_law_moved() -> None:
    definitions = load_definitions()
    before, after = definitions.in_force("activation_6m_all", date(2025, 5, 31)), definitions.in_force(
        "activation_6m_all", date(2025, 6, 1))
    assert before is not None
    assert after is not None
    assert (before.version, after.version) == (1, 2)
    assert "Dz.U. 2025 poz. 620" in after.legal_basis
    assert definitions.in_force("duplicates_avoided", date(2025, 5, 31)) is None  # R2 applies from 1 June 2025
    assert definitions.in_force("no_such_indicator", date(2026, 1, 1)) is None


def test_the_listed_forms_and_the_seed_references() -> None:
    definitions = load_definitions()
    on = date(2026, 1, 1)
    listed = definitions.in_force("activation_6m_listed", on)
    target = definitions.in_force("activation_6m_project_target", on)
    year = definitions.in_force("activation_12m_all", on)
    assert listed is not None
    assert target is not None
    assert year is not None
    assert set(listed.forms) == {F.SUBSIDISED_EMPLOYMENT, F.TRAINING, F.INTERVENTION_WORKS, F.PUBLIC_WORKS,
                                 F.SOCIALLY_USEFUL_WORKS, F.INTERNSHIP}
    assert listed.reference[0].value == 0.6143
    assert (target.target, set(target.forms)) == (0.30, {F.SOCIALLY_USEFUL_WORKS, F.INTERNSHIP, F.PUBLIC_WORKS,
                                                         F.EMPLOYMENT})
    assert (year.window_months, year.reference[0].numerator, year.reference[0].denominator) == (12, 42, 113)


def test_an_activation_indicator_without_forms_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs window_months and forms"):
        Definitions.model_validate({"indicator": [{
            "id": "broken", "version": 1, "applies_from": "2026-01-01", "kind": "activation", "unit": "share",
            "name_pl": "x", "name_en": "x", "definition_pl": "x", "definition_en": "x", "legal_basis": "x"}]})


def test_norms_of_the_cis_views() -> None:
    norms = load_norms()
    limit = norms.on("cis_participants_per_instructor", date(2026, 1, 1))
    assert limit.value == 5
    assert "art. 11 ust. 3" in limit.legal_basis
    assert norms.value("graduate_follow_up_months", date(2026, 1, 1)) == [3, 6, 12]
    assert norms.value("bonus_min_attendance", date(2026, 1, 1)) == 0.9
    with pytest.raises(KeyError, match="applies"):
        norms.on("ipzs_expiring_days", date(2020, 1, 1))
