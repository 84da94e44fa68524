"""How a client's plan ends: activation through an instrument or a referral, a refusal, a move, dropping out.

Some endings carry the facts that the conflict rules watch for (docs/conflicts.md): a refused offer followed by a
deregistration while the OPS pays a benefit because of unemployment (R1), an internship stipend known to the PUP
while the client declared no income to the OPS (R3).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from libs.events.ids import derived_id
from libs.events.schemas import clients as c
from libs.events.schemas import matching as m
from libs.events.schemas import plans as p
from libs.events.schemas.common import InstitutionKind, Period
from tools.demo_data import texts

if TYPE_CHECKING:
    from tools.demo_data.network import Offer
    from tools.demo_data.story import Story

_DURATION = {p.Instrument.TRAINING: (20, 45), p.Instrument.PUBLIC_WORKS: (3, 10),
             p.Instrument.INTERVENTION_WORKS: (3, 10), p.Instrument.SOCIALLY_USEFUL_WORKS: (3, 10),
             p.Instrument.SUBSIDISED_EMPLOYMENT: (10, 30), p.Instrument.CAREER_COUNSELLING: (5, 20)}
_WORK = {p.PlanOutcome.EMPLOYMENT, p.PlanOutcome.SUBSIDISED_EMPLOYMENT, p.PlanOutcome.INTERVENTION_WORKS,
         p.PlanOutcome.PUBLIC_WORKS}


def play_outcome(s: Story, outcome: p.PlanOutcome | None, instrument: p.Instrument | None) -> None:
    """The rest of the story from the end of the preparation to the plan's closing."""
    if outcome is None:  # still under way: a training booked, not finished when the data set ends
        s.step(s.broker, p.Instrument.TRAINING, days=(20, 45), complete=False, funded_by=s.pair.pup)
        return
    if outcome is p.PlanOutcome.DROPPED_OUT:
        _drop_out(s)
        return
    if outcome is p.PlanOutcome.MOVED_AWAY:
        s.after(10, 60)
        s.emit("clients", "client", s.client_id, s.social, c.ClientAddressChanged(
            client_id=s.client_id, address=s.elsewhere()), c.ClientAssignedToRegion(
            client_id=s.client_id, pup_institution_id=s.pair.pup, ops_institution_id=s.pair.ops, region_id=None,
            reason=c.AssignmentReason.ADDRESS), derived=(False, True))
        close(s, outcome, by_ops=True)
        return
    if outcome in (p.PlanOutcome.OTHER, p.PlanOutcome.OWN_BUSINESS):
        s.after(20, 60)
        if outcome is p.PlanOutcome.OWN_BUSINESS:
            deregister(s, c.DeregistrationReason.TOOK_WORK)
        close(s, outcome)
        return
    assert instrument is not None
    if s.rng.random() < 0.16 and _refused_first_offer(s):
        return
    if instrument is p.Instrument.JOB_OFFER:
        referral_id, _ = refer(s, s.offer(m.OfferKind.JOB_OFFER))
        s.after(5, 20)
        record_outcome(s, referral_id, s.offer(m.OfferKind.JOB_OFFER), m.ReferralOutcome.EMPLOYED)
    elif instrument is p.Instrument.INTERNSHIP:
        offer = s.offer(m.OfferKind.INTERNSHIP)
        referral_id, step_id = refer(s, offer)
        s.after(3, 14)
        record_outcome(s, referral_id, offer, m.ReferralOutcome.ACCEPTED)
        s.after(7, 21)
        s.plan(s.broker, p.PlanStepCompleted(**s.keys, step_id=step_id, completed_on=s.day,
                                             outcome="rozpoczęcie stażu u pracodawcy"))
        s.emit("clients", "client", s.client_id, s.broker, c.IncomeDeclared(
            client_id=s.client_id, institution_id=s.pair.pup, source=c.IncomeSource.INTERNSHIP_STIPEND,
            monthly_amount=Decimal("1994.40"), period=Period(from_=s.day, to=s.day + timedelta(days=180)),
            declared_by_client=False))
    else:
        s.step(s.broker, instrument, days=_DURATION[instrument], funded_by=s.pair.pup)
    s.after(0, 5)
    close(s, outcome)
    if outcome in _WORK:
        deregister(s, c.DeregistrationReason.TOOK_WORK)
        if s.benefit is not None and s.benefit.period.contains(s.day):
            s.emit("clients", "client", s.client_id, s.social, c.BenefitEnded(
                client_id=s.client_id, benefit_id=s.benefit.benefit_id, institution_id=s.pair.ops, ended_on=s.day,
                reason="podjęcie zatrudnienia"))


