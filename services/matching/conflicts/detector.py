"""The detector's core, independent of faust: fold an event into a client's facts, find new conflicts."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime

from libs.events.envelope import RecordedEvent
from services.matching.conflicts.detection import Finding, detect, next_deadline
from services.matching.conflicts.facts import ClientFacts, apply
from services.matching.conflicts.ruleset import RuleSet

# Events that can change a conflict rule's outcome; others are not even decoded.
RELEVANT = frozenset({
    "ClientRegistered", "SharedClientIdentified", "SharedClientSharingStopped", "UnemploymentStatusChanged",
    "BenefitGranted", "BenefitSuspended", "BenefitEnded", "IncomeDeclared", "PlanOpened", "PlanClosed",
    "PlanStepAdded", "PlanStepScheduled", "PlanStepCompleted", "PlanStepFailed", "PlanStepCancelled",
    "IpzsSigned", "IpzsRenewed", "IpzsEnded", "ReferralIssued", "ReferralOutcomeRecorded",
})


def client_of(event: RecordedEvent) -> uuid.UUID | None:
    client = getattr(event.payload, "client_id", None)
    return client if isinstance(client, uuid.UUID) else None


class SeenConflicts:
    """A bounded memory of conflict ids already recorded, so that most re-detections skip PostgreSQL."""

    def __init__(self, size: int = 100_000) -> None:
        self._ids: OrderedDict[uuid.UUID, None] = OrderedDict()
        self._size = size

    def __contains__(self, conflict_id: object) -> bool:
        return conflict_id in self._ids

    def add(self, conflict_id: uuid.UUID) -> None:
        self._ids[conflict_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)


class Detector:
    """Pure-ish step of the stream processor: state in, state and findings out."""

    def __init__(self, rules: RuleSet, today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        self.rules = rules
        self._today = today
        self.seen = SeenConflicts()

    def on_event(self, facts: ClientFacts | None, event: RecordedEvent) -> tuple[ClientFacts, date | None,
                                                                               list[Finding]]:
        """New facts, the next deadline of the time rules, and findings not seen yet."""
        client = client_of(event)
        assert client is not None
        current = apply(facts or ClientFacts(client_id=client), event)
        today = self._today()
        findings = [f for f in detect(current, self.rules, today, "event") if f.conflict_id not in self.seen]
        return current, next_deadline(current, self.rules, today), findings

    def on_deadline(self, facts: ClientFacts) -> list[Finding]:
        """Findings of the time rules for a client whose deadline has passed."""
        return [f for f in detect(facts, self.rules, self._today(), "timer") if f.conflict_id not in self.seen]

    def reconcile(self, facts: ClientFacts) -> list[Finding]:
        """Every finding the stored facts give now (event and time rules), seen or not."""
        return detect(facts, self.rules, self._today())
