"""Authorization codes and refresh tokens the issuer has handed out (in memory: a development issuer)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeGrant:
    """What an authorization code stands for."""

    client_id: str
    redirect_uri: str
    user_id: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    expires_at: float


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    client_id: str
    user_id: str
    scope: str
    expires_at: float


def pkce_matches(verifier: str, challenge: str) -> bool:
    """RFC 7636 S256: BASE64URL(SHA256(code_verifier)) equals the code challenge."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(digest, challenge)


class Grants:
    """One-time authorization codes and rotating refresh tokens."""

    def __init__(self, code_seconds: int, refresh_seconds: int) -> None:
        self._code_seconds = code_seconds
        self._refresh_seconds = refresh_seconds
        self._codes: dict[str, CodeGrant] = {}
        self._refresh: dict[str, RefreshGrant] = {}

    def issue_code(self, client_id: str, redirect_uri: str, user_id: str, scope: str, nonce: str | None,
                   code_challenge: str | None) -> str:
        code = secrets.token_urlsafe(32)
        self._codes[code] = CodeGrant(client_id, redirect_uri, user_id, scope, nonce, code_challenge,
                                      time.monotonic() + self._code_seconds)
        return code

    def redeem_code(self, code: str) -> CodeGrant | None:
        """The grant of a code, once; None when unknown, used or expired."""
        grant = self._codes.pop(code, None)
        return grant if grant is not None and grant.expires_at > time.monotonic() else None

    def issue_refresh(self, client_id: str, user_id: str, scope: str) -> str:
        token = secrets.token_urlsafe(32)
        self._refresh[token] = RefreshGrant(client_id, user_id, scope, time.monotonic() + self._refresh_seconds)
        return token

    def redeem_refresh(self, token: str) -> RefreshGrant | None:
        """The grant of a refresh token, once (the answer carries a new one); None when unknown or expired."""
        grant = self._refresh.pop(token, None)
        return grant if grant is not None and grant.expires_at > time.monotonic() else None

    def revoke_user(self, user_id: str) -> None:
        """Sign-out: every refresh token of the user stops working."""
        self._refresh = {t: g for t, g in self._refresh.items() if g.user_id != user_id}
