"""Which client records a caller reaches, which fields they see, and the record of every read (docs/access-control.md).

A worker reaches a client registered at their institution (its caseload) or shared with it under an agreement
with a valid basis (the record's sharing, which ends when the agreement ends or consent is withdrawn).
Special-category fields are withheld from roles whose work does not need them. Every read is logged with its
purpose (`X-Purpose`, else the endpoint's default).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from libs.events.auth import Principal, PrincipalDep
from libs.events.auth.policy import AccessDenied
from libs.events.auth.special_category import reads_special_categories, special_category_fields
from libs.events.schemas import clients as ev
from services.clients.access_policy import ACCESS_LOG, READ_CLIENT
from services.clients.adapters.access_log import AccessLog, PersonalDataRead
from services.clients.domain.client_state import ClientState

PROFILE_SPECIAL = special_category_fields(ev.ClientProfileUpdated)
"""Profile sections that are special-category data (health, addiction)."""

Purpose = Annotated[str | None, Header(alias="X-Purpose", max_length=200,
                                       description="why the data is read (recorded in the access log)")]


def reaches(state: ClientState, institution: str) -> bool:
    """The institution registered the client, or the client is shared with it under an agreement in force."""
    return institution in state.registrations or any(institution in pair for pair in state.sharing)


def check_reach(state: ClientState, principal: Principal, rule_name: str = READ_CLIENT.name) -> None:
    if not reaches(state, principal.institution):
        raise AccessDenied(rule_name, f"{principal.institution} neither registered client {state.client_id} nor "
                                      "shares it under an agreement with a valid basis")


@dataclass(frozen=True, slots=True)
class Reader:
    """The caller of a read: who, in which role, what they may not see, and why they read."""

    principal: Principal
    role: str
    sees_special_categories: bool
    purpose: str | None
    log: AccessLog

    @property
    def withheld_profile(self) -> frozenset[str]:
        return frozenset() if self.sees_special_categories else PROFILE_SPECIAL

    async def record(self, client_id: uuid.UUID, endpoint: str, fields: list[str], withheld: list[str],
                     default_purpose: str) -> None:
        await self.log.record(PersonalDataRead(
            client_id=client_id, user=self.principal.user, institution=self.principal.institution, role=self.role,
            endpoint=endpoint, fields=tuple(fields), withheld=tuple(withheld), purpose=self.purpose or default_purpose,
            via_client=self.principal.client_id))


def reader(request: Request, principal: PrincipalDep, purpose: Purpose = None) -> Reader:
    role = getattr(request.state, "acting_role", None) or (principal.roles[0] if principal.roles else "none")
    log: AccessLog = request.app.state.access_log
    return Reader(principal, role, reads_special_categories(principal), purpose, log)


ReaderDep = Annotated[Reader, Depends(reader)]

__all__ = ["ACCESS_LOG", "PROFILE_SPECIAL", "Purpose", "Reader", "ReaderDep", "check_reach", "reaches"]
