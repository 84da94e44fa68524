"""Response bodies of the institution views (rows of the read models, eventually consistent with the services)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class NormView(BaseModel):
    """A threshold a view applies, with its legal basis and the date it applies from."""

    id: str
    version: int
    applies_from: date
    value: Any
    unit: str
    legal_basis: str


class CaseloadRow(BaseModel):
    """One worker's caseload: assigned clients, shared ones, open plans, own open and overdue steps."""

    worker: str | None
    clients: int
    shared_clients: int
    open_plans: int
    open_steps: int
    overdue_steps: int


class Person(BaseModel):
    client_id: uuid.UUID | None
    first_name: str | None = None
    last_name: str | None = None


class StepRow(Person):
    """A plan step owned by the institution; `due_on` is its end (or start when open-ended)."""

    step_id: uuid.UUID
    plan_id: uuid.UUID | None
    worker: str | None
    instrument: str | None
    category: str | None
    title: str | None
    social_preparation: bool | None
    funded_by: str | None
    status: str | None
    start_on: date | None
    due_on: date | None
    overdue: bool | None
    days_overdue: int | None
    completed_on: date | None
    failed_on: date | None
    failure: str | None
    cancel_reason: str | None


class SharedClientRow(Person):
    """A client the PUP shares with an OPS, with the OPS side of the joint work."""

    gmina: str | None
    ops_institution_id: str
    job_broker: str | None
    social_worker: str | None
    region_id: uuid.UUID | None
    sharing_active: bool | None
    identified_on: date | None
    stopped_on: date | None
    plan_id: uuid.UUID | None
    plan_opened_on: date | None
    plan_closed_on: date | None
    contract_number: str | None
    contract_from: date | None
    contract_to: date | None
    ipd_number: str | None
    benefits: list[dict[str, Any]]
    ops_steps: dict[str, Any] | None


class ReferralRow(Person):
    referral_id: uuid.UUID
    offer_id: uuid.UUID | None
    offer_title: str | None
    offer_kind: str | None
    instrument: str | None
    funded_by: str | None
    plan_id: uuid.UUID | None
    step_id: uuid.UUID | None
    issued_by: str | None
    issued_on: date | None
    outcome: str
    outcome_on: date | None
    note: str | None


class BenefitRow(Person):
    """An OPS benefit next to the client's status at the PUP; `basis_questioned`: unemployment-based benefit of a
    client the PUP deregistered."""

    benefit_id: uuid.UUID
    kind: str | None
    basis: str | None
    monthly_amount: Decimal | None
    valid_from: date | None
    valid_to: date | None
    suspended_from: date | None
    ended_on: date | None
    status: str
    social_worker: str | None
    pup_institution_id: str | None
    job_broker: str | None
    unemployment_status: str | None
    deregistration_reason: str | None
    unemployment_status_since: date | None
    with_benefit_right: bool | None
    basis_questioned: bool | None


class ConflictRow(Person):
    conflict_id: uuid.UUID
    rule_id: str | None
    rule_version: int | None
    severity: str | None
    period_from: date | None
    period_to: date | None
    explanation_pl: str | None
    explanation_en: str | None
    legal_basis: str | None
    institutions: list[str] | None
    detected_at: datetime | None
    status: str
    resolution_reason: str | None
    resolved_by: str | None
    resolved_by_institution: str | None
    resolved_at: datetime | None


class IpzsRow(Person):
    ipzs_id: uuid.UUID
    plan_id: uuid.UUID | None
    worker: str | None
    main_goal: str | None
    started_on: date | None
    term_from: date | None
    term_to: date | None
    days_left: int | None
    lapsed: bool | None


class MonthRow(Person):
    """A month of a CIS participant: attendance and the integration-bonus decision."""

    ipzs_id: uuid.UUID
    month: date
    worker: str | None
    days_scheduled: int | None
    days_present: int | None
    days_excused: int | None
    days_unexcused: int | None
    attendance: float | None
    bonus_granted: bool | None
    bonus_amount: Decimal | None
    bonus_reason: str | None
    bonus_decided_by: str | None


class GraduateRow(Person):
    ipzs_id: uuid.UUID
    worker: str | None
    ended_on: date
    end_reason: str | None
    after_months: int
    due_on: date
    ops_institution_id: str | None
    social_worker: str | None
    pup_institution_id: str | None
    job_broker: str | None


class InstructorRow(BaseModel):
    instructor: str | None
    participants: int
    limit: int
    over_limit: bool
