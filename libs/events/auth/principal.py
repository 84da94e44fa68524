"""Who is calling: the verified claims of an access token."""

from __future__ import annotations

from dataclasses import dataclass

from libs.events.envelope import Actor

SERVICE_ROLE = "service"


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in worker (or a service account) as its access token says."""

    user: str
    name: str
    institution: str
    roles: tuple[str, ...]
    region: str | None = None
    client_id: str | None = None

    def has_role(self, *roles: str) -> bool:
        """Whether the principal holds any of `roles`."""
        return any(role in self.roles for role in roles)

    @property
    def is_service(self) -> bool:
        return SERVICE_ROLE in self.roles

    def actor(self, role: str | None = None) -> Actor:
        """The event-metadata actor: the user, the institution and the role that authorised the action
        (`role`, else the first role of the token)."""
        acting = role or (self.roles[0] if self.roles else "none")
        return Actor(user=self.user, institution=self.institution, role=acting)
