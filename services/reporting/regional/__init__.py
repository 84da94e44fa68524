"""The de-identified regional feed for ROPS: a projection, its publisher and its HTTP API.

Plug it into the reporting service with one projection and one router (services/reporting/bootstrap.py):

    regional = RegionalFeed()
    runtime = ServiceRuntime("reporting", settings, registry, projections=[ClientDirectory(), regional.projection])
    ... create_app(..., [router, regional.router], policy=POLICY)

The router's lifespan creates the regional topics and runs the publisher once the runtime has started.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.reporting.regional.deidentify import Pseudonymiser
from services.reporting.regional.http import build_router
from services.reporting.regional.projection import RegionalFeedProjection
from services.reporting.regional.settings import RegionalSettings


class RegionalFeed:
    """The projection and the router of the regional feed, sharing one settings object (and pseudonym key)."""

    def __init__(self, settings: RegionalSettings | None = None) -> None:
        self.settings = settings or RegionalSettings()
        self.pseudonyms = Pseudonymiser(self.settings.key())
        self.projection = RegionalFeedProjection(self.pseudonyms)
        self.router: APIRouter = build_router(self.settings)


__all__ = ["RegionalFeed", "RegionalFeedProjection", "RegionalSettings"]
