"""From an event of another context to the cause of a notification (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from libs.events.envelope import RecordedEvent
from libs.events.schemas.clients import CaseloadHandedOver
from libs.events.schemas.conflicts import BenefitConflictDetected
from services.notifications.domain.routing import Cause, Party
from services.notifications.domain.rules import RoutingRules


def cause_of(event: RecordedEvent, rules: RoutingRules, now: datetime) -> Cause | None:
    """The cause an event gives under the rules, or None (no kind for it, or too old to be news).

    Why old events notify nobody: a rebuild or a first start replays the topics from their beginning; telling
    workers today about a step added two years ago is noise (and derived ids only prevent repeats, not that).
    """
    kind = rules.kind_of_event(event.event_type)
    if kind is None:
        return None
    rule = rules.kinds[kind]
    if event.occurred_at < now - timedelta(days=rules.timing.max_cause_age_days):
        return None
    payload = event.payload
    actor = event.metadata.actor
    institution = getattr(payload, "institution_id", None) if rule.institution_from == "payload" else None
    acting = institution or actor.institution
    subject = None
    if isinstance(payload, CaseloadHandedOver):
        subject = Party(payload.to_worker, payload.institution_id)
    institutions = tuple(payload.institutions) if isinstance(payload, BenefitConflictDetected) else ()
    return Cause(
        cause_id=event.event_id, kind=kind, occurred_at=event.occurred_at,
        client_id=getattr(payload, "client_id", None), acting_institution=acting, acting_user=actor.user,
        institutions=institutions, subject=subject, event_id=event.event_id,
        correlation_id=event.metadata.correlation_id, facts=event_facts(event, rules, acting),
    )


def event_facts(event: RecordedEvent, rules: RoutingRules, acting_institution: str) -> dict[str, Any]:
    """Placeholders the texts may use: the payload's fields (nested as `{planned[from]}`) and a few names."""
    facts: dict[str, Any] = event.payload.model_dump(mode="json", by_alias=True)
    facts.update(
        event=rules.labels.get(event.event_type, event.event_type), event_type=event.event_type,
        actor_user=event.metadata.actor.user, actor_institution=acting_institution,
        institutions=", ".join(facts.get("institutions", ())),
    )
    return facts
