"""Access tokens for the demo data's workers, minted with the development issuer's signing key.

Demo stories act as hundreds of generated workers who have no sign-in in the issuer's directory; the loader signs
their tokens with the key the development issuer publishes (`make run` writes it to .run/identity/), so the
services verify them against the issuer's JWKS like any other token. Development only.
"""

from __future__ import annotations

import time
from pathlib import Path

from libs.events.envelope import Actor
from libs.events.settings import DEVELOPMENT_ISSUER
from services.identity.signing import Signer
from services.identity.tokens import Subject, TokenFactory

DEFAULT_KEY_FILE = Path(".run/identity/signing-key.pem")


class ActorTokens:
    """The Authorization header of an actor; one token per actor, minted again shortly before it expires."""

    def __init__(self, factory: TokenFactory, lifetime: int = 3600) -> None:
        self._factory = factory
        self._lifetime = lifetime
        self._tokens: dict[Actor, tuple[str, float]] = {}

    @classmethod
    def from_key_file(cls, key_file: Path = DEFAULT_KEY_FILE, issuer: str = DEVELOPMENT_ISSUER,
                      audience: str = "pzw") -> ActorTokens:
        if not key_file.exists():
            raise SystemExit(f"{key_file} not found: the HTTP sink signs the demo workers' tokens with the "
                             "development issuer's key, which `make run` writes there (or pass --signing-key)")
        return cls(TokenFactory(Signer.from_pem(key_file), issuer.rstrip("/"), audience))

    def header(self, actor: Actor) -> dict[str, str]:
        token, expires = self._tokens.get(actor, ("", 0.0))
        if time.monotonic() > expires - 60:
            subject = Subject(actor.user, actor.user, actor.institution, (actor.role,))
            token = self._factory.access_token(subject, "pzw-demo-data", lifetime=self._lifetime)
            self._tokens[actor] = token, time.monotonic() + self._lifetime
        return {"Authorization": f"Bearer {token}"}
