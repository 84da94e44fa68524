"""The reconciliation report of a batch: counts, rejected rows with the fields at fault, progress."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class BatchStatus(StrEnum):
    RUNNING = "running"  # rows are being applied; rows_processed grows
    COMPLETED = "completed"
    FAILED = "failed"  # the body broke off (structure, size) or the service failed; applied rows stay applied
    INTERRUPTED = "interrupted"  # the service stopped during the import; importing the file again finishes it


class Outcome(StrEnum):
    """What one row did to the client record."""

    CREATED = "created"  # registered the person at the institution (a new record, or joined an existing one)
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class Counts:
    """Running totals of a batch (mutated by the one event loop that runs the batch: no locking needed)."""

    rows_processed: int = 0
    created: int = 0
    shared: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    events: int = 0
    peak_rows_in_memory: int = 0
    peak_buffer_chars: int = 0

    def add(self, outcome: Outcome, events: int = 0, shared: bool = False) -> None:
        self.rows_processed += 1
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)
        self.events += events
        self.shared += int(shared)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class FieldProblem(BaseModel):
    field: str = Field(description="the CSV column or JSON path at fault", examples=["pesel", "identity.pesel"])
    message: str


class RejectedRow(BaseModel):
    row_number: int = Field(description="1 = the first client of the file (the first line after a CSV header)")
    external_id: str | None = Field(default=None, description="the row's id in the source system, when readable")
    field: str = Field(description="the first field at fault")
    reason: str = Field(description="every field at fault with what is wrong")
    errors: list[FieldProblem]


class ImportReport(BaseModel):
    """A batch's reconciliation report; while status is running, the counts so far (progress)."""

    batch_id: uuid.UUID
    source: str
    institution_id: str
    format: str
    status: BatchStatus
    exported_at: datetime | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    rows_processed: int
    created: int = Field(description="rows that registered the person at the institution")
    shared: int = Field(description="of created: the person already had a record at another institution")
    updated: int = Field(description="rows that changed facts of an existing client of the institution")
    unchanged: int = Field(description="rows that changed nothing (no events)")
    rejected: int
    events: int = Field(description="events appended by the batch, ClientDataImported included")
    bytes_received: int
    peak_rows_in_memory: int = Field(description="most rows read but not yet applied at one time: bounded by the "
                                     "queues, not by the file")
    peak_buffer_chars: int = Field(description="most body text the reader held at one time")
    error: str | None = None
    rejected_rows: list[RejectedRow]
    rejected_rows_omitted: int = Field(default=0, description="rejected rows past the listed page (use offset)")


class ImportAccepted(BaseModel):
    """The answer to an asynchronous import: where to follow it."""

    batch_id: uuid.UUID
    status: BatchStatus
    report: str = Field(description="GET this for progress and, once completed, the report")
