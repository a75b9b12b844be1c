"""Refresh runs: one row per run in the organisation's `runs` partition, with progress per dataset.

The row is the single source of truth for a run's state; every writer re-reads it and writes with its
ETag, so a redelivered message or a second instance can never silently overwrite newer progress.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.ownership import TableOwner
from shared.snapshot import Dataset
from shared.storage import (
    AlreadyExistsError,
    NotFoundError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)

RunState = Literal["queued", "collecting", "computing", "published", "failed"]
DatasetStatus = Literal["pending", "running", "complete", "failed", "unavailable"]
RunTrigger = Literal["schedule", "member"]
IN_PROGRESS: frozenset[RunState] = frozenset({"queued", "collecting", "computing"})
# Every invocation that works on a run writes it when it starts, and none runs longer than host.json's
# functionTimeout (30 minutes): a run in progress that nobody wrote for longer has stopped (its message
# was lost or poisoned, or its worker died) and is shown, and treated, as failed.
STALLED_AFTER = timedelta(minutes=35)
STALLED_REASON = (
    "the refresh stopped without finishing (no progress for 35 minutes); start it again with refresh now"
)


class DatasetProgress(BaseModel):
    status: DatasetStatus = "pending"
    rows: int = 0
    bytes: int = 0
    # Where collection resumes while the dataset is pending (a Graph nextLink and block counts; never a
    # secret). Internal: left out when a run is serialised for the API; the repository stores it.
    cursor: str | None = Field(default=None, exclude=True)
    # The written file, once complete: what the manifest records.
    sha256: str = ""
    endpoint: str = ""
    data_as_of: date | None = None  # the data's own date, e.g. a usage report's refresh date
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)


class RunTimings(BaseModel):
    collect_started: datetime | None = None
    collect_finished: datetime | None = None
    compute_started: datetime | None = None
    compute_finished: datetime | None = None


class RunRecord(BaseModel):
    run_id: str
    as_of: date
    trigger: RunTrigger
    state: RunState = "queued"
    created_at: datetime
    updated_at: datetime
    datasets: dict[str, DatasetProgress] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None
    continuations: int = 0
    timings: RunTimings = Field(default_factory=RunTimings)
    # A recompute collects nothing: it computes again from this run's snapshot, with today's settings.
    snapshot_of: str | None = None
    # The organisation's settings (prices, groups, threshold) the published figures were computed with.
    settings_version: str | None = None
    etag: str = Field(default="", exclude=True)

    def stalled(self, now: datetime) -> bool:
        return self.state in IN_PROGRESS and now - self.updated_at > STALLED_AFTER

    def as_seen(self, now: datetime) -> RunRecord:
        """The run as a reader should see it: a stalled run is failed, with the reason."""
        if not self.stalled(now):
            return self
        return self.model_copy(update={"state": "failed", "error": self.error or STALLED_REASON})


def new_run(
    run_id: str, as_of: date, trigger: RunTrigger, now: datetime, *, snapshot_of: RunRecord | None = None
) -> RunRecord:
    """A run as every creator writes it: each dataset listed (pending), so progress reads 0/N at once.

    A recompute (`snapshot_of`) takes the datasets of the snapshot it reads: nothing is collected.
    """
    if snapshot_of is None:
        datasets = {dataset.value: DatasetProgress() for dataset in Dataset}
        source = None
    else:
        datasets = dict(snapshot_of.datasets)
        source = snapshot_of.snapshot_of or snapshot_of.run_id
    return RunRecord(
        run_id=run_id,
        as_of=as_of,
        trigger=trigger,
        created_at=now,
        updated_at=now,
        datasets=datasets,
        warnings=list(snapshot_of.warnings) if snapshot_of else [],
        snapshot_of=source,
    )


def daily_run_id(as_of: date) -> str:
    """The scheduled run of a day has a fixed id, so fanning out twice on one day starts one run."""
    return f"daily-{as_of.isoformat()}"


def _unique_run_id(kind: str, now: datetime) -> str:
    # The time orders runs for people; the suffix keeps two runs started in one second apart.
    return f"{kind}-{now.astimezone(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def member_run_id(now: datetime) -> str:
    return _unique_run_id("manual", now)


def recompute_run_id(now: datetime) -> str:
    return _unique_run_id("recompute", now)


class RunRepository:
    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.RUNS, tokens=tokens)

    @staticmethod
    def _properties(record: RunRecord) -> dict[str, object]:
        # Queryable scalars as columns; the nested progress as one JSON column (well under 64 KiB).
        return {
            "as_of": record.as_of.isoformat(),
            "state": record.state,
            "trigger": record.trigger,
            "created_at": record.created_at.isoformat(),
            "updated_at": record.updated_at.isoformat(),
            "document": json.dumps(RunRepository._document(record), separators=(",", ":")),
        }

    @staticmethod
    def _document(record: RunRecord) -> dict[str, Any]:
        document = record.model_dump(mode="json")
        for name, progress in record.datasets.items():
            document["datasets"][name]["cursor"] = progress.cursor
        return document

    @staticmethod
    def _record(document: str, etag: str) -> RunRecord:
        record = RunRecord.model_validate(json.loads(document))
        return record.model_copy(update={"etag": etag})

    def create_if_absent(self, record: RunRecord) -> RunRecord:
        """Insert the run, or return the one already there (at-least-once delivery)."""
        try:
            etag = self._table.insert(record.run_id, self._properties(record))
        except AlreadyExistsError:
            return self.get(record.run_id)
        return record.model_copy(update={"etag": etag})

    def get(self, run_id: str) -> RunRecord:
        """The run, or `NotFoundError` (also for another organisation's run id)."""
        entity = self._table.get(run_id)
        return self._record(entity.properties["document"], entity.etag)

    def find(self, run_id: str) -> RunRecord | None:
        try:
            return self.get(run_id)
        except NotFoundError:
            return None

    def save(self, record: RunRecord, *, now: datetime | None = None) -> RunRecord:
        """Write with the record's ETag; `ConcurrencyError` if someone else wrote since it was read."""
        updated = record.model_copy(update={"updated_at": now or datetime.now(UTC)})
        etag = self._table.update(record.run_id, self._properties(updated), etag=record.etag)
        return updated.model_copy(update={"etag": etag})

    def list_recent(self, limit: int = 50) -> list[RunRecord]:
        """Newest first; an organisation has about one run a day, kept for the retention period."""
        records = [self._record(entity.properties["document"], entity.etag) for entity in self._table.query()]
        records.sort(key=lambda record: record.created_at, reverse=True)
        return records[:limit]

    def iter_all(self) -> Iterator[RunRecord]:
        for entity in self._table.query():
            yield self._record(entity.properties["document"], entity.etag)

    def delete(self, run_id: str) -> None:
        self._table.delete(run_id)


RUNS_OWNER = TableOwner.of_organisation_table(
    TableName.RUNS,
    __name__,
    keeps="names no member; a run expires with its insights (the retention job's insight sweep)",
)
