"""HTTP API of the regional feed: a cursor-paginated feed and aggregates per voivodeship, for its ROPS."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from pydantic import BaseModel, Field

from libs.events.auth import current_actor
from libs.events.decider import Forbidden
from libs.events.envelope import Actor
from libs.events.kafka_admin import ensure_topics
from libs.events.kafka_codec import ce_type
from libs.events.schemas.common import InstitutionKind, institution_kind
from libs.events.store import START, Checkpoint
from services.reporting.regional import feed_store
from services.reporting.regional.aggregates import aggregate, months_of
from services.reporting.regional.deidentify import all_topics, regional_topic
from services.reporting.regional.publisher import RegionalPublisher
from services.reporting.regional.settings import RegionalSettings

log = structlog.get_logger(__name__)

RegionPath = Annotated[str, Path(pattern=r"^(02|04|06|08|10|12|14|16|18|20|22|24|26|28|30|32)$",
                                 description="voivodeship: first two digits of TERYT", examples=["24"])]


class FeedItemView(BaseModel):
    """One item of the feed: a CloudEvent in structured form (`data` is the item's payload)."""

    id: uuid.UUID
    type: str = Field(examples=["pl.pzw.regional.RegionalPlanClosed"])
    schema_version: int
    subject: str = Field(description="the stream: `<region>:<pseudonym>` (or `<region>:<offer id>`)")
    stream_version: int
    month: str
    cursor: str = Field(description="pass as `after` to read the items that follow this one")
    data: dict[str, Any]


class FeedPage(BaseModel):
    items: list[FeedItemView]
    next_after: str | None = Field(description="cursor of the next page; null when the feed is read to its end")


class CellView(BaseModel):
    measure: str
    month: str
    dimension: str | None
    value: str | None
    count: int | None = Field(description="null when suppressed (fewer than the threshold, or secondary)")
    suppressed: bool


class Aggregates(BaseModel):
    region: str
    period: str
    months: list[str]
    min_cell: int = Field(description="cells counting fewer people are suppressed")
    cells: list[CellView]


def _pool(request: Request) -> asyncpg.Pool:
    runtime_pool: asyncpg.Pool = request.app.state.runtime.pool
    return runtime_pool


PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]
ActorDep = Annotated[Actor, Depends(current_actor)]


def _rops_of(region: str, actor: Actor) -> None:
    """Only the region's ROPS (institution `ROPS-<voivodeship>`) reads its feed (docs/decisions/0004-identity.md)."""
    code = actor.institution.split("-", 1)[-1]
    if institution_kind(actor.institution) is not InstitutionKind.ROPS or not code.startswith(region):
        raise Forbidden(f"{actor.institution} may not read the feed of voivodeship {region}: only ROPS-{region}")


def build_router(settings: RegionalSettings) -> APIRouter:
    """The routes, and a lifespan that starts the publisher once the service's runtime has started."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = app.state.runtime
        if not settings.publish:
            yield
            return
        bootstrap, partitions = runtime.settings.kafka_bootstrap, runtime.settings.topic_partitions
        specs = [regional_topic(t, partitions) for t in all_topics()]
        await ensure_topics(bootstrap, specs + [s.dead_letter for s in specs])
        publisher = RegionalPublisher.for_kafka(runtime.pool, bootstrap, settings.source)
        app.state.regional_publisher = publisher
        stop = asyncio.Event()
        task = asyncio.create_task(_supervise(publisher, stop), name="regional feed publisher")
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=10)

    router = APIRouter(tags=["regional feed (ROPS)"], lifespan=lifespan)

    @router.get("/regional/{region}/feed", response_model=FeedPage,
                responses={403: {"description": "not the ROPS of this voivodeship"}})
    async def feed(
        region: RegionPath, db: PoolDep, actor: ActorDep,
        after: Annotated[str | None, Query(pattern=r"^\d+:\d+$", description="cursor from the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> FeedPage:
        """De-identified items of the voivodeship in commit order, one page at a time (no PESEL, names,
        addresses, free text or exact dates; subjects are pseudonyms of this region only)."""
        _rops_of(region, actor)
        items = await feed_store.page(db, region, Checkpoint.parse(after) if after else START, limit)
        views = [FeedItemView(id=i.item_id, type=ce_type("regional", i.item_type), schema_version=i.schema_version,
                              subject=i.stream_id, stream_version=i.stream_version, month=i.month,
                              cursor=str(i.cursor), data=i.data) for i in items]
        return FeedPage(items=views, next_after=views[-1].cursor if len(views) == limit else None)

    @router.get("/regional/{region}/aggregates", response_model=Aggregates,
                responses={403: {"description": "not the ROPS of this voivodeship"},
                           422: {"description": "period is not YYYY, YYYY-Qn or YYYY-MM"}})
    async def aggregates(
        region: RegionPath, db: PoolDep, actor: ActorDep,
        period: Annotated[str, Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$", examples=["2026-03"])],
    ) -> Aggregates:
        """Counts of people per month, institution kind, activation form and more; cells under the threshold
        are suppressed, and one more cell when a single hidden one would follow from the total."""
        _rops_of(region, actor)
        cells = await aggregate(db, region, period, settings.min_cell)
        return Aggregates(region=region, period=period, months=months_of(period), min_cell=settings.min_cell,
                          cells=[CellView(measure=c.measure, month=c.month, dimension=c.dimension, value=c.value,
                                          count=c.count, suppressed=c.suppressed) for c in cells])

    return router


async def _supervise(publisher: RegionalPublisher, stop: asyncio.Event) -> None:
    backoff = 0.5
    while not stop.is_set():
        try:
            await publisher.run(stop)
        except Exception as exc:
            log.error("regional publisher crashed; restarting", error=repr(exc), backoff=backoff)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=backoff)
            backoff = min(backoff * 2, 30.0)
