"""Message catalogues (Polish first, English as the switch) and the language chosen in a cookie."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from starlette.requests import HTTPConnection

LANGUAGES = ("pl", "en")
DEFAULT = "pl"
COOKIE = "pzw_lang"
CATALOGUES = Path(__file__).with_name("i18n")


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of a language (i18n/<language>.json)."""
    messages: dict[str, str] = json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))
    return messages


def language_of(connection: HTTPConnection) -> str:
    """The language in the cookie, else Polish."""
    chosen = connection.cookies.get(COOKIE, DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


class Translator:
    """`t("key", name=...)`: the message in the language, formatted; `default` (else the key itself) when the
    catalogue has none, e.g. for a service's own text (a test checks both catalogues have the same keys)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.messages = catalogue(language)

    def __call__(self, key: str, default: str | None = None, **values: object) -> str:
        text = self.messages.get(key, key if default is None else default)
        return text.format(**values) if values else text
