"""Routing rules as data: who gets which kind of notification, on which channels, with which text (TOML)."""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from libs.events.registry import EventRegistry
from libs.events.schemas.notifications import NotificationKind

DEFAULT_ROUTING = Path(__file__).resolve().parent.parent / "routing.toml"
CONSUMED_CONTEXTS = ("clients", "plans", "conflicts")


class Audience(StrEnum):
    """Who a rule may address; each name is resolved from the cause and the client's paired workers."""

    PARTNER_WORKERS = "partner_workers"  # the client's paired workers of the other institution(s)
    INSTITUTION_WORKERS = "institution_workers"  # the client's workers in the institutions the cause names
    ALL_WORKERS = "all_workers"  # every paired worker of the client (and the CIS worker of an active IPZS)
    SUPERVISORS = "supervisors"  # supervisors of the institutions concerned (from [supervisors])
    STEP_OWNER = "step_owner"  # the worker owning the plan step (step reminders)
    CIS_WORKER = "cis_worker"  # the CIS party worker of the IPZS (IPZS reminders)
    NEW_WORKER = "new_worker"  # the worker taking over a caseload


class DirectChannel(StrEnum):
    """Channels a user chooses per kind; the daily digest is a per-user switch that replaces single e-mails."""

    IN_APP = "in_app"
    EMAIL = "email"


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Timing(_Config):
    """When date-based reminders and digests happen (local time of the institutions)."""

    timezone: str = "Europe/Warsaw"
    reminder_hour: int = Field(default=8, ge=0, le=23)
    step_due_days_before: int = Field(default=2, ge=0, le=60)
    ipzs_expiry_days_before: int = Field(default=5, ge=0, le=31)
    max_overdue_age_days: int = Field(default=30, ge=0)
    max_cause_age_days: int = Field(default=7, ge=0)
    digest_hour: int = Field(default=16, ge=0, le=23)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class EmailRules(_Config):
    """What an e-mail carries: by default the title only, the details stay in the in-app inbox (RODO)."""

    include_body: bool = False
    subject_prefix: str = "[PZW] "
    footer: str = "Szczegóły w skrzynce powiadomień PZW."


class KindRule(_Config):
    """One kind of notification: what causes it, who gets it, default channels and texts."""

    enabled: bool = True
    events: tuple[str, ...] = Field(default=(), description="event types causing it (none: a timer causes it)")
    institution_from: Literal["actor", "payload"] = Field(
        default="payload", description="the acting institution: the event's actor, or the payload's institution_id")
    recipients: tuple[Audience, ...] = Field(min_length=1)
    channels: tuple[DirectChannel, ...] = Field(default=(DirectChannel.IN_APP,), description="default channels")
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=4000)


class RoutingRules(_Config):
    """The whole routing file."""

    timing: Timing = Field(default_factory=Timing)
    email: EmailRules = Field(default_factory=EmailRules)
    supervisors: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict, description="Polish names of event types for texts")
    kinds: dict[NotificationKind, KindRule]

    @model_validator(mode="after")
    def _one_kind_per_event(self) -> RoutingRules:
        seen: dict[str, NotificationKind] = {}
        for kind, rule in self.kinds.items():
            for name in rule.events:
                if name in seen:
                    raise ValueError(f"event {name} causes both {seen[name]} and {kind}; give it one kind")
                seen[name] = kind
        return self

    def rule(self, kind: NotificationKind) -> KindRule | None:
        """The rule of a kind when it is configured and enabled."""
        rule = self.kinds.get(kind)
        return rule if rule is not None and rule.enabled else None

    def kind_of_event(self, event_type: str) -> NotificationKind | None:
        """The enabled kind an event type causes, if any."""
        return next((k for k, r in self.kinds.items() if r.enabled and event_type in r.events), None)

    def events_of(self, registry: EventRegistry, context: str) -> frozenset[str]:
        """Event types of a bounded context that cause notifications."""
        return frozenset(n for r in self.kinds.values() if r.enabled for n in r.events
                         if registry.context_of(n) == context)

    def default_channels(self, kind: NotificationKind) -> tuple[DirectChannel, ...]:
        rule = self.rule(kind)
        return rule.channels if rule is not None else ()

    def check_events(self, registry: EventRegistry) -> None:
        """Refuse event names that are unknown or come from a topic this service does not consume."""
        for kind, rule in self.kinds.items():
            for name in rule.events:
                if not registry.knows(name):
                    raise ValueError(f"kind {kind}: unknown event type {name!r}")
                if registry.context_of(name) not in CONSUMED_CONTEXTS:
                    raise ValueError(f"kind {kind}: {name} is not on a topic the service consumes")


def load_routing(path: Path | str, registry: EventRegistry) -> RoutingRules:
    """Read, validate and check a routing file."""
    with open(path, "rb") as handle:
        rules = RoutingRules.model_validate(tomllib.load(handle))
    rules.check_events(registry)
    return rules


def parse_routing(text: str, registry: EventRegistry) -> RoutingRules:
    """Validate routing rules given as TOML text."""
    rules = RoutingRules.model_validate(tomllib.loads(text))
    rules.check_events(registry)
    return rules
