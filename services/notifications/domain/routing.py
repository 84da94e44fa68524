"""Who gets a notification (pure): a cause, the client's paired workers and the rule give the recipients."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from libs.events.schemas.common import institution_kind
from libs.events.schemas.notifications import NotificationKind
from services.notifications.domain.rules import Audience, KindRule


@dataclass(frozen=True, slots=True)
class Party:
    """A worker and the institution they work for."""

    worker: str
    institution_id: str


@dataclass(frozen=True, slots=True)
class WorkerPair:
    """The paired workers of a client for one PUP-OPS pair (from CaseWorkersAssigned)."""

    pup_institution_id: str
    ops_institution_id: str
    job_broker: str | None
    social_worker: str | None

    def parties(self) -> list[Party]:
        found = []
        if self.job_broker:
            found.append(Party(self.job_broker, self.pup_institution_id))
        if self.social_worker:
            found.append(Party(self.social_worker, self.ops_institution_id))
        return found

    def involves(self, institution_id: str) -> bool:
        return institution_id in (self.pup_institution_id, self.ops_institution_id)


@dataclass(frozen=True, slots=True)
class RoutingContext:
    """What the service knows about the client's workers when the cause is routed."""

    pairs: tuple[WorkerPair, ...] = ()
    cis_parties: tuple[Party, ...] = ()


@dataclass(frozen=True, slots=True)
class Cause:
    """Something that may notify: an event of another context, or a reminder that fell due."""

    cause_id: uuid.UUID
    kind: NotificationKind
    occurred_at: datetime
    client_id: uuid.UUID | None = None
    acting_institution: str | None = None
    acting_user: str | None = None
    institutions: tuple[str, ...] = ()
    subject: Party | None = None
    event_id: uuid.UUID | None = None
    correlation_id: uuid.UUID | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


def partner_workers(pairs: Sequence[WorkerPair], acting_institution: str | None) -> list[Party]:
    """The paired workers of the institution(s) other than the acting one.

    A PUP or OPS acting notifies its partner in the pairs it belongs to; a CIS (in no pair) notifies both sides;
    a system actor (no institution kind) notifies nobody: it is not "the other institution" changing anything.
    """
    if acting_institution is None or institution_kind(acting_institution) is None:
        return []
    own = [p for p in pairs if p.involves(acting_institution)]
    return [party for pair in (own or pairs) for party in pair.parties() if party.institution_id != acting_institution]


def recipients(rule: KindRule, cause: Cause, context: RoutingContext,
               supervisors: Mapping[str, Sequence[str]]) -> list[Party]:
    """Every recipient of `cause` under `rule`, each worker once, never the worker who acted."""
    found: list[Party] = []
    workers = [party for pair in context.pairs for party in pair.parties()] + list(context.cis_parties)
    for audience in rule.recipients:
        if audience is Audience.PARTNER_WORKERS:
            found += partner_workers(context.pairs, cause.acting_institution)
        elif audience is Audience.INSTITUTION_WORKERS:
            found += [p for p in workers if p.institution_id in cause.institutions]
        elif audience is Audience.ALL_WORKERS:
            found += workers
        elif audience in (Audience.STEP_OWNER, Audience.CIS_WORKER, Audience.NEW_WORKER) and cause.subject:
            found.append(cause.subject)
    if Audience.SUPERVISORS in rule.recipients:
        # Why after the other audiences: supervisors of the institutions whose workers are told, as well as of the
        # institutions the cause names (a conflict), so a supervisor never hears of a case their team does not.
        concerned = dict.fromkeys([*cause.institutions, *(p.institution_id for p in found)])
        found += [Party(s, institution) for institution in concerned for s in supervisors.get(institution, ())]
    return _unique(found, cause.acting_user)


def _unique(parties: Sequence[Party], acting_user: str | None) -> list[Party]:
    seen: set[str] = set()
    unique = []
    for party in parties:
        if party.worker in seen or party.worker == acting_user:
            continue
        seen.add(party.worker)
        unique.append(party)
    return unique
