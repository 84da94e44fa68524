"""Reads of personal data (topic pzw.access.v1): each service's record of who read which client's data and why,
gathered by the clients service into the log its data protection officers read (docs/decisions/0012)."""

from __future__ import annotations

import uuid

from pydantic import Field

from libs.events.registry import EventPayload
from libs.events.schemas.registry import registry

CONTEXT = "access"


@registry.event("PersonalDataRead", 1, context=CONTEXT)
class PersonalDataRead(EventPayload):
    """A worker (or a client application on their behalf) read parts of one client's personal data."""

    client_id: uuid.UUID
    service: str = Field(max_length=50, description="the service that answered the read")
    user: str = Field(max_length=200)
    institution: str = Field(max_length=100)
    role: str = Field(max_length=100)
    via_client: str | None = Field(default=None, max_length=200, description="the application the user used")
    endpoint: str = Field(max_length=300, description="method and route template, e.g. GET /plans/{plan_id}")
    fields: list[str] = Field(description="the parts of the client's data returned")
    withheld: list[str] = Field(default_factory=list, description="parts withheld from the reader's role")
    purpose: str = Field(max_length=200, description="why the data was read (X-Purpose, else the endpoint's default)")
