"""The conflict rules R1–R6 over a client's facts (pure): findings with period, evidence and explanation."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from libs.events.ids import derived_id
from libs.events.schemas.common import InstitutionKind, Period
from libs.events.schemas.conflicts import BenefitConflictDetected, Severity
from services.matching.conflicts.facts import ClientFacts, StepFact
from services.matching.conflicts.ruleset import RuleConfig, RuleSet


@dataclass(frozen=True, slots=True)
class Finding:
    """A conflict a rule found; its id depends only on rule, client and evidence (never on time or order)."""

    rule: RuleConfig
    client_id: uuid.UUID
    period: Period
    evidence: tuple[uuid.UUID, ...]
    institutions: tuple[str, ...]
    values: dict[str, Any] = field(default_factory=dict)
    identity: tuple[str, ...] = ()  # when the same fact can arrive as different events (a refused referral's step)

    @property
    def conflict_id(self) -> uuid.UUID:
        parts = self.identity or tuple(str(e) for e in self.evidence)
        return derived_id("conflict", self.rule.id, self.client_id, *sorted(parts))

    def to_event(self, detected_at: datetime) -> BenefitConflictDetected:
        return BenefitConflictDetected(
            conflict_id=self.conflict_id, client_id=self.client_id, rule_id=self.rule.id,
            rule_version=self.rule.version, severity=Severity(self.rule.severity), period=self.period,
            explanation_pl=self.rule.explanation_pl.format(**self.values),
            explanation_en=self.rule.explanation_en.format(**self.values),
            legal_basis=self.rule.legal_basis, evidence_event_ids=tuple(sorted(self.evidence, key=str)),
            institutions=tuple(sorted(set(self.institutions))), detected_at=detected_at)


Rule = Callable[[ClientFacts, RuleConfig, date], Iterator[Finding]]


def detect(facts: ClientFacts, rules: RuleSet, today: date, trigger: str | None = None) -> list[Finding]:
    """Findings of the rules in force on `today` (only those of one trigger when given), in a stable order."""
    findings = [f for rule in rules.in_force(today, trigger) if rule.id in RULES
                for f in RULES[rule.id](facts, rule, today)]
    return sorted(findings, key=lambda f: (f.rule.id, str(f.conflict_id)))


def _overlap(a: Period, b: Period) -> Period | None:
    if not a.overlaps(b):
        return None
    ends = [d for d in (a.to, b.to) if d is not None]
    return Period(from_=max(a.from_, b.from_), to=min(ends) if ends else None)


def _d(day: date | None) -> str:
    return day.isoformat() if day else "—"


def r1_benefit_basis_lost(facts: ClientFacts, rule: RuleConfig, today: date) -> Iterator[Finding]:
    reasons = set(rule.threshold("reasons"))
    for status in facts.statuses.values():
        if status.status != "deregistered" or status.reason is None or status.reason.value not in reasons:
            continue
        for benefit in facts.benefits.values():
            if (benefit.event_id is None or benefit.period is None or benefit.basis is None
                    or benefit.basis.value != "unemployment" or benefit.institution_kind != InstitutionKind.OPS):
                continue
            ends = min(d for d in (benefit.period.to, benefit.ended_on and benefit.ended_on - timedelta(days=1),
                                   date.max) if d is not None)
            if not (benefit.period.from_ <= status.effective_on <= ends):
                continue
            yield Finding(rule, facts.client_id, Period(from_=status.effective_on, to=benefit.period.to),
                          (status.event_id, benefit.event_id), (status.institution_id, benefit.institution_id),
                          {"pup": status.institution_id, "deregistered_on": _d(status.effective_on),
                           "reason": status.reason.value, "benefit": benefit.kind, "ops": benefit.institution_id,
                           "benefit_until": _d(benefit.period.to)})


def _active_steps(facts: ClientFacts) -> list[StepFact]:
    return sorted((s for s in facts.steps.values() if s.event_id is not None and s.status not in ("cancelled",)),
                  key=lambda s: str(s.event_id))


def r2_double_funding(facts: ClientFacts, rule: RuleConfig, today: date) -> Iterator[Finding]:
    instruments = set(rule.threshold("instruments"))
    steps = [s for s in _active_steps(facts) if s.instrument and s.instrument.value in instruments]
    for i, a in enumerate(steps):
        for b in steps[i + 1:]:
            payer_a, payer_b = a.funded_by or a.owner_institution_id, b.funded_by or b.owner_institution_id
            if a.instrument != b.instrument or payer_a == payer_b:
                continue
            overlap = _overlap(a.scheduled or a.planned, b.scheduled or b.planned)  # type: ignore[arg-type]
            if overlap is None:
                continue
            assert a.event_id
            assert b.event_id
            assert a.instrument
            yield Finding(rule, facts.client_id, overlap, (a.event_id, b.event_id), (payer_a, payer_b),
                          {"instrument": a.instrument.value, "first": payer_a, "second": payer_b,
                           "overlap_from": _d(overlap.from_), "overlap_to": _d(overlap.to)})


def r3_income_mismatch(facts: ClientFacts, rule: RuleConfig, today: date) -> Iterator[Finding]:
    tolerance = Decimal(str(rule.threshold("tolerance_pln")))
    sources = set(rule.threshold("sources"))
    declared = [i for i in facts.incomes.values()
                if i.declared_by_client and facts.kinds.get(i.institution_id) == InstitutionKind.OPS]
    known = [i for i in facts.incomes.values()
             if not i.declared_by_client and facts.kinds.get(i.institution_id) == InstitutionKind.PUP
             and i.source.value in sources]
    for d in sorted(declared, key=lambda i: str(i.event_id)):
        for k in sorted(known, key=lambda i: str(i.event_id)):
            overlap = _overlap(d.period, k.period)
            if overlap is None or k.monthly_amount <= d.monthly_amount + tolerance:
                continue
            yield Finding(rule, facts.client_id, overlap, (d.event_id, k.event_id),
                          (d.institution_id, k.institution_id),
                          {"declared": f"{d.monthly_amount:.2f}", "ops": d.institution_id,
                           "known": f"{k.monthly_amount:.2f}", "pup": k.institution_id, "source": k.source.value,
                           "overlap_from": _d(overlap.from_), "overlap_to": _d(overlap.to)})


def r4_insurance_only(facts: ClientFacts, rule: RuleConfig, today: date) -> Iterator[Finding]:
    registered = [s for s in facts.statuses.values() if facts.kinds.get(s.institution_id) == InstitutionKind.PUP]
    latest = max(registered, key=lambda s: (s.effective_on, str(s.event_id)), default=None)
    if latest is None or latest.status != "registered":
        return
    window, needed = int(rule.threshold("window_days")), int(rule.threshold("min_failures"))
    # One failure per thing that failed: a refused referral and the failed plan step it created count once.
    by_key: dict[str, list[Any]] = {}
    for failure in facts.failures.values():
        if failure.on >= latest.effective_on:
            by_key.setdefault(failure.key, []).append(failure)
    failures = sorted(((min(group, key=lambda f: (f.on, str(f.event_id))), key, group) for key, group in
                       by_key.items()), key=lambda t: (t[0].on, t[1]))
    # The first window (from the earliest failure) holding enough failures: stable as later failures arrive.
    for start, (first, _, _) in enumerate(failures):
        inside = [t for t in failures[start:] if t[0].on <= first.on + timedelta(days=window)]
        if len(inside) >= needed:
            chosen = inside[:needed]
            evidence = (latest.event_id, *(f.event_id for _, _, group in chosen for f in group))
            yield Finding(rule, facts.client_id, Period(from_=chosen[0][0].on, to=chosen[-1][0].on), evidence,
                          (latest.institution_id,),
                          {"count": len(chosen), "window_days": window, "first_on": _d(chosen[0][0].on),
                           "last_on": _d(chosen[-1][0].on)},
                          identity=(str(latest.event_id), *(key for _, key, _ in chosen)))
            return


def r5_overlapping_participation(facts: ClientFacts, rule: RuleConfig, today: date) -> Iterator[Finding]:
    full_time = set(rule.threshold("full_time_instruments"))
    booked = [s for s in _active_steps(facts) if s.scheduled and s.instrument and s.instrument.value in full_time
              and s.status != "failed"]
    for i, a in enumerate(booked):
        for b in booked[i + 1:]:
            overlap = _overlap(a.scheduled, b.scheduled)  # type: ignore[arg-type]
            if overlap is not None and a.event_id and b.event_id and a.instrument and b.instrument:
                yield Finding(rule, facts.client_id, overlap, (a.event_id, b.event_id),
                              (a.owner_institution_id, b.owner_institution_id),
                              {"first": a.instrument.value, "second": b.instrument.value,
                               "overlap_from": _d(overlap.from_), "overlap_to": _d(overlap.to)})
    integration = [b for b in facts.benefits.values() if b.institution_kind == InstitutionKind.CIS and b.period
                   and b.event_id]
    stipends = [s for s in booked if s.owner_kind == InstitutionKind.PUP and s.instrument
                and s.instrument.value in ("internship", "training")]
    for benefit in sorted(integration, key=lambda b: str(b.event_id)):
        for step in stipends:
            overlap = _overlap(benefit.period, step.scheduled)  # type: ignore[arg-type]
            if overlap is not None and benefit.event_id and step.event_id and step.instrument:
                yield Finding(rule, facts.client_id, overlap, (benefit.event_id, step.event_id),
                              (benefit.institution_id, step.owner_institution_id),
                              {"first": benefit.kind, "second": step.instrument.value,
                               "overlap_from": _d(overlap.from_), "overlap_to": _d(overlap.to)})


def r6_stale_plan(facts: ClientFacts, rule: RuleConfig, today: date) -> Iterator[Finding]:
    open_plans = [plan for plan in facts.plans.values() if not plan.closed]
    if not facts.shared or not open_plans or facts.last_activity is None or facts.last_activity_event is None:
        return
    idle = (today - facts.last_activity.astimezone(UTC).date()).days
    if idle < float(rule.threshold("stale_days")):
        return
    since = facts.last_activity.astimezone(UTC).date()
    yield Finding(rule, facts.client_id, Period(from_=since, to=today), (facts.last_activity_event,),
                  tuple(sorted(facts.kinds)), {"idle_days": idle, "since": _d(since)})


RULES: dict[str, Rule] = {
    "R1": r1_benefit_basis_lost,
    "R2": r2_double_funding,
    "R3": r3_income_mismatch,
    "R4": r4_insurance_only,
    "R5": r5_overlapping_participation,
    "R6": r6_stale_plan,
}


def next_deadline(facts: ClientFacts, rules: RuleSet, today: date) -> date | None:
    """When a time-based rule (R6) could next fire for this client (the timer's wake-up date)."""
    if not facts.shared or facts.last_activity is None or not any(not p.closed for p in facts.plans.values()):
        return None
    r6 = [r for r in rules.in_force(today, "timer") if r.id == "R6"]
    if not r6:
        return None
    return facts.last_activity.astimezone(UTC).date() + timedelta(days=int(float(r6[0].threshold("stale_days"))))
