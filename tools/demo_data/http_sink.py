"""Sink (a): a data set sent through the services' HTTP APIs (for `pilot` against a running `make run`)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from dataclasses import dataclass, field

import httpx

from libs.events.schemas import clients as c
from libs.events.schemas import matching as m
from tools.demo_data.dataset import DataSet
from tools.demo_data.http_replay import ClientReplay, body, headers, ok
from tools.demo_data.progress import Progress
from tools.demo_data.tokens import ActorTokens

DEFAULT_URLS = {"clients": "http://127.0.0.1:8001", "plans": "http://127.0.0.1:8002",
                "matching": "http://127.0.0.1:8003"}
"""The ports `make run` gives the services (deploy/local/services.py)."""


@dataclass
class HttpReport:
    """What the HTTP sink did: clients and requests that went through, and failures with their reasons."""

    clients: int = 0
    events: int = 0
    failures: list[str] = field(default_factory=list)
    client_ids: list[str] = field(default_factory=list)


async def send_over_http(dataset: DataSet, urls: dict[str, str] | None = None, *, tokens: ActorTokens,
                         concurrency: int = 8, progress: Progress | None = None,
                         request_timeout: float = 30.0) -> HttpReport:
    """Send the setup, then every client's story (`concurrency` clients at a time, each in its own order), each
    request with the access token of the story's worker."""
    urls = {**DEFAULT_URLS, **(urls or {})}
    report = HttpReport()
    async with httpx.AsyncClient(timeout=request_timeout) as http:
        offers = await _setup(http, urls, dataset, tokens)
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                story = dataset.story(index)
                replay = ClientReplay(http, urls, offers, tokens)
                try:
                    await replay.replay(story)
                except Exception as exc:  # keep going: a demo load reports what failed instead of stopping
                    report.failures.append(f"client {index}: {exc}")
                else:
                    report.clients += 1
                    report.events += len(story)
                if replay.client:
                    report.client_ids.append(replay.client)
                if progress is not None:
                    progress.add(1, len(story))

        await asyncio.gather(*(one(i) for i in range(dataset.scenario.clients)))
    return report


async def _setup(http: httpx.AsyncClient, urls: dict[str, str], dataset: DataSet,
                 tokens: ActorTokens) -> dict[uuid.UUID, str]:
    """Agreements, regions and offers; returns the offers' ids as the matching service assigned them."""
    offers: dict[uuid.UUID, str] = {}
    for event in dataset.setup():
        e, who = event.payload, headers(tokens, event.actor)
        if isinstance(e, c.CooperationAgreementSigned):
            await ok(await http.post(f"{urls['clients']}/agreements", headers=who, json=body(
                e, "pup_institution_id", "ops_institution_id", "valid", "legal_basis", "social_preparation_first",
                "requires_consent")))
        elif isinstance(e, c.RegionDefined):
            await ok(await http.post(f"{urls['clients']}/regions", headers=who, json=body(
                e, "name", "pup_institution_id", "ops_institution_id", "area", "workers", "priority")))
        elif isinstance(e, m.OfferPublished):
            offer = await ok(await http.post(f"{urls['matching']}/offers", headers=who, json=body(
                e, "kind", "instrument", "title", "location", "requirements", "capacity", "period", "monthly_pay")))
            offers[e.offer_id] = offer["offer_id"]
    return offers


def print_report(report: HttpReport) -> None:
    print(f"sent {report.clients} clients ({report.events} events of their stories) over HTTP; "
          f"{len(report.failures)} failed")
    for failure in report.failures[:20]:
        print(f"  {failure}", file=sys.stderr)
