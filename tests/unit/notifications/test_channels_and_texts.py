"""Which channels a notification takes for a user, and the texts it carries (pure)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from libs.events.schemas import registry
from libs.events.schemas.notifications import Channel, NotificationKind
from services.notifications.domain.preferences import Preferences, channels_for
from services.notifications.domain.rules import DEFAULT_ROUTING, DirectChannel, EmailRules, load_routing
from services.notifications.domain.texts import digest_mail, render, single_mail, title_and_body

RULES = load_routing(DEFAULT_ROUTING, registry)
PLAN = NotificationKind.PARTNER_CHANGED_PLAN
ADDRESS = "beata@mops-510101.pl"


def test_the_defaults_are_in_app_and_e_mail_once_there_is_an_address() -> None:
    assert channels_for(PLAN, Preferences(), RULES) == [Channel.IN_APP]
    assert channels_for(PLAN, Preferences(email=ADDRESS), RULES) == [Channel.IN_APP, Channel.EMAIL]


def test_the_digest_replaces_single_e_mails() -> None:
    assert channels_for(PLAN, Preferences(email=ADDRESS, digest=True), RULES) == [Channel.IN_APP, Channel.DIGEST]


def test_channels_chosen_per_kind() -> None:
    prefs = Preferences(email=ADDRESS, channels={PLAN: (DirectChannel.IN_APP,),
                                                 NotificationKind.STEP_DUE: (DirectChannel.EMAIL,)})
    assert channels_for(PLAN, prefs, RULES) == [Channel.IN_APP]
    assert channels_for(NotificationKind.STEP_DUE, prefs, RULES) == [Channel.EMAIL]
    assert channels_for(NotificationKind.CONFLICT_DETECTED, prefs, RULES) == [Channel.IN_APP, Channel.EMAIL]
    assert channels_for(PLAN, Preferences(email=ADDRESS, channels={PLAN: ()}), RULES) == []
    assert prefs.effective(RULES)[NotificationKind.CONFLICT_DETECTED] == (DirectChannel.IN_APP, DirectChannel.EMAIL)


def test_templates_fill_what_they_can_and_mark_what_is_missing() -> None:
    facts = {"title": "Staż", "scheduled": {"from": "2026-12-01", "to": None}, "n": 3}
    assert render("{title} od {scheduled[from]} do {scheduled[to]}", facts) == "Staż od 2026-12-01 do ?"
    assert render("{absent} {absent[x]} {n:03d}", facts) == "? ? 003"
    assert render("broken {", facts) == "broken {"


def test_title_and_body_of_a_kind() -> None:
    rule = RULES.kinds[NotificationKind.STEP_DUE]
    title, body = title_and_body(rule, {"title": "Staż", "from": "2026-12-01", "plan_id": "p", "client_id": "c"})
    assert title == "Zbliża się termin kroku planu (2026-12-01)"
    assert body == "Krok „Staż” rozpoczyna się 2026-12-01. Plan p, klient c."
    long_title, _ = title_and_body(rule.model_copy(update={"title": "x{from}"}), {"from": "y" * 500})
    assert len(long_title) == 300
    assert long_title.endswith("…")


def test_an_e_mail_carries_the_title_and_the_body_only_when_allowed() -> None:
    mail = single_mail(EmailRules(), "Tytuł", "Szczegóły: terapia")
    assert mail.subject == "[PZW] Tytuł"
    assert "terapia" not in mail.body
    assert "Tytuł" in mail.body
    assert "terapia" in single_mail(EmailRules(include_body=True), "Tytuł", "Szczegóły: terapia").body


def test_a_digest_lists_the_day_in_order() -> None:
    warsaw = ZoneInfo("Europe/Warsaw")
    items = [(datetime(2026, 11, 23, 14, 5, tzinfo=warsaw), "drugi", "b"),
             (datetime(2026, 11, 23, 9, 0, tzinfo=warsaw), "pierwszy", "a")]
    mail = digest_mail(EmailRules(), "2026-11-23", items)
    assert mail.subject == "[PZW] Podsumowanie dnia 2026-11-23: 2 powiadomienia"
    assert mail.body.index("09:00 pierwszy") < mail.body.index("14:05 drugi")
    assert digest_mail(EmailRules(), "d", items * 6).subject.endswith("12 powiadomień")
    assert digest_mail(EmailRules(), "d", items[:1]).subject.endswith("1 powiadomienie")
