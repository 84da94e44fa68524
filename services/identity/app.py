"""The development issuer's HTTP endpoints (docs/decisions/0009-verified-identity.md, identity contract)."""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import jwt
from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from services.identity.config import Directory, DirectoryClient, DirectoryUser, IdentitySettings
from services.identity.grants import Grants, pkce_matches
from services.identity.sign_in_page import TEXTS, language, message_page, sign_in_page
from services.identity.signing import Signer
from services.identity.tokens import Subject, TokenFactory

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
                    "code_challenge_method")


def redirect_allowed(uri: str, registered: tuple[str, ...]) -> bool:
    """Exact match, or for loopback URIs the same scheme, host and path on any port (RFC 8252, 7.3)."""
    if uri in registered:
        return True
    asked = urlsplit(uri)
    return asked.hostname in LOOPBACK and any(
        (r.scheme, r.hostname, r.path) == (asked.scheme, asked.hostname, asked.path)
        for r in map(urlsplit, registered))


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="pzw"'} if status == 401 else None
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)


def _subject(user: DirectoryUser) -> Subject:
    return Subject(user.id, user.name, user.institution, user.roles, user.region)


def _service_subject(client: DirectoryClient) -> Subject:
    return Subject(client.id, client.name or client.id, client.institution, client.roles)


class Issuer:
    """The issuer's state: directory, signer, token factory and outstanding grants."""

    def __init__(self, settings: IdentitySettings, signer: Signer, directory: Directory) -> None:
        self.settings = settings
        self.url = settings.issuer_url()
        self.signer = signer
        self.directory = directory
        self.tokens = TokenFactory(signer, self.url, settings.audience, settings.access_token_seconds)
        self.grants = Grants(settings.code_seconds, settings.refresh_token_seconds)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
            "userinfo_endpoint": f"{self.url}/userinfo", "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"], "grant_types_supported":
                ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "claims_supported": ["sub", "name", "institution", "roles", "region", "iss", "aud", "exp", "iat", "nbf"],
        }

    def client_request_error(self, params: dict[str, str]) -> tuple[DirectoryClient | None, str | None]:
        """The client of an authorization request, or why the request cannot even be redirected back."""
        client = self.directory.client(params.get("client_id", ""))
        if client is None or client.service_account:
            return None, f"unknown client_id {params.get('client_id', '')!r}"
        if not redirect_allowed(params.get("redirect_uri", ""), client.redirect_uris):
            return None, f"redirect_uri {params.get('redirect_uri', '')!r} is not registered for {client.id}"
        return client, None

    @staticmethod
    def request_error(client: DirectoryClient, params: dict[str, str]) -> str | None:
        """What is wrong with an authorization request of a known client (sent back to its redirect URI)."""
        if params.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        challenge = params.get("code_challenge")
        if challenge and params.get("code_challenge_method") != "S256":
            return "code_challenge_method must be S256"
        if client.public and not challenge:
            return "public clients must use PKCE (code_challenge with S256)"
        return None

    def authenticate_client(self, form: dict[str, str], authorization: str | None) -> DirectoryClient | None:
        """The client authenticated by HTTP Basic or client_secret_post; a public client by its id alone."""
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
        client = self.directory.client(client_id)
        if client is None:
            return None
        if client.public:
            return client if not secret else None
        return client if secret and secrets.compare_digest(secret, client.secret or "") else None

    def token_answer(self, subject: Subject, client: DirectoryClient, scope: str, nonce: str | None,
                     with_refresh: bool) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "access_token": self.tokens.access_token(subject, client.id, scope=scope), "token_type": "Bearer",
            "expires_in": self.settings.access_token_seconds, "scope": scope}
        if "openid" in scope.split() and not client.service_account:
            answer["id_token"] = self.tokens.id_token(subject, client.id, nonce)
        if with_refresh:
            answer["refresh_token"] = self.grants.issue_refresh(client.id, subject.id, scope)
        return answer


