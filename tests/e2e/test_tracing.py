"""One trace from an HTTP request through the event store, the outbox relay and Kafka into the consumers of
other services and the notification that results, exported over OTLP (configured by the standard OTEL_* variables)
to a real OTLP/HTTP receiver."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from libs.events.infra import Infrastructure
from tests.conftest import create_database
from tests.support.people import ADDRESS, administrator, institution_of, person, supervisor, worker
from tests.support.processes import Process
from tests.support.services import eventually, serving

pytestmark = pytest.mark.infra

PUP, OPS = worker("PUP-6101", "a@pup-6101", "job_broker"), worker("MOPS-610101", "b@mops-610101", "social_worker")


class Receiver:
    """What the services exported: service names per trace id."""

    def __init__(self) -> None:
        self.services: dict[str, set[str]] = defaultdict(set)
        self.spans: dict[str, list[str]] = defaultdict(list)
        self.metrics: dict[str, set[str]] = defaultdict(set)  # metric name -> services that exported it
        app = FastAPI()

        @app.post("/v1/traces")
        async def traces(request: Request) -> Response:
            export = ExportTraceServiceRequest()
            export.ParseFromString(await request.body())
            for resource_spans in export.resource_spans:
                service = next(a.value.string_value for a in resource_spans.resource.attributes
                               if a.key == "service.name")
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        self.services[span.trace_id.hex()].add(service)
                        self.spans[span.trace_id.hex()].append(f"{service}: {span.name}")
            return Response(status_code=200)

        @app.post("/v1/metrics")
        async def metrics(request: Request) -> Response:
            export = ExportMetricsServiceRequest()
            export.ParseFromString(await request.body())
            for resource_metrics in export.resource_metrics:
                service = next(a.value.string_value for a in resource_metrics.resource.attributes
                               if a.key == "service.name")
                for scope in resource_metrics.scope_metrics:
                    for metric in scope.metrics:
                        self.metrics[metric.name].add(service)
            return Response(status_code=200)

        self.app = app


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    collected = Receiver()
    async with serving(collected.app) as http:
        yield collected, str(http.base_url)


async def test_one_trace_spans_the_request_the_relay_the_consumers_and_the_notification(
    infra: Infrastructure, receiver: tuple[Receiver, str], tmp_path: Path
) -> None:
    collected, endpoint = receiver
    processes = []
    for module, prefix in (("services.clients", "CLIENTS"), ("services.plans", "PLANS"),
                           ("services.reporting", "REPORTING"), ("services.notifications", "NOTIFICATIONS")):
        keys = {"PZW_KEY_SERVICE_URL": processes[0].url} if processes else {}  # clients gives the data keys
        process = Process(module, prefix, await create_database(infra.postgres_dsn, "trace"), infra, tmp_path,
                          env={"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SERVICE_NAME": f"pzw-{prefix.lower()}",
                               "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_METRIC_EXPORT_INTERVAL": "1000",
                               "PZW_NOTIFICATIONS_SMTP_ENABLED": "false", **keys})
        process.start()
        processes.append(process)
    clients = processes[0]
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            for process in processes:
                await eventually(lambda p=process: _ready(http, p.url), within=60)
            agreement = await http.post(f"{clients.url}/agreements", headers=supervisor(institution_of(PUP)), json={
                "pup_institution_id": "PUP-6101", "ops_institution_id": "MOPS-610101", "valid": {"from": "2026-01-01"},
                "legal_basis": {"code": "X", "text": "x", "applies_from": "2025-06-01"}})
            assert agreement.status_code == 201
            # The pair of workers of the client's area: the social worker hears of the PUP's status change.
            region = await http.post(f"{clients.url}/regions", headers=administrator(institution_of(OPS)), json={
                "name": "Rejon T", "pup_institution_id": "PUP-6101", "ops_institution_id": "MOPS-610101",
                "area": {"postal_codes": [ADDRESS["postal_code"]]},
                "workers": {"job_broker": "a@pup-6101", "social_worker": "b@mops-610101"}})
            assert region.status_code == 201, region.text
            someone = person("Olga", "Trace", male=False)
            body = {"identity": someone, "address": ADDRESS, "registered_on": "2026-11-02"}
            await http.post(f"{clients.url}/clients", headers=PUP,
                            json={**body, "institution_id": "PUP-6101", "institution_kind": "PUP"})
            shared = await http.post(f"{clients.url}/clients", headers=OPS,
                                     json={**body, "institution_id": "MOPS-610101", "institution_kind": "OPS"})
            assert shared.status_code == 201
            client_id = shared.json()["client_id"]

            async def trace_across_three() -> str | None:
                return next((t for t, services in collected.services.items()
                             if services >= {"pzw-clients", "pzw-plans", "pzw-reporting"}), None)

            trace_id = await eventually(trace_across_three, within=60)

            async def metrics_exported() -> bool:
                return ("pzw-clients" in collected.metrics["pzw.eventstore.append.duration"]
                        and "pzw-clients" in collected.metrics["pzw.outbox.backlog"]
                        and "pzw-reporting" in collected.metrics["pzw.consumer.lag"])

            await eventually(metrics_exported, within=30)

            # A status change by the PUP: its trace reaches the notifications service, which tells the partner.
            async def paired() -> bool:
                record = await http.get(f"{clients.url}/clients/{client_id}", headers=PUP)
                return record.status_code == 200 and bool(record.json()["assignments"])

            await eventually(paired, within=30)
            changed = await http.post(f"{clients.url}/clients/{client_id}/unemployment-status", headers=PUP, json={
                "status": "deregistered", "reason": "took_work", "effective_on": "2026-11-20"})
            assert changed.status_code == 200, changed.text
            notifications = processes[3]

            async def told() -> bool:
                inbox = await http.get(f"{notifications.url}/inbox", headers=OPS)
                return inbox.status_code == 200 and any(i["kind"] == "partner_changed_status"
                                                        for i in inbox.json()["items"])

            await eventually(told, within=60)

            async def status_trace() -> str | None:
                return next((t for t, names in collected.spans.items()
                             if any(n.startswith("pzw-clients: POST /clients/{client_id}/unemployment-status")
                                    for n in names)
                             and "pzw-notifications" in collected.services[t]), None)

            notified = await eventually(status_trace, within=30)
    finally:
        for process in processes:
            process.stop()
    assert collected.services[trace_id] >= {"pzw-clients", "pzw-plans", "pzw-reporting"}
    names = collected.spans[trace_id]
    assert any(n.startswith("pzw-clients: POST") for n in names), names
    assert "pzw-clients: eventstore.append" in names
    assert any(n.startswith("pzw-clients: pzw.clients.v1 publish") for n in names), names
    told_spans = collected.spans[notified]
    # The notifications consumer's span of the status event (its batch's, or the event's own in a larger batch):
    # the notification the inbox showed was stored in that span's transaction.
    assert any(n.startswith("pzw-notifications: notify_") and n.endswith((" apply", " process"))
               for n in told_spans), told_spans


async def _ready(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(f"{url}/health/ready")).status_code == 200
    except httpx.HTTPError:
        await asyncio.sleep(0.2)
        return False
