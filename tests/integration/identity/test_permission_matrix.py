"""Every route of every service's OpenAPI × every role × own or other institution: the access rule admits exactly
the roles and scope it names, and refuses everyone else with 403 naming the rule. A route without a rule fails."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from libs.events.auth.policy import AccessPolicy, Rule, Scope, operations
from libs.events.auth.roles import ALL_ROLES, ROPS_ANALYST
from services.clients.access_policy import POLICY as CLIENTS
from services.clients.bootstrap import build_app as clients_app
from services.matching.access_policy import POLICY as MATCHING
from services.matching.bootstrap import build_app as matching_app
from services.notifications.access_policy import POLICY as NOTIFICATIONS
from services.notifications.bootstrap import build_app as notifications_app
from services.plans.access_policy import POLICY as PLANS
from services.plans.bootstrap import build_app as plans_app
from services.reporting.access_policy import POLICY as REPORTING
from services.reporting.bootstrap import build_app as reporting_app
from tests.support.identity import DevelopmentIssuer

SERVICES: dict[str, tuple[Callable[[], FastAPI], AccessPolicy]] = {
    "clients": (clients_app, CLIENTS), "plans": (plans_app, PLANS), "matching": (matching_app, MATCHING),
    "notifications": (notifications_app, NOTIFICATIONS), "reporting": (reporting_app, REPORTING),
}
OWN_INSTITUTION, OTHER_INSTITUTION = "PUP-2473", "MOPS-1461"
OWN_REGION, OTHER_REGION = "24", "30"
PARAMETER_VALUES = {"source": "syriusz", "region": OWN_REGION, "institution_id": OWN_INSTITUTION,
                    "indicator_id": "placement_rate"}
ANY_ID = "0190b7a2-0000-7000-8000-000000000001"


def concrete(path: str, own: bool) -> str:
    """The path with its parameters filled: the caller's own institution and region, or another one's."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "institution_id":
            return OWN_INSTITUTION if own else OTHER_INSTITUTION
        if name == "region":
            return OWN_REGION if own else OTHER_REGION
        return PARAMETER_VALUES.get(name, ANY_ID)
    return re.sub(r"\{(\w+)\}", value, path)


def admitted(rule: Rule, role: str, own: bool, path: str) -> bool:
    if rule.public:
        return True
    if role not in rule.roles:
        return False
    if rule.scope is Scope.OWN_INSTITUTION or (rule.scope is Scope.OWN_REGION and "{region}" in path):
        return own
    return True


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_route_has_a_rule_and_every_rule_a_route(service: str) -> None:
    build, policy = SERVICES[service]
    app = build()
    assert policy.unruled(app) == [], f"routes of {service} without an access rule"
    assert policy.stale(app) == [], f"access rules of {service} for routes that do not exist"
    for method, path in operations(app):
        assert policy.rule_for(method, path) is not None, f"{method} {path} of {service} has no access rule"


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_permission_matrix(service: str, identity_issuer: DevelopmentIssuer,
                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL)  # admitted calls reach handlers of an app that was not started
    build, policy = SERVICES[service]
    app = build()
    tokens = {role: identity_issuer.token(OWN_INSTITUTION, f"matrix.{role}", role,
                                          region=OWN_REGION if role == ROPS_ANALYST else None)
              for role in ALL_ROLES}
    failures: list[str] = []
    checked = 0
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://matrix", timeout=5) as http:
        for method, path in operations(app):
            rule = policy.rule_for(method, path)
            assert rule is not None, f"{method} {path} has no access rule"
            for role in ALL_ROLES:
                for own in (True, False):
                    answer = await http.request(method, concrete(path, own),
                                                headers={"Authorization": f"Bearer {tokens[role]}"})
                    checked += 1
                    refused = answer.status_code == 403 and answer.json().get("rule") == rule.name
                    expected = admitted(rule, role, own, path)
                    where = "own" if own else "other"
                    if expected and (refused or answer.status_code == 401):
                        failures.append(f"{method} {path} {role} ({where}): refused {answer.status_code} "
                                        f"{answer.text[:120]}")
                    if not expected and not refused:
                        failures.append(f"{method} {path} {role} ({where}): admitted ({answer.status_code}), "
                                        f"expected 403 by rule {rule.name!r}")
            if not rule.public:
                anonymous = await http.request(method, concrete(path, True))
                if anonymous.status_code != 401:
                    failures.append(f"{method} {path}: {anonymous.status_code} without a token, expected 401")
    assert failures == [], "\n".join(failures[:40])
    assert checked >= 2 * len(ALL_ROLES) * len(list(operations(app)))