def build_app(settings: IdentitySettings, signer: Signer | None = None, directory: Directory | None = None) -> FastAPI:
    """The issuer app; `signer` defaults to settings.signing_key_file, else a key generated now."""
    if signer is None:
        signer = Signer.from_pem(settings.signing_key_file) if settings.signing_key_file else Signer.generate()
    issuer = Issuer(settings, signer, directory or Directory.load(settings.directory))
    app = FastAPI(title="PZW development identity provider", version="1.0.0",
                  description="OpenID Connect issuer for development and tests only (refuses to run elsewhere).")
    app.state.issuer = issuer

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        """OpenID Connect discovery."""
        return issuer.discovery()

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        """The RS256 public keys (current and retired)."""
        return issuer.signer.jwks()

    @app.get("/authorize", response_class=HTMLResponse)
    async def authorize_page(request: Request, lang: Annotated[str | None, Query()] = None) -> Response:
        """The sign-in page for an authorization-code request."""
        params = {k: v for k, v in request.query_params.items() if k in AUTHORIZE_PARAMS}
        return _authorize(params, language(lang), None, None, None)

    @app.post("/authorize", response_class=HTMLResponse)
    async def authorize_submit(request: Request) -> Response:
        """Sign in (a demo worker picked, or user name and password) and redirect back with code and state."""
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        params = {k: v for k, v in form.items() if k in AUTHORIZE_PARAMS}
        return _authorize(params, language(form.get("lang")), form.get("user"), form.get("username"),
                          form.get("password"))

    def _authorize(params: dict[str, str], lang: str, picked: str | None, username: str | None,
                   password: str | None) -> Response:
        client, fatal = issuer.client_request_error(params)
        if client is None:
            return HTMLResponse(message_page(lang, fatal or "", error=True), status_code=400)
        back = params["redirect_uri"]
        state = {"state": params["state"]} if "state" in params else {}
        if error := issuer.request_error(client, params):
            refusal = urlencode({"error": "invalid_request", "error_description": error, **state})
            return RedirectResponse(f"{back}?{refusal}", status_code=303)
        user = None
        if picked is not None:
            user = issuer.directory.user(picked)
        elif username is not None:
            found = issuer.directory.user(username)
            user = found if found and secrets.compare_digest(password or "", found.password) else None
        if user is None:
            error = TEXTS[lang]["bad_password"] if (picked is not None or username is not None) else None
            return HTMLResponse(sign_in_page(lang, params, issuer.directory.users, client.name or client.id, error),
                                status_code=401 if error else 200)
        code = issuer.grants.issue_code(client.id, back, user.id, params.get("scope", "openid"),
                                        params.get("nonce"), params.get("code_challenge"))
        return RedirectResponse(f"{back}?{urlencode({'code': code, **state})}", status_code=303)

    @app.post("/token")
    async def token(request: Request, authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
        """authorization_code (PKCE S256), refresh_token and client_credentials grants."""
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        client = issuer.authenticate_client(form, authorization)
        if client is None:
            return _oauth_error("invalid_client", "unknown client or wrong client secret", 401)
        grant_type = form.get("grant_type")
        if grant_type == "client_credentials":
            if not client.service_account:
                return _oauth_error("unauthorized_client", f"{client.id} is not a service account")
            subject = _service_subject(client)
            return JSONResponse(issuer.token_answer(subject, client, form.get("scope", "openid"), None, False),
                                headers={"Cache-Control": "no-store"})
        if grant_type == "authorization_code":
            return _code_grant(client, form)
        if grant_type == "refresh_token":
            refresh = issuer.grants.redeem_refresh(form.get("refresh_token", ""))
            user = issuer.directory.user(refresh.user_id) if refresh else None
            if refresh is None or user is None or refresh.client_id != client.id:
                return _oauth_error("invalid_grant", "refresh_token is unknown, used, expired or of another client")
            return JSONResponse(issuer.token_answer(_subject(user), client, refresh.scope, None, True),
                                headers={"Cache-Control": "no-store"})
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _code_grant(client: DirectoryClient, form: dict[str, str]) -> JSONResponse:
        grant = issuer.grants.redeem_code(form.get("code", ""))
        if grant is None or grant.client_id != client.id:
            return _oauth_error("invalid_grant", "code is unknown, used, expired or of another client")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error("invalid_grant", "redirect_uri differs from the authorization request")
        if grant.code_challenge and not pkce_matches(form.get("code_verifier", ""), grant.code_challenge):
            return _oauth_error("invalid_grant", "code_verifier does not match the code_challenge (PKCE S256)")
        user = issuer.directory.user(grant.user_id)
        if user is None:
            return _oauth_error("invalid_grant", "the user no longer exists")
        return JSONResponse(issuer.token_answer(_subject(user), client, grant.scope, grant.nonce, True),
                            headers={"Cache-Control": "no-store"})

    @app.get("/userinfo")
    async def userinfo(authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
        """The signed-in worker's claims, for a valid access token."""
        token = (authorization or "")[7:] if (authorization or "").lower().startswith("bearer ") else ""
        try:
            claims = issuer.signer.verify(token, issuer.url, settings.audience)
        except jwt.PyJWTError as exc:
            return JSONResponse({"error": "invalid_token", "error_description": str(exc)}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="pzw", error="invalid_token"'})
        keys = ("sub", "name", "institution", "roles", "region")
        return JSONResponse({k: claims[k] for k in keys if k in claims})

    @app.get("/logout", response_class=HTMLResponse)
    async def logout(post_logout_redirect_uri: str | None = None, id_token_hint: str | None = None,
                     state: str | None = None, lang: str | None = None) -> Response:
        """End the session: the user's refresh tokens stop working; back to a registered URI when given."""
        if id_token_hint:
            try:
                hint = jwt.decode(id_token_hint, options={"verify_signature": False})
                issuer.signer.verify(id_token_hint, issuer.url, str(hint.get("aud")))
                issuer.grants.revoke_user(str(hint["sub"]))
            except (jwt.PyJWTError, KeyError):
                pass  # an expired or foreign hint: nothing to revoke
        if post_logout_redirect_uri:
            known = any(redirect_allowed(post_logout_redirect_uri, c.post_logout_redirect_uris)
                        for c in issuer.directory.clients)
            if not known:
                return HTMLResponse(message_page(language(lang), "post_logout_redirect_uri is not registered",
                                                 error=True), status_code=400)
            suffix = f"?{urlencode({'state': state})}" if state else ""
            return RedirectResponse(post_logout_redirect_uri + suffix, status_code=303)
        return HTMLResponse(message_page(language(lang), TEXTS[language(lang)]["signed_out"]))

    @app.get("/health/live")
    @app.get("/health/ready")
    async def health() -> dict[str, str]:
        """The issuer answers."""
        return {"status": "ok"}

    return app
