"""The sign-in page (Polish, with an English switch): demo workers to pick, or a user name and password."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from urllib.parse import urlencode

from services.identity.config import DirectoryUser

TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "title": "Logowanie – platforma PZW", "heading": "Zaloguj się do platformy PZW",
        "lead": "Środowisko deweloperskie: wybierz pracownika demonstracyjnego albo podaj login i hasło.",
        "pick": "Pracownicy demonstracyjni", "sign_in_as": "Zaloguj jako", "form": "Login i hasło",
        "user": "Login", "password": "Hasło", "submit": "Zaloguj się", "switch": "English",
        "for_client": "Aplikacja", "roles": "role", "bad_password": "Nieprawidłowy login lub hasło.",
        "signed_out": "Wylogowano z platformy PZW.", "error": "Błąd logowania",
    },
    "en": {
        "title": "Sign in – PZW platform", "heading": "Sign in to the PZW platform",
        "lead": "Development environment: pick a demo worker or enter a user name and password.",
        "pick": "Demo workers", "sign_in_as": "Sign in as", "form": "User name and password",
        "user": "User name", "password": "Password", "submit": "Sign in", "switch": "Polski",
        "for_client": "Application", "roles": "roles", "bad_password": "Wrong user name or password.",
        "signed_out": "You have signed out of the PZW platform.", "error": "Sign-in error",
    },
}

STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
button,input{font:inherit;padding:.5rem .75rem;margin:.2rem 0}
button{cursor:pointer;border:1px solid #1d4f91;background:#fff;color:#1d4f91;border-radius:.25rem;text-align:left}
button[type=submit].primary{background:#1d4f91;color:#fff}
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
ul{list-style:none;padding:0} li{margin:.3rem 0} label{display:block;margin-top:.5rem}
.error{color:#a4000f;font-weight:bold} .muted{color:#555}
"""


def language(value: str | None) -> str:
    return value if value in TEXTS else "pl"


def _page(lang: str, title: str, body: str) -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>")


def sign_in_page(lang: str, params: Mapping[str, str], users: Sequence[DirectoryUser], client_name: str,
                 error: str | None = None) -> str:
    """The page for GET /authorize; every form posts the original request parameters back."""
    t = TEXTS[lang]
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items())
    switch_to = "en" if lang == "pl" else "pl"
    switch = escape("?" + urlencode({**params, "lang": switch_to}))
    items = "".join(
        f'<li><form method="post" action="authorize">{hidden}<input type="hidden" name="lang" value="{lang}">'
        f'<button type="submit" name="user" value="{escape(u.id)}">{t["sign_in_as"]} '
        f'<strong>{escape(u.name)}</strong> <span class="muted">({escape(u.institution)}, {t["roles"]}: '
        f'{escape(", ".join(u.roles))})</span></button></form></li>' for u in users)
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (f'<p><a href="{switch}" lang="{switch_to}">{t["switch"]}</a></p><h1>{t["heading"]}</h1>{alert}'
            f'<p>{t["lead"]}</p><p class="muted">{t["for_client"]}: {escape(client_name)}</p>'
            f'<section aria-labelledby="pick"><h2 id="pick">{t["pick"]}</h2><ul>{items}</ul></section>'
            f'<section aria-labelledby="form"><h2 id="form">{t["form"]}</h2>'
            f'<form method="post" action="authorize">{hidden}<input type="hidden" name="lang" value="{lang}">'
            f'<label for="username">{t["user"]}</label>'
            f'<input id="username" name="username" autocomplete="username" required>'
            f'<label for="password">{t["password"]}</label>'
            f'<input id="password" name="password" type="password" autocomplete="current-password" required>'
            f'<p><button class="primary" type="submit">{t["submit"]}</button></p></form></section>')
    return _page(lang, t["title"], body)


def message_page(lang: str, text: str, *, error: bool = False) -> str:
    """A page with one message (a refused request, or signed out)."""
    t = TEXTS[lang]
    heading = f'<h1>{t["error"]}</h1><p class="error" role="alert">' if error else "<h1>PZW</h1><p>"
    return _page(lang, t["error"] if error else t["title"], f"{heading}{escape(text)}</p>")
