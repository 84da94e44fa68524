"""Access rules per route: which roles, and for which institution or region, may call it (deny by default).

Every service declares an `AccessPolicy` mapping each (method, path template) of its API to a named `Rule`;
`create_app` enforces it before any route runs. A route without a rule is refused, so a new endpoint is closed
until its rule is written (and the permission-matrix test fails until then).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from fastapi import FastAPI, Request
from starlette.routing import compile_path

from libs.events.auth.principal import Principal


class Scope(StrEnum):
    """Whose data a rule admits beyond the role."""

    ANY = "any institution"
    OWN_INSTITUTION = "own institution"
    """the path parameter `institution_id` is the principal's institution"""
    OWN_REGION = "own region"
    """the path parameter `region` is the principal's region (the `region` claim)"""


class AccessDenied(Exception):
    """A rule refused the caller (403 naming the rule)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{message} (rule {rule!r})")
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Rule:
    """A named rule: the roles that may call a route, and the scope of the data they reach through it."""

    name: str
    roles: frozenset[str] = frozenset()
    scope: Scope = Scope.ANY
    public: bool = False
    """no token needed (health probes)"""

    def authorise(self, principal: Principal, path_params: Mapping[str, str]) -> str:
        """The role that authorises the call; AccessDenied naming this rule otherwise."""
        role = next((r for r in principal.roles if r in self.roles), None)
        if role is None:
            raise AccessDenied(self.name, f"{principal.user} ({', '.join(principal.roles) or 'no role'}) may not do "
                                          f"this: only {', '.join(sorted(self.roles))}")
        if self.scope is Scope.OWN_INSTITUTION and path_params.get("institution_id") != principal.institution:
            raise AccessDenied(self.name, f"{principal.user} works for {principal.institution}, not for "
                                          f"{path_params.get('institution_id')}")
        if self.scope is Scope.OWN_REGION and path_params.get("region") != principal.region:
            raise AccessDenied(self.name, f"{principal.user} works for region {principal.region or 'none'}, not for "
                                          f"{path_params.get('region')}")
        return role


PUBLIC = Rule("health probes", public=True)


class AccessPolicy:
    """The rules of one service, by (HTTP method, path template as in the OpenAPI document)."""

    def __init__(self, service: str, rules: Mapping[tuple[str, str], Rule]) -> None:
        self.service = service
        self.rules = {(method.upper(), path): rule for (method, path), rule in rules.items()}
        self.rules.setdefault(("GET", "/health/live"), PUBLIC)
        self.rules.setdefault(("GET", "/health/ready"), PUBLIC)
        # Static segments win over parameters, as in routing: /indicators/series before /indicators/{id}.
        self._patterns = sorted(
            ((method, path, *compile_path(path)[:3]) for method, path in self.rules),
            key=lambda m: (len(m[4]), -len(m[1])))

    def rule_for(self, method: str, path: str) -> Rule | None:
        return self.rules.get((method.upper(), path))

    def match(self, method: str, path: str) -> tuple[Rule, dict[str, str]] | None:
        """The rule of a concrete request path, and its path parameters."""
        method = method.upper()
        for rule_method, template, regex, _, convertors in self._patterns:
            if rule_method != method:
                continue
            found = regex.match(path)
            if found:
                params = {k: str(convertors[k].convert(v)) for k, v in found.groupdict().items()}
                return self.rules[(rule_method, template)], params
        return None

    def unruled(self, app: FastAPI) -> list[tuple[str, str]]:
        """Operations of the app's OpenAPI document without a rule (refused at run time)."""
        return sorted(op for op in operations(app) if op not in self.rules)

    def stale(self, app: FastAPI) -> list[tuple[str, str]]:
        """Rules for operations the app no longer has."""
        return sorted(set(self.rules) - set(operations(app)))


def operations(app: FastAPI) -> list[tuple[str, str]]:
    """(METHOD, path template) of every operation in the app's OpenAPI document."""
    return [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item]


def rule_of(request: Request) -> tuple[Rule, dict[str, str]]:
    """The rule of the route a request reached, and the request's path parameters; AccessDenied when the service
    has no rule for it."""
    policy: AccessPolicy | None = getattr(request.app.state, "access_policy", None)
    found = policy.match(request.method, request.scope["path"]) if policy else None
    if found is None:
        raise AccessDenied("deny by default", f"{request.method} {request.scope['path']} has no access rule, so "
                                              "nobody may call it")
    return found
