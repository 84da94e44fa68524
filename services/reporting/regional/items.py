"""From a platform event to de-identified drafts (pure, apart from the batch state it reads and updates).

Each translation names the fields it keeps; everything else of the source event (PESEL, names, addresses,
contacts, birth dates, titles, notes, goals, reasons as text, amounts, workers, explanations) is left behind by
construction, not by filtering.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel

from libs.events.envelope import RecordedEvent
from libs.events.schemas import clients as c
from libs.events.schemas import conflicts as x
from libs.events.schemas import matching as m
from libs.events.schemas import plans as p
from libs.events.schemas import regional as r
from libs.events.schemas.common import Address, institution_kind
from services.reporting.regional.deidentify import ACTIVATION, birth_month, local_day, region_of
from services.reporting.regional.state import BatchState, ClientRow, Draft, PlanRow, StepRow

Translation = Callable[[Any, RecordedEvent, BatchState], list[Draft]]


def _draft(item: type[r.RegionalItem], event: RecordedEvent, day: date, client_id: Any, **fields: Any) -> Draft:
    values = {k: v.value if hasattr(v, "value") else v for k, v in fields.items()}
    return Draft(source=event.event_id, item=item, day=day, fields=values, client_id=client_id)


def _moved(event: RecordedEvent, state: BatchState, client_id: Any, row: ClientRow, region: str | None,
           day: date) -> list[Draft]:
    """A move between voivodeships: out of the old region (placed there), into the new one."""
    if region == row.region:
        return []
    drafts = []
    if row.region is not None:
        out = _draft(r.RegionalClientMoved, event, day, client_id, direction=r.Direction.OUT)
        drafts.append(Draft(out.source, out.item, out.day, out.fields, client_id, region=row.region))
    row.region = region
    state.changed_clients.add(client_id)
    if region is not None:
        drafts.append(_draft(r.RegionalClientMoved, event, day, client_id, direction=r.Direction.IN))
    return drafts


def _registered(e: c.ClientRegistered, event: RecordedEvent, state: BatchState) -> list[Draft]:
    address: Address | None = e.address
    identity: c.PersonIdentity | None = e.identity
    registered = _draft(r.RegionalClientRegistered, event, e.registered_on, e.client_id,
                        institution_kind=e.institution_kind)
    if address is None or identity is None:
        # Erased (a replay after erasure: the address is unreadable): the registration and the client's later
        # facts wait, as for a client not seen yet, until its ClientErased gives the gmina and birth year again.
        return [registered] if e.client_id not in state.clients else []
    region = region_of(address.teryt)
    row = state.clients.get(e.client_id)
    drafts: list[Draft] = []
    if row is None:
        state.clients[e.client_id] = ClientRow(region, birth_month(identity.birth_date))
        state.changed_clients.add(e.client_id)
    else:
        drafts += _moved(event, state, e.client_id, row, region, e.registered_on)
    drafts.append(registered)
    return drafts + state.take_pending(e.client_id)


def _address(e: c.ClientAddressChanged, event: RecordedEvent, state: BatchState) -> list[Draft]:
    row = state.clients.get(e.client_id)
    if row is None or e.address is None:
        return []  # moved before its registration was seen (its address is older), or erased: ignore
    return _moved(event, state, e.client_id, row, region_of(e.address.teryt), local_day(event.occurred_at))


def _erased(e: c.ClientErased, event: RecordedEvent, state: BatchState) -> list[Draft]:
    """An erased client keeps being counted. Live, its row exists already and nothing changes. In a replay, which
    no longer reads its address and birth date, the row is made here from the facts ClientErased kept (gmina,
    birth year: the middle of it stands for the month) and the facts that waited for it are placed."""
    if e.client_id in state.clients:
        return []
    born = date(e.birth_year, 7, 1) if e.birth_year is not None else None
    state.clients[e.client_id] = ClientRow(region_of(e.teryt), born)
    state.changed_clients.add(e.client_id)
    return state.take_pending(e.client_id)


def _shared(e: c.SharedClientIdentified, event: RecordedEvent, _: BatchState) -> list[Draft]:
    return [_draft(r.RegionalSharedClientIdentified, event, e.identified_on, e.client_id, basis=e.basis)]


def _status(e: c.UnemploymentStatusChanged, event: RecordedEvent, _: BatchState) -> list[Draft]:
    return [_draft(r.RegionalUnemploymentStatusChanged, event, e.effective_on, e.client_id, status=e.status,
                   reason=e.reason, with_benefit_right=e.with_benefit_right)]


def _benefit(e: c.BenefitGranted, event: RecordedEvent, _: BatchState) -> list[Draft]:
    return [_draft(r.RegionalBenefitGranted, event, e.period.from_, e.client_id,
                   institution_kind=e.institution_kind, basis=e.basis)]


def _opened(e: p.PlanOpened, event: RecordedEvent, state: BatchState) -> list[Draft]:
    state.plans[e.plan_id] = PlanRow(e.client_id, e.opened_on)
    state.new_plans.add(e.plan_id)
    return [_draft(r.RegionalPlanOpened, event, e.opened_on, e.client_id,
                   social_preparation_first=e.social_preparation_first)]


def _step_added(e: p.PlanStepAdded, event: RecordedEvent, state: BatchState) -> list[Draft]:
    row = StepRow(e.instrument.value, e.category.value, e.owner.institution_kind.value)
    state.steps[e.step_id] = row
    state.new_steps.add(e.step_id)
    return [_draft(r.RegionalPlanStepAdded, event, local_day(event.occurred_at), e.client_id,
                   instrument=e.instrument, category=e.category, owner_kind=e.owner.institution_kind,
                   social_preparation=e.social_preparation)]


def _step_ended(e: BaseModel, event: RecordedEvent, state: BatchState) -> list[Draft]:
    step = state.steps.get(e.step_id)  # type: ignore[attr-defined]
    known = {"instrument": step.instrument, "category": step.category, "owner_kind": step.owner_kind} if step \
        else {"instrument": None}
    if isinstance(e, p.PlanStepCompleted):
        return [_draft(r.RegionalPlanStepEnded, event, e.completed_on, e.client_id, result=r.StepResult.COMPLETED,
                       **known)]
    if isinstance(e, p.PlanStepFailed):
        return [_draft(r.RegionalPlanStepEnded, event, e.failed_on, e.client_id, result=r.StepResult.FAILED,
                       failure=e.reason, **known)]
    assert isinstance(e, p.PlanStepCancelled)
    return [_draft(r.RegionalPlanStepEnded, event, local_day(event.occurred_at), e.client_id,
                   result=r.StepResult.CANCELLED, **known)]


def _closed(e: p.PlanClosed, event: RecordedEvent, state: BatchState) -> list[Draft]:
    plan = state.plans.get(e.plan_id)
    months = _whole_months(plan.opened_on, e.closed_on) if plan else None
    form = ACTIVATION.get(e.outcome)
    return [_draft(r.RegionalPlanClosed, event, e.closed_on, e.client_id, outcome=e.outcome,
                   activated=form is not None, activation_form=form, months_in_programme=months)]


def _whole_months(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0))


def _ipzs_signed(e: p.IpzsSigned, event: RecordedEvent, _: BatchState) -> list[Draft]:
    return [_draft(r.RegionalIpzsSigned, event, e.term.from_, e.client_id, main_goal=e.main_goal)]


def _ipzs_ended(e: p.IpzsEnded, event: RecordedEvent, _: BatchState) -> list[Draft]:
    return [_draft(r.RegionalIpzsEnded, event, e.ended_on, e.client_id, reason=e.reason)]


def _offer(e: m.OfferPublished, event: RecordedEvent, state: BatchState) -> list[Draft]:
    state.offers[e.offer_id] = (e.kind.value, e.instrument.value)
    state.new_offers.add(e.offer_id)
    region = region_of(e.location.teryt)
    if region is None:
        return []
    kind = institution_kind(e.funded_by)
    draft = _draft(r.RegionalOfferPublished, event, local_day(event.occurred_at), None, offer_id=str(e.offer_id),
                   offer_kind=e.kind, instrument=e.instrument, capacity=e.capacity,
                   funded_by_kind=kind.value if kind else None)
    return [Draft(draft.source, draft.item, draft.day, draft.fields, None, region=region)]


def _referral(e: m.ReferralIssued, event: RecordedEvent, state: BatchState) -> list[Draft]:
    kind, instrument = state.offers.get(e.offer_id, (None, None))
    return [_draft(r.RegionalReferralIssued, event, e.issued_on, e.client_id, offer_kind=kind,
                   instrument=instrument)]


def _referral_outcome(e: m.ReferralOutcomeRecorded, event: RecordedEvent, _: BatchState) -> list[Draft]:
    return [_draft(r.RegionalReferralOutcomeRecorded, event, e.recorded_on, e.client_id, outcome=e.outcome)]


def _conflict(e: x.BenefitConflictDetected, event: RecordedEvent, state: BatchState) -> list[Draft]:
    state.conflicts[e.conflict_id] = e.rule_id
    state.new_conflicts.add(e.conflict_id)
    return [_draft(r.RegionalConflictDetected, event, local_day(e.detected_at), e.client_id, rule_id=e.rule_id,
                   rule_version=e.rule_version, severity=e.severity)]


def _resolved(e: x.BenefitConflictResolved, event: RecordedEvent, state: BatchState) -> list[Draft]:
    return [_draft(r.RegionalConflictResolved, event, local_day(event.occurred_at), e.client_id,
                   rule_id=state.conflicts.get(e.conflict_id), resolution=e.resolution)]


TRANSLATIONS: dict[type[BaseModel], Translation] = {
    c.ClientRegistered: _registered, c.ClientAddressChanged: _address, c.SharedClientIdentified: _shared,
    c.ClientErased: _erased,
    c.UnemploymentStatusChanged: _status, c.BenefitGranted: _benefit,
    p.PlanOpened: _opened, p.PlanStepAdded: _step_added, p.PlanStepCompleted: _step_ended,
    p.PlanStepFailed: _step_ended, p.PlanStepCancelled: _step_ended, p.PlanClosed: _closed,
    p.IpzsSigned: _ipzs_signed, p.IpzsEnded: _ipzs_ended,
    m.OfferPublished: _offer, m.ReferralIssued: _referral, m.ReferralOutcomeRecorded: _referral_outcome,
    x.BenefitConflictDetected: _conflict, x.BenefitConflictResolved: _resolved,
}

HANDLES = frozenset(t.__name__ for t in TRANSLATIONS)


def translate(event: RecordedEvent, state: BatchState) -> list[Draft]:
    """The drafts an event gives (none for events the feed does not carry)."""
    translation = TRANSLATIONS.get(type(event.payload))
    return translation(event.payload, event, state) if translation else []
