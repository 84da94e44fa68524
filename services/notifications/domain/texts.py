"""Texts of notifications and e-mails from the templates of the routing file (pure)."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifications.domain.rules import EmailRules, KindRule

TITLE_MAX = 300
BODY_MAX = 4000
MISSING = "?"


class _Lenient(string.Formatter):
    """str.format that writes '?' for a placeholder the cause does not have instead of failing."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(str(key), _Missing())

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None or isinstance(value, _Missing):
            return MISSING
        return str(super().format_field(value, format_spec))


class _Missing:
    def __getitem__(self, _: object) -> _Missing:
        return self

    def __getattr__(self, _: str) -> _Missing:
        return self


_FORMATTER = _Lenient()


def render(template: str, facts: Mapping[str, Any]) -> str:
    """Fill a template; unknown or absent placeholders become '?', a malformed template is shown as is."""
    try:
        return _FORMATTER.vformat(template, (), _Safe(facts))
    except (ValueError, IndexError, KeyError, TypeError, AttributeError):
        return template


class _Safe(dict[str, Any]):
    def __init__(self, facts: Mapping[str, Any]) -> None:
        super().__init__({k: _tolerant(v) for k, v in facts.items()})


def _tolerant(value: Any) -> Any:
    """Dicts whose missing keys render as '?' too (e.g. `{scheduled[to]}` of an open-ended period)."""
    if isinstance(value, dict):
        return _Tolerant({k: _tolerant(v) for k, v in value.items()})
    return value


class _Tolerant(dict[str, Any]):
    def __missing__(self, _: str) -> _Missing:
        return _Missing()


def title_and_body(rule: KindRule, facts: Mapping[str, Any]) -> tuple[str, str]:
    """The notification's title and body, cut to what the event contract allows."""
    return _cut(render(rule.title, facts), TITLE_MAX), _cut(render(rule.body, facts), BODY_MAX)


def _cut(text: str, limit: int) -> str:
    text = text.strip() or MISSING
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class MailText:
    """Subject and plain-text body of an e-mail."""

    subject: str
    body: str


def single_mail(email: EmailRules, title: str, body: str) -> MailText:
    """The e-mail of one notification: the title, and the body only when the routing file allows it."""
    lines = [title, "", body] if email.include_body else [title]
    return MailText(_one_line(email.subject_prefix + title), "\n".join([*lines, "", email.footer]))


def digest_mail(email: EmailRules, day_label: str, items: Sequence[tuple[datetime, str, str]]) -> MailText:
    """One e-mail with the day's notifications (sent_at, title, body) in the order they were sent."""
    count = f"{len(items)} {_powiadomienia(len(items))}"
    lines = [f"Powiadomienia z dnia {day_label} ({count}):", ""]
    for sent_at, title, body in sorted(items):
        lines.append(f"- {sent_at:%H:%M} {title}")
        if email.include_body:
            lines.append(f"  {body}")
    subject = f"{email.subject_prefix}Podsumowanie dnia {day_label}: {count}"
    return MailText(_one_line(subject), "\n".join([*lines, "", email.footer]))


def _powiadomienia(n: int) -> str:
    """The Polish plural: 1 powiadomienie, 2-4 (22-24, ...) powiadomienia, otherwise powiadomień."""
    if n == 1:
        return "powiadomienie"
    return "powiadomienia" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "powiadomień"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:250]
