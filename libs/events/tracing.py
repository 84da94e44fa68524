"""OpenTelemetry: W3C trace context carried from HTTP requests through the store and Kafka into consumers, and
export over OTLP configured by the standard environment variables (OTEL_EXPORTER_OTLP_ENDPOINT, ...)."""

from __future__ import annotations

import os

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

tracer = trace.get_tracer("pzw")
_exported = False


def _exporting(signal: str) -> bool:
    """OTLP export of a signal is on when an endpoint is set and OTEL_<SIGNAL>_EXPORTER is not `none`."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT")
    return bool(endpoint) and os.environ.get(f"OTEL_{signal.upper()}_EXPORTER", "otlp") != "none"


def configure_tracing(service_name: str) -> None:
    """Install the SDK providers once per process: spans always get real ids (their traceparent travels with the
    events); traces and metrics are exported over OTLP/HTTP when the OTEL_* variables ask for it."""
    global _exported
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)})
    provider = TracerProvider(resource=resource)
    if _exporting("traces"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        _exported = True
    trace.set_tracer_provider(provider)
    if _exporting("metrics"):
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        reader = PeriodicExportingMetricReader(OTLPMetricExporter(),
                                               export_interval_millis=int(os.environ.get(
                                                   "OTEL_METRIC_EXPORT_INTERVAL", "10000")))
        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))


def shutdown_telemetry() -> None:
    """Flush what is buffered (spans, metrics) before the process ends."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()
    meter_provider = metrics.get_meter_provider()
    if isinstance(meter_provider, MeterProvider):
        meter_provider.force_flush()


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
