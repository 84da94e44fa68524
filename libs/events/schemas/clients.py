"""Events of the clients context (topic pzw.clients.v1): the shared client record."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.common import PERSONAL, Address, Contact, InstitutionId, InstitutionKind, ValueObject
from libs.events.schemas.registry import registry

CONTEXT = "clients"


class DocumentType(StrEnum):
    """Identity documents accepted for people without a PESEL number."""

    ID_CARD = "id_card"
    PASSPORT = "passport"
    RESIDENCE_CARD = "residence_card"
    OTHER = "other"


class IdentityDocument(ValueObject):
    type: DocumentType
    number: str = Field(min_length=3, max_length=30, pattern=r"^[A-Z0-9]+$", json_schema_extra=PERSONAL)


class PersonIdentity(ValueObject):
    """Who the person is: PESEL, or an identity document when there is none."""

    pesel: str | None = Field(default=None, pattern=r"^\d{11}$", json_schema_extra=PERSONAL)
    document: IdentityDocument | None = None
    first_name: str = Field(min_length=1, max_length=100, json_schema_extra=PERSONAL)
    last_name: str = Field(min_length=1, max_length=100, json_schema_extra=PERSONAL)
    birth_date: date = Field(json_schema_extra=PERSONAL)


@registry.event("ClientRegistered", 1, context=CONTEXT)
class ClientRegistered(EventPayload):
    """A person became a client of an institution (PUP registration, OPS intake, CIS referral)."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    institution_kind: InstitutionKind
    identity: PersonIdentity = Field(json_schema_extra=PERSONAL)
    address: Address = Field(json_schema_extra=PERSONAL)
    contact: Contact = Field(default_factory=Contact, json_schema_extra=PERSONAL)
    registered_on: date


@registry.event("ClientAddressChanged", 1, context=CONTEXT)
class ClientAddressChanged(EventPayload):
    """The client moved (regions are reassigned from the new address)."""

    client_id: uuid.UUID
    address: Address = Field(json_schema_extra=PERSONAL)
