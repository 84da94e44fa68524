"""A job broker and a social worker work on the same client in two browsers: each sees the other's changes live
(Server-Sent Events through the gateway), in Polish and in English; screenshots of the main screens are saved
under test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, expect

from libs.events.infra import Infrastructure
from tests.browser.platform import Platform, Worker, running_platform
from tests.conftest import ARTIFACTS
from tests.support.people import ADDRESS, administrator, person, supervisor
from tests.support.services import eventually

pytestmark = pytest.mark.infra

SHOTS = ARTIFACTS / "screenshots"
LIVE = 30_000  # ms: a change travels plans -> Kafka -> notifications -> SSE -> the page


@pytest.fixture(scope="module")
async def platform(infra: Infrastructure, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    async with running_platform(infra, tmp_path_factory.mktemp("gateway")) as running:
        yield running


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def signed_in(platform: Platform, who: Worker, viewport: dict[str, int] | None = None) -> tuple[
        BrowserContext, Page]:
    """A browser of its own for `who`, signed in through the sign-in screen."""
    context = await platform.browser.new_context(base_url=platform.gateway_url, locale="pl-PL",
                                                 viewport=viewport or {"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/signin"))
    await page.get_by_role("link", name="Zaloguj się").click()  # to the issuer (authorization code with PKCE)
    await page.get_by_role("button", name=re.compile(f"{who.name} .{re.escape(who.institution)}, .*{who.role}")).click()
    await expect(page.get_by_role("heading", name="Moi klienci")).to_be_visible()
    return context, page


async def shared_client(platform: Platform) -> tuple[str, dict[str, str]]:
    """An agreement, a region pairing the two workers, and a person registered at both: a shared client."""
    clients, broker, social = platform.apis["clients"], platform.broker, platform.social
    agreement = await clients.post("/agreements", headers=supervisor(broker.institution), json={
        "pup_institution_id": broker.institution, "ops_institution_id": social.institution,
        "valid": {"from": "2025-06-01"},
        "legal_basis": {"code": "RODO-6-1-e", "text": "art. 6 ust. 1 lit. e RODO", "applies_from": "2025-06-01"}})
    assert agreement.status_code == 201, agreement.text
    region = await clients.post("/regions", headers=administrator(social.institution), json={
        "name": "Rejon 1 – Centrum", "pup_institution_id": broker.institution,
        "ops_institution_id": social.institution, "area": {"postal_codes": ["41-100"]},
        "workers": {"job_broker": broker.user, "social_worker": social.user}})
    assert region.status_code == 201, region.text
    identity = person("Tomasz", "Zawadzki", date(1984, 9, 12))
    body = {"identity": identity, "address": ADDRESS, "registered_on": str(date.today() - timedelta(days=20))}
    for who, kind in ((broker, "PUP"), (social, "OPS")):
        answer = await clients.post("/clients", headers=who.headers, json={
            **body, "institution_id": who.institution, "institution_kind": kind})
        assert answer.status_code == 201, answer.text
    client_id = answer.json()["client_id"]

    async def usable() -> bool:
        answer = await platform.apis["plans"].get(f"/clients/{client_id}/sharing", headers=broker.headers)
        return answer.status_code == 200 and answer.json()[0]["usable_today"]

    await eventually(usable, within=60)
    return client_id, identity


async def live(page: Page) -> None:
    """The page's inbox stream is connected (changes after this are pushed to it)."""
    await expect(page.locator("body")).to_have_attribute("data-live-connected", "true", timeout=LIVE)


async def add_step(page: Page, instrument: str, title: str, social_preparation: bool = False) -> None:
    await page.get_by_label("Instrument").select_option(instrument)
    await page.get_by_label("Nazwa").fill(title)
    await page.get_by_label("Od", exact=True).fill(str(date.today() + timedelta(days=1)))
    await page.get_by_label("Do", exact=True).fill(str(date.today() + timedelta(days=30)))
    if social_preparation:
        await page.get_by_label(re.compile("Krok przygotowania")).check()
    await page.get_by_role("button", name="Dodaj krok").click()
    await expect(page.get_by_role("status").filter(has_text="Dodano krok.")).to_be_visible()


