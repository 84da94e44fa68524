"""Composition root of the reporting service: its projections and read-model API."""

from __future__ import annotations

from fastapi import FastAPI

from libs.events.runtime import ServiceRuntime
from libs.events.schemas import registry
from libs.events.service_app import create_app
from services.reporting.config import ReportingSettings
from services.reporting.entrypoints.http import router
from services.reporting.projections.client_directory import ClientDirectory


def build_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = ServiceRuntime("reporting", settings, registry, projections=[ClientDirectory()])
    return create_app("PZW reporting", "Read models per institution, built from the platform's events.",
                      settings, runtime, runtime.lifespan, [router])
