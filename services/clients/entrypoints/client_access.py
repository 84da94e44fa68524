"""Which client records a caller reaches, which fields they see, and the record of every read (docs/access-control.md).

A worker reaches a client registered at their institution (its caseload) or shared with it under an agreement
with a valid basis (the record's sharing, which ends when the agreement ends or consent is withdrawn).
Special-category fields are withheld from roles whose work does not need them. Every read is logged with its
purpose (`X-Purpose`, else the endpoint's default).
"""

from __future__ import annotations

from libs.events.access_log import Purpose, Reader, ReaderDep
from libs.events.auth import Principal
from libs.events.auth.policy import AccessDenied
from libs.events.auth.special_category import special_category_fields
from libs.events.schemas import clients as ev
from services.clients.access_policy import ACCESS_LOG, READ_CLIENT
from services.clients.domain.client_state import ClientState

PROFILE_SPECIAL = special_category_fields(ev.ClientProfileUpdated)
"""Profile sections that are special-category data (health, addiction)."""


def reaches(state: ClientState, institution: str) -> bool:
    """The institution registered the client, or the client is shared with it under an agreement in force."""
    return institution in state.registrations or any(institution in pair for pair in state.sharing)


def check_reach(state: ClientState, principal: Principal, rule_name: str = READ_CLIENT.name) -> None:
    if not reaches(state, principal.institution):
        raise AccessDenied(rule_name, f"{principal.institution} neither registered client {state.client_id} nor "
                                      "shares it under an agreement with a valid basis")


def withheld_profile(reader: Reader) -> frozenset[str]:
    """The profile sections the reader's role may not see."""
    return frozenset() if reader.sees_special_categories else PROFILE_SPECIAL

__all__ = ["ACCESS_LOG", "PROFILE_SPECIAL", "Purpose", "Reader", "ReaderDep", "check_reach", "reaches",
           "withheld_profile"]
