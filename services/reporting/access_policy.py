"""Who may call which route of the reporting service (docs/access-control.md). Within an institution's views a
worker sees only their own clients unless a supervisor (services/reporting/entrypoints/access.py)."""

from libs.events.auth.policy import AccessPolicy, Rule, Scope
from libs.events.auth.roles import ADMINISTRATOR, CASE_STAFF, ROPS_ANALYST, SUPERVISOR

DESK = Rule("institution views: case staff of that institution", CASE_STAFF, Scope.OWN_INSTITUTION)
CLIENT = Rule("a client's reporting view: case staff", CASE_STAFF)
SUPERVISION = Rule("supervisor views: supervisors of that institution", frozenset({SUPERVISOR}),
                   Scope.OWN_INSTITUTION)
INDICATORS = Rule("indicators (no personal data): case staff, ROPS analysts, administrators",
                  CASE_STAFF | {ROPS_ANALYST, ADMINISTRATOR})
REGIONAL = Rule("de-identified regional feed: ROPS analysts of that voivodeship", frozenset({ROPS_ANALYST}),
                Scope.OWN_REGION)

_DESKS = ("/pup/{institution_id}/caseload", "/pup/{institution_id}/shared-clients", "/pup/{institution_id}/steps-due",
          "/pup/{institution_id}/referrals", "/ops/{institution_id}/caseload", "/ops/{institution_id}/benefits",
          "/ops/{institution_id}/social-contract-steps", "/ops/{institution_id}/conflicts",
          "/cis/{institution_id}/ipzs-expiring", "/cis/{institution_id}/attendance",
          "/cis/{institution_id}/bonus-candidates", "/cis/{institution_id}/graduates-follow-up",
          "/cis/{institution_id}/instructors", "/cis/{institution_id}/caseload",
          "/institutions/{institution_id}/clients", "/caseload/{institution_id}/clients")
_SUPERVISION = ("caseloads", "overdue-steps", "conflicts", "summary")
_INDICATORS = ("/indicators", "/indicators/definitions", "/indicators/series", "/indicators/chart.svg",
               "/indicators/{indicator_id}")

POLICY = AccessPolicy("reporting", {
    ("GET", "/clients/{client_id}"): CLIENT,
    **{("GET", path): DESK for path in _DESKS},
    **{("GET", f"/supervisor/{{institution_id}}/{view}"): SUPERVISION for view in _SUPERVISION},
    **{("GET", path): INDICATORS for path in _INDICATORS},
    ("GET", "/regional/{region}/feed"): REGIONAL,
    ("GET", "/regional/{region}/aggregates"): REGIONAL,
})