def _drop_out(s: Story) -> None:
    """No show at a booked training, then the PUP deregisters the client for not confirming readiness."""
    if s.prep_done:
        step_id = s.step(s.broker, p.Instrument.TRAINING, days=(20, 45), complete=False, funded_by=s.pair.pup)
        s.after(3, 14)
        s.plan(s.broker, p.PlanStepFailed(**s.keys, step_id=step_id, failed_on=s.day, reason=p.StepFailure.NO_SHOW,
                                          note=texts.pick(s.rng, texts.FAILURE_NOTES, first=s.person.first_name)))
    s.after(1, 10)
    deregister(s, c.DeregistrationReason.NO_READINESS_CONFIRMATION)
    close(s, p.PlanOutcome.DROPPED_OUT)


def _refused_first_offer(s: Story) -> bool:
    """A job offer refused; sometimes the PUP deregisters (R1 when an OPS benefit for unemployment runs)."""
    offer = s.offer(m.OfferKind.JOB_OFFER)
    referral_id, _ = refer(s, offer)
    s.after(3, 10)
    record_outcome(s, referral_id, offer, m.ReferralOutcome.REFUSED,
                   note=texts.pick(s.rng, texts.FAILURE_NOTES, first=s.person.first_name))
    if s.rng.random() < 0.5 + s.conflict_rate:
        s.after(1, 7)
        deregister(s, c.DeregistrationReason.REFUSED_OFFER)
        close(s, p.PlanOutcome.DROPPED_OUT)
        return True
    s.after(7, 21)
    return False


def refer(s: Story, offer: Offer) -> tuple[object, object]:
    """A referral (skierowanie) to an offer; the matching service's process manager adds and schedules the step."""
    referral_id = s.new_id()
    step_id = derived_id("referral-step", referral_id)
    s.emit("matching", "referral", referral_id, s.broker, m.ReferralIssued(
        referral_id=referral_id, client_id=s.client_id, offer_id=offer.offer_id, plan_id=s.plan_id, step_id=step_id,
        institution_id=s.pair.pup, issued_by=s.broker.user, issued_on=s.day))
    period = Period(from_=s.start, to=s.end + timedelta(days=90))
    s.plan(s.broker, p.PlanStepAdded(
        **s.keys, step_id=step_id, owner=p.PlanParty(institution_id=s.pair.pup, institution_kind=InstitutionKind.PUP,
                                                     worker=s.broker.user),
        instrument=offer.instrument, category=p.INSTRUMENT_CATEGORY[offer.instrument], social_preparation=False,
        title=f"Skierowanie: {offer.title}"[:300], planned=period, funded_by=s.pair.pup), derived=True)
    s.plan(s.broker, p.PlanStepScheduled(**s.keys, step_id=step_id, scheduled=period), derived=True)
    return referral_id, step_id


def record_outcome(s: Story, referral_id: object, offer: Offer, outcome: m.ReferralOutcome,
                   note: str | None = None) -> None:
    """The referral's outcome; a refusal or an employment ends the plan step (through the process manager)."""
    s.emit("matching", "referral", referral_id, s.broker, m.ReferralOutcomeRecorded(  # type: ignore[arg-type]
        referral_id=referral_id, client_id=s.client_id, offer_id=offer.offer_id, outcome=outcome, recorded_on=s.day,
        note=note))
    step_id = derived_id("referral-step", referral_id)
    if outcome is m.ReferralOutcome.REFUSED:
        s.plan(s.broker, p.PlanStepFailed(**s.keys, step_id=step_id, failed_on=s.day, reason=p.StepFailure.REFUSED,
                                          note=note), derived=True)
    elif outcome is m.ReferralOutcome.EMPLOYED:
        s.plan(s.broker, p.PlanStepCompleted(**s.keys, step_id=step_id, completed_on=s.day,
                                             outcome="employed after the referral"), derived=True)


def deregister(s: Story, reason: c.DeregistrationReason) -> None:
    s.emit("clients", "client", s.client_id, s.broker, c.UnemploymentStatusChanged(
        client_id=s.client_id, institution_id=s.pair.pup, status=c.UnemploymentStatus.DEREGISTERED, reason=reason,
        effective_on=s.day))


def close(s: Story, outcome: p.PlanOutcome, by_ops: bool = False) -> None:
    actor = s.social if by_ops else s.broker
    s.plan(actor, p.PlanClosed(**s.keys, closed_on=s.day, outcome=outcome, closed_by=actor.user,
                               institution_id=actor.institution))
