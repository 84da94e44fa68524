"""W3C trace context carried from HTTP requests through the store and Kafka into consumers."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

tracer = trace.get_tracer("pzw")
_exported = False


def configure_tracing(service_name: str) -> None:
    """Install an SDK tracer provider so spans get real ids (exporters are added from OTEL_* settings)."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    trace.set_tracer_provider(TracerProvider(resource=Resource.create({"service.name": service_name})))


def tracing_exported() -> bool:
    """True when spans leave the process (an exporter is configured): fine-grained spans are worth their cost."""
    return _exported


def current_traceparent() -> str | None:
    """The `traceparent` of the active span, to store with an event; None outside a trace."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> Context | None:
    """The parent context for a span that continues the trace an event was written in."""
    return extract({"traceparent": traceparent}) if traceparent else None
