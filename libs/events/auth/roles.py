"""The roles of the identity contract, and the groups access rules name."""

from __future__ import annotations

JOB_BROKER = "job_broker"
CAREER_COUNSELLOR = "career_counsellor"
SOCIAL_WORKER = "social_worker"
CIS_WORKER = "cis_worker"
SUPERVISOR = "supervisor"
ROPS_ANALYST = "rops_analyst"
ADMINISTRATOR = "administrator"
DATA_PROTECTION_OFFICER = "data_protection_officer"
SERVICE = "service"

ALL_ROLES: tuple[str, ...] = (JOB_BROKER, CAREER_COUNSELLOR, SOCIAL_WORKER, CIS_WORKER, SUPERVISOR, ROPS_ANALYST,
                              ADMINISTRATOR, DATA_PROTECTION_OFFICER, SERVICE)
CASE_WORKERS = frozenset({JOB_BROKER, CAREER_COUNSELLOR, SOCIAL_WORKER, CIS_WORKER})
"""Workers who handle clients of their caseload."""
CASE_STAFF = CASE_WORKERS | {SUPERVISOR}
"""Case workers and their supervisors: who may read a client's record (within their institution's clients)."""
SPECIAL_CATEGORY_READERS = frozenset({SOCIAL_WORKER, CIS_WORKER})
"""OPS and CIS roles whose work needs health, addiction and psychological data (GDPR art. 9)."""
EVERYONE = frozenset(ALL_ROLES) - {SERVICE}
"""Every person's role (service accounts act only on behalf of a worker)."""