async def test_two_workers_see_each_others_changes_live(platform: Platform) -> None:
    client_id, identity = await shared_client(platform)
    broker_context, broker = await signed_in(platform, platform.broker)
    social_context, social = await signed_in(platform, platform.social, viewport={"width": 820, "height": 1180})
    try:
        # My caseload: the client appears once the reporting read model has it; found by name and by PESEL.
        async def listed() -> bool:
            await broker.goto("/?q=Zawa")
            return await broker.get_by_role("link", name="Zawadzki Tomasz").count() == 1

        await eventually(listed, within=60, interval=0.5)
        await expect(broker.get_by_text("Nieprzeczytane powiadomienia")).to_be_visible()
        await shot(broker, "01-caseload")
        await broker.get_by_label("Imię i nazwisko lub PESEL").fill(identity["pesel"])
        await broker.get_by_label("Imię i nazwisko lub PESEL").press("Enter")
        await expect(broker).to_have_url(re.compile(f"/clients/{client_id}$"))
        await expect(broker.get_by_role("heading", name="Tomasz Zawadzki")).to_be_visible()
        await expect(broker.locator("#plan")).to_contain_text("nie ma jeszcze wspólnego planu")
        await live(broker)

        # The social worker opens the joint plan; the broker's card shows it without reloading.
        await social.goto(f"/clients/{client_id}")
        await social.get_by_role("button", name="Otwórz wspólny plan").click()
        await expect(social.get_by_text("Otwarto wspólny plan.")).to_be_visible()
        await expect(broker.locator("#plan")).to_contain_text("Plan otwarty", timeout=LIVE)
        await expect(broker.locator("#unread-count")).not_to_have_text("0")

        # The social worker adds the social preparation; the broker adds a training (each on their own steps).
        await live(social)
        await broker.goto(f"/clients/{client_id}/steps")
        await live(broker)
        await social.goto(f"/clients/{client_id}/steps")
        await add_step(social, "social_work", "Przygotowanie społeczne: budżet domowy", social_preparation=True)
        await expect(broker.locator("#partner-steps")).to_contain_text("Przygotowanie społeczne: budżet domowy",
                                                                       timeout=LIVE)
        await social.goto(f"/clients/{client_id}")
        await live(social)
        await add_step(broker, "training", "Szkolenie: operator wózka widłowego")
        await expect(social.locator("#plan")).to_contain_text("Szkolenie: operator wózka widłowego", timeout=LIVE)
        await expect(social.locator("#timeline")).to_contain_text("dodano krok planu")
        await shot(social, "03-client-card-tablet")

        # The PZW order rule: the training waits for the social preparation (refused, explained on the page).
        training = broker.locator("article", has_text="Szkolenie: operator wózka widłowego")
        await training.get_by_role("button", name="Ustal termin").click()
        await expect(broker.get_by_role("alert")).to_contain_text("preparation")
        await shot(broker, "04-own-steps")

        # The card at desktop size, and the other screens.
        await broker.goto(f"/clients/{client_id}")
        await expect(broker.locator("#plan")).to_contain_text("MOPS-2473")
        await shot(broker, "02-client-card")
        for path, name, heading in (("/conflicts", "05-conflicts", "Skrzynka konfliktów"),
                                    ("/dashboard", "06-dashboard", "Pulpit kierownika"),
                                    ("/admin/regions", "07-regions", "Rejony i pary pracowników"),
                                    ("/notifications", "08-notifications", "Powiadomienia")):
            await broker.goto(path)
            await expect(broker.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            await shot(broker, name)
        await expect(broker.locator(".inbox")).to_contain_text("otwarto wspólny plan")
    finally:
        await broker_context.close()
        await social_context.close()


async def test_imports_report_language_and_keyboard(platform: Platform, tmp_path: Path) -> None:
    context, page = await signed_in(platform, platform.broker)
    try:
        # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("link", name="Przejdź do treści")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator("main")).to_be_focused()

        # A Syriusz CSV with one good and one bad row: the reconciliation report names the bad one.
        export = tmp_path / "syriusz.csv"
        header = ("id_syriusz;pesel;imie;nazwisko;gmina;teryt;kod_pocztowy;miejscowosc;ulica;nr_domu;wyksztalcenie;"
                  "zawod;historia_zatrudnienia;data_rejestracji;status;prawo_do_zasilku;zasilek_kwota;zasilek_od;"
                  "zasilek_do\n")
        good = person("Irena", "Sowa", date(1975, 2, 3), male=False)["pesel"]
        export.write_text(header + f"S-1;{good};Irena;Sowa;Siemianowice Śląskie;2474011;41-100;Siemianowice Śląskie;"
                          "Jana Pawła II;3;wyższe;;;2026-10-01;zarejestrowany;N;;;\n"
                          "S-2;12345678901;Jan;Błąd;Siemianowice Śląskie;2474011;41-100;Siemianowice Śląskie;"
                          "Jana Pawła II;4;;;;2026-10-01;zarejestrowany;N;;;\n", encoding="utf-8")
        await page.goto("/imports")
        await page.get_by_label("Plik", exact=True).set_input_files(str(export))
        await page.get_by_role("button", name="Importuj").click()
        report = page.locator("#import-report")
        await shot(page, "09-import-report")
        await expect(report.locator("[data-count=created]")).to_have_text("1")
        await expect(report.locator("[data-count=rejected]")).to_have_text("1")
        await expect(report).to_contain_text("S-2")

        # The English switch is kept in a cookie across pages.
        await page.get_by_role("link", name="English").click()
        await expect(page.get_by_role("heading", name="Data import")).to_be_visible()
        await page.goto("/")
        await expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await page.get_by_role("link", name="Polski").click()
        await expect(page.get_by_role("heading", name="Moi klienci")).to_be_visible()

        # Sign-out ends the session here and at the issuer: the next page asks to sign in again.
        await page.get_by_role("button", name="Wyloguj").click()
        await page.goto("/")
        await expect(page).to_have_url(re.compile("/signin"))
        await page.goto("/conflicts")
        await expect(page).to_have_url(re.compile(r"/signin\?next=/conflicts"))
    finally:
        await context.close()
