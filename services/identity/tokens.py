"""The tokens the issuer signs: access tokens (claims of the identity contract) and ID tokens."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from services.identity.signing import Signer


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a token speaks of: a worker or a service account."""

    id: str
    name: str
    institution: str
    roles: tuple[str, ...]
    region: str | None = None


@dataclass(frozen=True, slots=True)
class TokenFactory:
    """Mints signed tokens for one issuer and audience."""

    signer: Signer
    issuer: str
    audience: str
    access_seconds: int = 900

    def _base(self, subject: Subject, lifetime: int, now: int | None) -> dict[str, Any]:
        issued = int(time.time()) if now is None else now
        return {"iss": self.issuer, "sub": subject.id, "iat": issued, "nbf": issued, "exp": issued + lifetime,
                "jti": uuid.uuid4().hex}

    def access_token(self, subject: Subject, client_id: str, *, scope: str = "openid",
                     lifetime: int | None = None, now: int | None = None) -> str:
        claims = {**self._base(subject, lifetime or self.access_seconds, now), "aud": self.audience,
                  "client_id": client_id, "scope": scope, "name": subject.name, "institution": subject.institution,
                  "roles": list(subject.roles)}
        if subject.region:
            claims["region"] = subject.region
        return self.signer.sign(claims)

    def id_token(self, subject: Subject, client_id: str, nonce: str | None, *, now: int | None = None) -> str:
        claims = {**self._base(subject, self.access_seconds, now), "aud": client_id, "azp": client_id,
                  "name": subject.name, "institution": subject.institution, "roles": list(subject.roles)}
        if nonce:
            claims["nonce"] = nonce
        if subject.region:
            claims["region"] = subject.region
        return self.signer.sign(claims)
