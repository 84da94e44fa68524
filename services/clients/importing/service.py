"""The import use case: open a batch, stream its rows through validation to the record, keep its report."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import structlog

from libs.events.decider import Forbidden
from libs.events.envelope import Actor
from libs.events.ids import new_id
from libs.events.store import PostgresEventStore
from services.clients.adapters.identity_index import PostgresIdentityIndex
from services.clients.config import ClientsSettings
from services.clients.importing.applier import BatchRef, GroupIndexes, ImportingClients, Job
from services.clients.importing.planning import ImportContext
from services.clients.importing.readers import BatchReader, FormatError
from services.clients.importing.records import ClientRow, SourceSystem, row_hash
from services.clients.importing.report import BatchStatus, Counts, ImportReport, Outcome
from services.clients.importing.repository import ImportRepository
from services.clients.importing.upload import Meter
from services.clients.importing.validation import Rejection, validate

log = structlog.get_logger(__name__)

GROUP_ROWS = 20  # rows a worker writes in one transaction
CHUNK_ROWS = 100  # rows validated together and checked against import_rows in one query


@dataclass
class OpenedBatch:
    """A batch whose header has been read: the rows follow from `reader`."""

    ref: BatchRef
    reader: BatchReader
    meter: Meter


@dataclass
class _Run:
    """The mutable state of one running batch (one event loop: no locks)."""

    counts: Counts = field(default_factory=Counts)
    rejections: list[Rejection] = field(default_factory=list)
    pending: Counter[str] = field(default_factory=Counter)  # identity keys queued or being applied
    failure: BaseException | None = None
    parsed: int = 0

    def reject(self, rejection: Rejection) -> None:
        self.rejections.append(rejection)
        self.counts.add(Outcome.REJECTED)


class ImportService:
    """Runs imports: rows are validated as they are read and applied by `workers` concurrent tasks.

    Rows of one person always go to the same worker, so they are applied in file order; the queues are bounded,
    so a slow database slows down reading the body instead of filling memory.
    """

    def __init__(self, clients: ImportingClients, repository: ImportRepository, *, workers: int = 8,
                 queue_rows: int = 2 * GROUP_ROWS, progress_every: float = 0.5, max_bytes: int = 200_000_000) -> None:
        self.max_bytes = max_bytes
        self._clients = clients
        self._repository = repository
        self._workers = workers
        self._queue_rows = queue_rows
        self._progress_every = progress_every
        self._tasks: set[asyncio.Task[None]] = set()

    async def open(self, reader: BatchReader, source: SourceSystem, actor: Actor, meter: Meter,
                   exported_at: datetime | None = None) -> OpenedBatch:
        """Read the header, check it against the URL and the actor, and record the batch as running."""
        envelope = await reader.open()
        if envelope.source is not None and envelope.source.upper() != source.event_source.value:
            raise FormatError(f"the body is a {envelope.source} export, the URL imports {source.value}", "source")
        if envelope.institution_id is not None and envelope.institution_id != actor.institution:
            raise Forbidden(f"{actor.institution} imports its own clients, not those of {envelope.institution_id}")
        exported = envelope.exported_at or exported_at or datetime.now(UTC)
        ctx = ImportContext(actor.institution, source.institution_kind, source, exported.date())
        ref = BatchRef(new_id(), ctx, actor)
        await self._repository.create_batch(ref.batch_id, actor.institution, source.event_source.value,
                                            reader.format, actor, exported)
        return OpenedBatch(ref, reader, meter)

    async def run(self, batch: OpenedBatch) -> ImportReport:
        """Import every row; the batch ends completed, failed (re-raised) or interrupted (cancelled)."""
        run = _Run()
        stop = asyncio.Event()
        heartbeat = asyncio.create_task(self._heartbeat(batch, run, stop))
        try:
            await self._pipeline(batch, run)
        except asyncio.CancelledError:
            await self._close(batch, run, heartbeat, stop, BatchStatus.INTERRUPTED,
                              "the service stopped during the import")
            raise
        except Exception as exc:
            await self._close(batch, run, heartbeat, stop, BatchStatus.FAILED, str(exc) or type(exc).__name__)
            raise
        await self._close(batch, run, heartbeat, stop, BatchStatus.COMPLETED, None)
        report = await self._repository.report(batch.ref.batch_id)
        assert report is not None
        return report

    def start(self, batch: OpenedBatch, cleanup: Callable[[], None]) -> None:
        """Run the batch in the background (GET /imports/{batch_id} follows it); `cleanup` runs at the end."""
        task = asyncio.create_task(self._background(batch, cleanup), name=f"import {batch.ref.batch_id}")
        self._tasks.add(task)  # a reference, or the loop could collect the running task
        task.add_done_callback(self._tasks.discard)

    async def report(self, batch_id: uuid.UUID, institution_id: str, offset: int = 0,
                     limit: int = 1000) -> ImportReport | None:
        """The report of a batch of `institution_id` (Forbidden for another institution's batch)."""
        report = await self._repository.report(batch_id, offset, limit)
        if report is not None and report.institution_id != institution_id:
            raise Forbidden(f"batch {batch_id} belongs to {report.institution_id}")
        return report

    async def recover(self, idle_seconds: float = 600) -> None:
        """At start-up: batches left running by a process that died are marked interrupted."""
        if count := await self._repository.interrupt_stale(idle_seconds):
            log.warning("imports interrupted by an earlier stop", batches=count)

    async def stop(self) -> None:
        """Cancel background imports (they end interrupted; importing the file again completes them)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _background(self, batch: OpenedBatch, cleanup: Callable[[], None]) -> None:
        try:
            await self.run(batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # recorded on the batch by run(); the report says what went wrong
            log.warning("background import failed", batch_id=str(batch.ref.batch_id), error=repr(exc))
        finally:
            cleanup()

    async def _pipeline(self, batch: OpenedBatch, run: _Run) -> None:
        queues: list[asyncio.Queue[Job | None]] = [asyncio.Queue(self._queue_rows) for _ in range(self._workers)]
        workers = [asyncio.create_task(self._work(queue, batch.ref, run)) for queue in queues]
        broken: Exception | None = None
        try:
            try:
                async for chunk in _chunked(batch.reader.rows(), CHUNK_ROWS):
                    await self._dispatch(chunk, batch, run, queues)
                    if run.failure is not None:
                        break
            except Exception as exc:  # the body broke off: the rows read before it are still applied
                broken = exc
            for queue in queues:
                await queue.put(None)
            await asyncio.gather(*workers)
        except asyncio.CancelledError:
            for worker in workers:
                worker.cancel()
            raise
        failure = broken or run.failure
        if failure is not None:
            raise failure

    async def _dispatch(self, chunk: list[tuple[int, object]], batch: OpenedBatch, run: _Run,
                        queues: list[asyncio.Queue[Job | None]]) -> None:
        """Validate a chunk, count rows whose hash is unchanged, queue the rest to the worker of their person."""
        run.parsed += len(chunk)
        counts = run.counts
        counts.peak_rows_in_memory = max(counts.peak_rows_in_memory, run.parsed - counts.rows_processed)
        counts.peak_buffer_chars = batch.reader.peak_buffered_chars
        valid: list[tuple[int, ClientRow, str]] = []
        for number, raw in chunk:
            checked = raw if isinstance(raw, Rejection) else validate(batch.ref.ctx.source, number, raw,
                                                                      batch.reader.field_name)
            if isinstance(checked, Rejection):
                run.reject(checked)
            else:
                valid.append((number, checked, row_hash(checked)))
        # The fast path reads the stored hashes of the whole chunk at once. A person with a row still queued is left
        # out of it: that row may change the stored hash, so their later rows must be checked after it, in order.
        keys = [row.identity_key for _, row, _ in valid if not run.pending[row.identity_key]]
        ctx = batch.ref.ctx
        found = await self._repository.lookup(ctx.institution_id, ctx.source.event_source.value, keys) if keys \
            else {}
        for number, row, digest in valid:
            key = row.identity_key
            lookup = None if run.pending[key] else found.get(key)
            if lookup is not None and lookup.previous is not None and lookup.previous.row_hash == digest:
                run.counts.add(Outcome.UNCHANGED)
                continue
            run.pending[key] += 1
            await queues[hash(key) % len(queues)].put(Job(number, row, digest, lookup))

    async def _work(self, queue: asyncio.Queue[Job | None], batch: BatchRef, run: _Run) -> None:
        """Apply queued rows in groups of up to GROUP_ROWS (what is queued already: a group never waits to fill)."""
        done = False
        while not done:
            first = await queue.get()
            if first is None:
                return
            group, people = [first], {first.row.identity_key}
            while len(group) < GROUP_ROWS and not queue.empty():
                job = queue.get_nowait()
                if job is None:
                    done = True
                    break
                if job.row.identity_key in people:  # a person's next row must see their previous one committed
                    await self._apply(batch, run, group)
                    group, people = [], set()
                group.append(job)
                people.add(job.row.identity_key)
            await self._apply(batch, run, group)

    async def _apply(self, batch: BatchRef, run: _Run, group: list[Job]) -> None:
        try:
            if run.failure is None:  # after a failure the queue is only drained, so the reader never blocks
                for job, result in zip(group, await self._clients.apply_rows(batch, group), strict=True):
                    if result.error is not None:
                        run.reject(Rejection(job.row_number, (result.error,), job.row.external_id))
                    else:
                        run.counts.add(result.outcome, result.events, result.shared)
        except Exception as exc:
            run.failure = run.failure or exc
        finally:
            for job in group:
                run.pending[job.row.identity_key] -= 1
                if not run.pending[job.row.identity_key]:
                    del run.pending[job.row.identity_key]

    async def _heartbeat(self, batch: OpenedBatch, run: _Run, stop: asyncio.Event) -> None:
        """Store the counts (progress) and the new rejections every `progress_every` seconds until `stop`."""
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), self._progress_every)
            try:
                await self._flush(batch, run)
            except Exception as exc:  # progress is best effort; the final flush reports a lasting failure
                log.warning("import progress not stored", batch_id=str(batch.ref.batch_id), error=repr(exc))

    async def _flush(self, batch: OpenedBatch, run: _Run) -> None:
        rejections = run.rejections[:]
        await self._repository.progress(batch.ref.batch_id, run.counts, batch.meter.received, rejections)
        del run.rejections[:len(rejections)]  # only once stored; rows rejected meanwhile stay for the next flush

    async def _close(self, batch: OpenedBatch, run: _Run, heartbeat: asyncio.Task[None], stop: asyncio.Event,
                     status: BatchStatus, error: str | None) -> None:
        # The heartbeat is stopped, not cancelled: a cancelled flush would roll back rejections already taken.
        stop.set()
        await heartbeat
        await self._flush(batch, run)
        await self._repository.finish(batch.ref.batch_id, status, error)


async def _chunked(rows: AsyncIterator[tuple[int, object]], size: int) -> AsyncIterator[list[tuple[int, object]]]:
    chunk: list[tuple[int, object]] = []
    try:
        async for item in rows:
            chunk.append(item)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    except Exception:
        if chunk:
            yield chunk  # the rows read before the body broke off are applied, then the error is raised
        raise
    if chunk:
        yield chunk


def build_import_service(pool: asyncpg.Pool, store: PostgresEventStore, settings: ClientsSettings) -> ImportService:
    """The import use case on the service's pool. Each worker holds at most one connection at a time; a third of
    the pool stays free for the HTTP API, the relay and progress updates."""
    repository = ImportRepository(pool)
    clients = ImportingClients(pool, store, PostgresIdentityIndex(pool), GroupIndexes(pool), repository)
    return ImportService(clients, repository, workers=max(1, min(8, settings.pool_size * 2 // 3)),
                         max_bytes=settings.max_import_bytes)
