"""The issuer's RS256 signing keys: generated at start or loaded from a PEM file, published as a JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (the key id)."""
    canonical = json.dumps({k: public_jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class Signer:
    """Signs JWTs with the current key; the JWKS also lists keys retired by `rotate` (tokens they signed stay
    verifiable until they expire)."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._published: list[dict[str, Any]] = []
        self._public: dict[str, rsa.RSAPublicKey] = {}
        self._use(private_key)

    def _use(self, private_key: rsa.RSAPrivateKey) -> None:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        self.kid = _thumbprint(jwk)
        self._key = private_key
        self._public[self.kid] = private_key.public_key()
        self._published.insert(0, {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"})

    @classmethod
    def generate(cls) -> Signer:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, path: Path) -> Signer:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return cls(key)

    def write_pem(self, path: Path) -> None:
        """Store the current private key (mode 0600), e.g. for tools that mint development tokens."""
        path.write_bytes(self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
        path.chmod(0o600)

    def rotate(self) -> None:
        """Sign with a new key from now on; the old public key stays published."""
        self._use(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, token: str, issuer: str, audience: str) -> dict[str, Any]:
        """The claims of a token this issuer signed (any published key); jwt.PyJWTError when it is not valid."""
        kid = jwt.get_unverified_header(token).get("kid")
        key = self._public.get(str(kid))
        if key is None:
            raise jwt.InvalidKeyError(f"unknown key id {kid!r}")
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer, audience=audience)
        return claims

    def jwks(self) -> dict[str, Any]:
        return {"keys": list(self._published)}
