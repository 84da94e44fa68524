"""Property tests of the client record: any accepted command sequence keeps the invariants, and replaying the
events gives the same state however the history is folded."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from libs.events.decider import DomainError, Forbidden
from libs.events.schemas import clients as ev
from libs.events.schemas.common import Address, InstitutionKind, Period
from services.clients.domain import commands as cmd
from services.clients.domain.client import decider
from services.clients.domain.policies import AgreementTerms, RegionTerms

INSTITUTIONS = {"PUP-1": InstitutionKind.PUP, "PUP-2": InstitutionKind.PUP, "MOPS-1": InstitutionKind.OPS,
                "CIS-1": InstitutionKind.CIS}
PERSON = cmd.ValidIdentity(pesel="44051401359", first_name="Jan", last_name="Kowalski", birth_date=date(1944, 5, 14))
BASIS = ev.LegalBasis(code="X", text="x", applies_from=date(2020, 1, 1))
ADDRESSES = [Address(gmina="Bytom", teryt="2462011", postal_code=code, city="Bytom", street="Rycerska",
                     building=str(n)) for n, code in enumerate(("41-900", "41-902", "41-905"), 1)]
AGREEMENTS = [AgreementTerms(agreement_id=uuid.UUID(int=1), pup_institution_id="PUP-1", ops_institution_id="MOPS-1",
                             valid=Period(from_=date(2026, 1, 1)), legal_basis=BASIS),
              AgreementTerms(agreement_id=uuid.UUID(int=2), pup_institution_id="PUP-2", ops_institution_id="MOPS-1",
                             valid=Period(from_=date(2026, 1, 1)), legal_basis=BASIS, requires_consent=True)]
REGIONS = [RegionTerms(region_id=uuid.UUID(int=10 + n), pup_institution_id=pup, ops_institution_id="MOPS-1",
                       area=ev.RegionArea(postal_codes=(code,)),
                       workers=ev.CaseWorkers(job_broker=f"broker-{n}", social_worker=f"social-{n}"))
           for n, (pup, code) in enumerate((("PUP-1", "41-900"), ("PUP-1", "41-902"), ("PUP-2", "41-905")))]

institution = st.sampled_from(sorted(INSTITUTIONS))
commands = st.one_of(
    st.builds(lambda i: cmd.RegisterClient(client_id=uuid.uuid4(), institution_id=i, institution_kind=INSTITUTIONS[i],
                                           identity=PERSON, address=ADDRESSES[0], registered_on=date(2026, 2, 1)),
              institution),
    st.builds(lambda i, a: cmd.ChangeAddress(institution_id=i, address=a), institution, st.sampled_from(ADDRESSES)),
    st.builds(lambda i, n: cmd.GiveConsent(consent_id=uuid.UUID(int=100 + n), institution_id=i,
                                           institutions=("PUP-2", "MOPS-1"), purpose="PZW", given_on=date(2026, 3, 1)),
              institution, st.integers(0, 2)),
    st.builds(lambda i, n: cmd.WithdrawConsent(consent_id=uuid.UUID(int=100 + n), institution_id=i,
                                               withdrawn_on=date(2026, 4, 1)), institution, st.integers(0, 2)),
    st.builds(lambda i, n: cmd.GrantBenefit(benefit_id=uuid.UUID(int=200 + n), institution_id=i,
                                            institution_kind=INSTITUTIONS[i], kind="zasiłek",
                                            basis=ev.BenefitBasis.UNEMPLOYMENT, monthly_amount=Decimal("100"),
                                            period=Period(from_=date(2026, 1, 1))), institution, st.integers(0, 2)),
    st.builds(lambda i, n: cmd.EndBenefit(benefit_id=uuid.UUID(int=200 + n), institution_id=i,
                                          ended_on=date(2026, 5, 1), reason="koniec"), institution, st.integers(0, 2)),
    st.builds(lambda i, s: cmd.ChangeUnemploymentStatus(
        institution_id=i, institution_kind=INSTITUTIONS[i], status=s,
        reason=ev.DeregistrationReason.TOOK_WORK if s == ev.UnemploymentStatus.DEREGISTERED else None,
        effective_on=date(2026, 6, 1)), institution, st.sampled_from(list(ev.UnemploymentStatus))),
)


def run(sequence: list[BaseModel]) -> list[BaseModel]:
    """Apply each command as the service does (then its policies); refused commands change nothing."""
    events: list[BaseModel] = []
    state = decider.initial()
    for command in sequence:
        try:
            decided = list(decider.decide(command, state))
        except (DomainError, Forbidden):
            continue
        state = decider.fold(decided, state)
        if state.exists:
            sharing = list(decider.decide(cmd.EvaluateSharing(agreements=tuple(AGREEMENTS), today=date(2026, 6, 1)),
                                          state))
            state = decider.fold(sharing, state)
            assignment = list(decider.decide(cmd.AssignRegions(regions=tuple(REGIONS),
                                                               reason=ev.AssignmentReason.ADDRESS), state))
            state = decider.fold(assignment, state)
            decided += sharing + assignment
        events += decided
    return events


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, max_size=25), st.integers(0, 25))
def test_replay_is_deterministic_and_invariants_hold(sequence: list[BaseModel], split: int) -> None:
    events = run(sequence)
    state = decider.fold(events)
    # Folding in two parts, or from the JSON round trip of every event, gives the same state.
    assert decider.fold(events[split:], decider.fold(events[:split])) == state
    assert decider.fold([type(e).model_validate_json(e.model_dump_json()) for e in events]) == state
    registrations = [e.institution_id for e in events if isinstance(e, ev.ClientRegistered)]
    assert len(registrations) == len(set(registrations)), "registered twice at one institution"
    for (pup, ops), sharing in state.sharing.items():
        assert pup in state.registrations, "shared without a PUP registration"
        assert ops in state.registrations, "shared without an OPS registration"
        if sharing.basis == ev.SharingBasis.CONSENT:
            consent = state.consents[sharing.consent_id]  # type: ignore[index]
            assert consent.active, "sharing still rests on a withdrawn consent"
    for (pup, ops), assignment in state.assignments.items():
        assert {pup, ops} & set(state.registrations), "assigned to a pair the client is no client of"
        if assignment.region_id is not None:
            region = next(r for r in REGIONS if r.region_id == assignment.region_id)
            assert state.address is not None
            assert state.address.postal_code in region.area.postal_codes, "region does not cover the address"
            assert assignment.workers == region.workers
    for benefit in state.benefits.values():
        assert benefit.institution_id in state.registrations
