"""Commands of the clients context: what a worker asks the platform to do with a client record."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as pesel_number

from libs.events.schemas.clients import PersonIdentity
from libs.events.schemas.common import Address, Contact, InstitutionId, InstitutionKind


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValidIdentity(PersonIdentity):
    """A person's identity whose PESEL checksum and encoded birth date have been verified."""

    @model_validator(mode="after")
    def _pesel_or_document(self) -> ValidIdentity:
        if self.pesel is None and self.document is None:
            raise ValueError("either pesel or document is required")
        if self.pesel is not None:
            try:
                pesel_number.validate(self.pesel)
                encoded = pesel_number.get_birth_date(self.pesel)
            except StdnumError as exc:
                raise ValueError(f"pesel is not valid: {exc}") from None
            if encoded != self.birth_date:
                raise ValueError(f"pesel encodes birth date {encoded}, not {self.birth_date}")
        return self

    def identity_key(self) -> str:
        """The key under which the platform finds this person again (one client record per person)."""
        if self.pesel is not None:
            return f"PESEL:{self.pesel}"
        assert self.document is not None
        return f"DOC:{self.document.type.value}:{self.document.number}"


class RegisterClient(Command):
    """Register a person as a client of an institution."""

    client_id: uuid.UUID
    institution_id: InstitutionId
    institution_kind: InstitutionKind
    identity: ValidIdentity
    address: Address
    contact: Contact = Field(default_factory=Contact)
    registered_on: date


class ChangeAddress(Command):
    """Record that the client lives somewhere else now."""

    address: Address
