"""Who may call which route of the plans service (docs/access-control.md). Which plan an institution may change
is decided by the plan's rules (services/plans/domain/permissions.py)."""

from libs.events.auth.policy import AccessPolicy, Rule
from libs.events.auth.roles import CASE_STAFF, CASE_WORKERS

READ = Rule("reading joint plans: case staff", CASE_STAFF)
CHANGE = Rule("changing joint plans: case workers of the plan's institutions", CASE_WORKERS)

_CHANGES = ("/social-contract", "/ipd", "/waive-social-preparation", "/review", "/close", "/steps",
            "/steps/{step_id}/schedule", "/steps/{step_id}/complete", "/steps/{step_id}/fail",
            "/steps/{step_id}/cancel", "/ipzs", "/ipzs/renew", "/ipzs/end", "/ipzs/attendance", "/ipzs/bonus")

POLICY = AccessPolicy("plans", {
    ("POST", "/plans"): CHANGE,
    ("GET", "/plans/{plan_id}"): READ,
    ("GET", "/plans/{plan_id}/events"): READ,
    ("GET", "/plans/{plan_id}/steps/{step_id}"): READ,
    ("GET", "/clients/{client_id}/plan"): READ,
    ("GET", "/clients/{client_id}/sharing"): READ,
    **{("POST", f"/plans/{{plan_id}}{path}"): CHANGE for path in _CHANGES},
})
