"""Checkpoints of the scheduled operations jobs: "since its last run", safe with many instances.

`operationsstate`, partition `checkpoint`, row `<job>` → `until` (the end of the last range processed)
and a lease. A run claims the job by writing its lease conditional on the row's ETag: of two instances
woken by the same timer, one claims and the other skips. A run that dies keeps its lease until it
expires; the next run then processes the range again (the jobs' writes are idempotent).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.ownership import OPERATIONS_RECORD, TableOwner
from shared.storage import (
    AlreadyExistsError,
    ConcurrencyError,
    NotFoundError,
    PageTokenSigner,
    SharedTable,
    StorageClients,
    TableName,
)

CHECKPOINT_PARTITION = "checkpoint"


@dataclass(frozen=True)
class Claim:
    job: str
    since: datetime | None  # None: the job never completed a run
    etag: str


class JobCheckpoint:
    def __init__(
        self, clients: StorageClients, tokens: PageTokenSigner, job: str, *, lease: timedelta
    ) -> None:
        self._partition = SharedTable(clients, TableName.OPERATIONS_STATE, tokens=tokens).partition(
            CHECKPOINT_PARTITION
        )
        self._job = job
        self._lease = lease

    def claim(self, now: datetime) -> Claim | None:
        """Take the job until the lease runs out; None when another instance holds it."""
        lease = {"lease_owner": uuid.uuid4().hex, "lease_until": now + self._lease}
        try:
            entity = self._partition.get(self._job)
        except NotFoundError:
            try:
                etag = self._partition.insert(self._job, lease)
            except AlreadyExistsError:
                return None
            return Claim(self._job, None, etag)
        held_until = entity.properties.get("lease_until")
        if isinstance(held_until, datetime) and held_until > now:
            return None
        until = entity.properties.get("until")
        try:
            etag = self._partition.update(self._job, {**entity.properties, **lease}, etag=entity.etag)
        except ConcurrencyError:
            return None
        return Claim(self._job, until if isinstance(until, datetime) else None, etag)

    def last_until(self) -> datetime | None:
        """The end of the last completed run, or None."""
        try:
            until = self._partition.get(self._job, select=["RowKey", "until"]).properties.get("until")
        except NotFoundError:
            return None
        return until if isinstance(until, datetime) else None

    def complete(self, claim: Claim, until: datetime) -> None:
        """Record `until` and release the lease; if the lease was lost meanwhile, the newer claim wins."""
        try:
            self._partition.update(self._job, {"until": until}, etag=claim.etag)
        except (ConcurrencyError, NotFoundError):
            return


OPERATIONS_STATE_OWNER = TableOwner(
    table=TableName.OPERATIONS_STATE,
    module=__name__,
    organisation_rows=None,
    keeps=OPERATIONS_RECORD,
)
