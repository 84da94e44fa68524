"""The client record's decider: given events, when a command, then events (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas import clients as ev
from libs.events.schemas.common import Address, InstitutionKind, Period
from services.clients.domain import commands as cmd
from services.clients.domain.client import decider
from services.clients.domain.client_state import ClientState
from services.clients.domain.policies import AgreementTerms, RegionTerms

HOME = Address(gmina="Bytom", teryt="2462011", postal_code="41-900", city="Bytom", street="Rycerska",
               building="12")
PERSON = {"pesel": "44051401359", "first_name": "Jan", "last_name": "Kowalski", "birth_date": date(1944, 5, 14)}
BASIS = ev.LegalBasis(code="RODO-6-1-e", text="art. 6 ust. 1 lit. e RODO", applies_from=date(2018, 5, 25))
TODAY = date(2026, 11, 23)


def register(institution: str, kind: InstitutionKind, client_id: uuid.UUID | None = None) -> cmd.RegisterClient:
    return cmd.RegisterClient(client_id=client_id or uuid.uuid4(), institution_id=institution, institution_kind=kind,
                              identity=cmd.ValidIdentity(**PERSON), address=HOME, registered_on=date(2026, 11, 2))


def given(*commands: BaseModel) -> ClientState:
    state = decider.initial()
    for command in commands:
        state = decider.fold(decider.decide(command, state), state)
    return state


def agreement(requires_consent: bool = False, valid: Period | None = None, **kw: object) -> AgreementTerms:
    return AgreementTerms(agreement_id=uuid.UUID(int=1), pup_institution_id="PUP-2462",
                          ops_institution_id="MOPS-2462", valid=valid or Period(from_=date(2026, 1, 1)),
                          legal_basis=BASIS, requires_consent=requires_consent, **kw)


SHARED_AT_BOTH = (register("PUP-2462", InstitutionKind.PUP), register("MOPS-2462", InstitutionKind.OPS))


def test_first_registration_creates_the_record() -> None:
    command = register("PUP-2462", InstitutionKind.PUP)
    [event] = decider.decide(command, decider.initial())
    assert isinstance(event, ev.ClientRegistered)
    assert event.client_id == command.client_id
    assert decider.fold([event]).registrations.keys() == {"PUP-2462"}


def test_registration_at_a_second_institution_joins_the_same_record() -> None:
    state = given(register("PUP-2462", InstitutionKind.PUP))
    [second] = decider.decide(register("MOPS-2462", InstitutionKind.OPS), state)
    assert isinstance(second, ev.ClientRegistered)
    assert second.client_id == state.client_id
    assert set(decider.fold([second], state).registrations) == {"PUP-2462", "MOPS-2462"}


def test_registering_twice_at_one_institution_is_refused_naming_the_client() -> None:
    state = given(register("PUP-2462", InstitutionKind.PUP))
    with pytest.raises(DomainError) as refused:
        decider.decide(register("PUP-2462", InstitutionKind.PUP), state)
    assert refused.value.details["existing_client_id"] == state.client_id


def test_moving_records_the_new_address_once_and_only_by_an_institution_of_the_client() -> None:
    state = given(register("PUP-2462", InstitutionKind.PUP))
    elsewhere = HOME.model_copy(update={"postal_code": "41-902"})
    [moved] = decider.decide(cmd.ChangeAddress(institution_id="PUP-2462", address=elsewhere), state)
    assert isinstance(moved, ev.ClientAddressChanged)
    assert decider.decide(cmd.ChangeAddress(institution_id="PUP-2462", address=elsewhere),
                          decider.fold([moved], state)) == []
    with pytest.raises(Forbidden):
        decider.decide(cmd.ChangeAddress(institution_id="MOPS-9999", address=elsewhere), state)
    with pytest.raises(DomainError):
        decider.decide(cmd.ChangeAddress(institution_id="PUP-2462", address=elsewhere), decider.initial())


@pytest.mark.parametrize(("change", "message"), [
    ({"pesel": "44051401358"}, "checksum"),
    ({"birth_date": date(1944, 5, 15)}, "encodes birth date 1944-05-14"),
    ({"pesel": None}, "either pesel or document"),
])
def test_identity_needs_a_valid_pesel_matching_the_birth_date_or_a_document(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        cmd.ValidIdentity(**{**PERSON, **change})


def test_a_person_without_pesel_is_identified_by_document() -> None:
    identity = cmd.ValidIdentity(**{**PERSON, "pesel": None, "document": {"type": "passport", "number": "AB123456"}})
    assert identity.identity_key() == "DOC:passport:AB123456"


def test_profile_updates_only_the_changed_sections_and_addiction_is_not_for_the_pup() -> None:
    state = given(*SHARED_AT_BOTH)
    education = ev.Education(level=ev.EducationLevel.VOCATIONAL, profession="ślusarz")
    update = cmd.UpdateProfile(institution_id="PUP-2462", institution_kind=InstitutionKind.PUP, education=education)
    [event] = decider.decide(update, state)
    assert isinstance(event, ev.ClientProfileUpdated)
    assert event.household is None
    state = decider.fold([event], state)
    assert decider.decide(update, state) == []  # nothing new
    with pytest.raises(Forbidden, match="addiction"):
        decider.decide(cmd.UpdateProfile(institution_id="PUP-2462", institution_kind=InstitutionKind.PUP,
                                         addiction=ev.Addiction(kinds=("alcohol",))), state)
    [ops_update] = decider.decide(cmd.UpdateProfile(institution_id="MOPS-2462", institution_kind=InstitutionKind.OPS,
                                                    addiction=ev.Addiction(kinds=("alcohol",))), state)
    assert decider.fold([ops_update], state).profile.education == education


def test_only_the_pup_deregisters_and_a_deregistration_needs_a_reason() -> None:
    state = given(*SHARED_AT_BOTH)
    deregister = cmd.ChangeUnemploymentStatus(
        institution_id="PUP-2462", institution_kind=InstitutionKind.PUP, status=ev.UnemploymentStatus.DEREGISTERED,
        reason=ev.DeregistrationReason.REFUSED_OFFER, effective_on=TODAY)
    [event] = decider.decide(deregister, state)
    assert isinstance(event, ev.UnemploymentStatusChanged)
    with pytest.raises(Forbidden):
        decider.decide(deregister.model_copy(update={"institution_id": "MOPS-2462",
                                                     "institution_kind": InstitutionKind.OPS}), state)
    with pytest.raises(DomainError, match="reason"):
        decider.decide(deregister.model_copy(update={"reason": None}), state)


def test_benefits_are_granted_suspended_and_ended_by_the_granting_institution() -> None:
    state = given(*SHARED_AT_BOTH)
    benefit_id = uuid.uuid4()
    grant = cmd.GrantBenefit(benefit_id=benefit_id, institution_id="MOPS-2462", institution_kind=InstitutionKind.OPS,
                             kind="zasiłek okresowy", basis=ev.BenefitBasis.UNEMPLOYMENT,
                             monthly_amount=Decimal("418.00"), period=Period(from_=date(2026, 11, 1)))
    state = decider.fold(decider.decide(grant, state), state)
    with pytest.raises(DomainError):
        decider.decide(grant, state)
    with pytest.raises(Forbidden):
        decider.decide(cmd.EndBenefit(benefit_id=benefit_id, institution_id="PUP-2462", ended_on=TODAY,
                                      reason="x"), state)
    state = decider.fold(decider.decide(cmd.EndBenefit(benefit_id=benefit_id, institution_id="MOPS-2462",
                                                       ended_on=TODAY, reason="basis lost"), state), state)
    assert state.benefits[benefit_id].status == "ended"


def test_a_client_of_both_institutions_with_an_agreement_is_shared_once() -> None:
    state = given(*SHARED_AT_BOTH)
    evaluate = cmd.EvaluateSharing(agreements=(agreement(),), today=TODAY)
    [shared] = decider.decide(evaluate, state)
    assert isinstance(shared, ev.SharedClientIdentified)
    assert shared.basis == ev.SharingBasis.LEGAL_BASIS
    assert decider.decide(evaluate, decider.fold([shared], state)) == []


def test_no_sharing_without_an_agreement_in_force_or_at_one_institution_only() -> None:
    assert decider.decide(cmd.EvaluateSharing(agreements=(agreement(),), today=TODAY),
                          given(register("PUP-2462", InstitutionKind.PUP))) == []
    future = agreement(valid=Period(from_=date(2027, 1, 1)))
    assert decider.decide(cmd.EvaluateSharing(agreements=(future,), today=TODAY), given(*SHARED_AT_BOTH)) == []


def test_consent_based_sharing_starts_with_consent_and_stops_when_it_is_withdrawn() -> None:
    consent_id = uuid.uuid4()
    terms = (agreement(requires_consent=True),)
    state = given(*SHARED_AT_BOTH)
    assert decider.decide(cmd.EvaluateSharing(agreements=terms, today=TODAY), state) == []
    state = given(*SHARED_AT_BOTH, cmd.GiveConsent(consent_id=consent_id, institution_id="MOPS-2462",
                                                   institutions=("PUP-2462", "MOPS-2462"), purpose="PZW",
                                                   given_on=TODAY))
    [shared] = decider.decide(cmd.EvaluateSharing(agreements=terms, today=TODAY), state)
    assert isinstance(shared, ev.SharedClientIdentified)
    assert shared.consent_id == consent_id
    state = decider.fold([shared], state)
    state = decider.fold(decider.decide(cmd.WithdrawConsent(consent_id=consent_id, institution_id="PUP-2462",
                                                            withdrawn_on=TODAY), state), state)
    [stopped] = decider.decide(cmd.EvaluateSharing(agreements=terms, today=TODAY), state)
    assert isinstance(stopped, ev.SharedClientSharingStopped)


def region(region_id: int, area: ev.RegionArea, broker: str = "broker", priority: int = 100) -> RegionTerms:
    return RegionTerms(region_id=uuid.UUID(int=region_id), pup_institution_id="PUP-2462",
                       ops_institution_id="MOPS-2462", area=area, priority=priority,
                       workers=ev.CaseWorkers(job_broker=broker, social_worker="social"))


def test_the_most_specific_region_wins_and_workers_are_assigned() -> None:
    whole_gmina = region(1, ev.RegionArea(gminas=("2462011",)))
    street = region(2, ev.RegionArea(streets=(ev.StreetRange(city="Bytom", street="Rycerska", from_number=1,
                                                             to_number=20),)), broker="street-broker")
    state = given(register("PUP-2462", InstitutionKind.PUP))
    assigned, workers = decider.decide(cmd.AssignRegions(regions=(whole_gmina, street),
                                                         reason=ev.AssignmentReason.ADDRESS), state)
    assert isinstance(assigned, ev.ClientAssignedToRegion)
    assert assigned.region_id == street.region_id
    assert isinstance(workers, ev.CaseWorkersAssigned)
    assert workers.workers.job_broker == "street-broker"
    state = decider.fold([assigned, workers], state)
    assert decider.decide(cmd.AssignRegions(regions=(whole_gmina, street), reason=ev.AssignmentReason.ADDRESS),
                          state) == []
    # the street region is removed: the client falls back to the gmina region
    [moved, new_workers] = decider.decide(cmd.AssignRegions(regions=(whole_gmina,),
                                                            reason=ev.AssignmentReason.REGION_CHANGED), state)
    assert isinstance(moved, ev.ClientAssignedToRegion)
    assert moved.region_id == whole_gmina.region_id
    assert isinstance(new_workers, ev.CaseWorkersAssigned)
    # no region of the pair at all: unassigned
    [unassigned] = decider.decide(cmd.AssignRegions(regions=(), reason=ev.AssignmentReason.REGION_CHANGED),
                                  decider.fold([moved, new_workers], state))
    assert isinstance(unassigned, ev.ClientAssignedToRegion)
    assert unassigned.region_id is None


def test_a_handover_changes_only_the_workers() -> None:
    before = region(1, ev.RegionArea(postal_codes=("41-900",)))
    state = given(register("PUP-2462", InstitutionKind.PUP),
                  cmd.AssignRegions(regions=(before,), reason=ev.AssignmentReason.ADDRESS))
    after = region(1, ev.RegionArea(postal_codes=("41-900",)), broker="successor")
    [workers] = decider.decide(cmd.AssignRegions(regions=(after,), reason=ev.AssignmentReason.HANDOVER), state)
    assert isinstance(workers, ev.CaseWorkersAssigned)
    assert workers.reason == ev.AssignmentReason.HANDOVER
    assert workers.workers.job_broker == "successor"
