"""Sign-in activity that cannot be read in time is kept from the previous run, with its own date.

Graph's signInActivity quota is one budget for every customer of an app (10 pages a minute; see
shared.graph.quota), so on a busy night an organisation's sign-in activity may not be read before the
start of the UK working day, or Graph may throttle it out of the run. The run then does not wait (nor
fail): it copies the previous run's dataset into its own snapshot, stream to stream, and records that
copy's own date (`data_as_of`) and the warning `dataset_kept:sign_in_activity`. Compute judges inactivity
from that date and tells the reader how old it is; nothing ever presents it as today's.

A member's "refresh now" has no deadline (the member asked for today's data and is shown the run's
progress); it still keeps the previous copy when Graph throttles it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from shared.collection.datasets import Outcome
from shared.collection.fanout import uk_working_day
from shared.collection.run import throttled_out
from shared.collection.sinks import Sink
from shared.runs import DatasetProgress, RunRecord, RunRepository
from shared.snapshot import Dataset, snapshot_prefix
from shared.storage import NotFoundError
from shared.storage.block_blobs import AsyncBlobFolder

KEPT = Dataset.SIGN_IN_ACTIVITY  # the dataset the fleet's shared quota binds
COLLECTED = frozenset({"computing", "published"})  # runs whose snapshot is whole


def kept_warning(dataset: Dataset) -> str:
    return f"dataset_kept:{dataset.value}"


def deadline(record: RunRecord) -> datetime | None:
    """When a scheduled run stops waiting for sign-in activity: the start of the UK working day after
    it was created (the daily plan's target). None for a member's refresh."""
    return uk_working_day(record.created_at.astimezone(UTC)) if record.trigger == "schedule" else None


def late(record: RunRecord, now: datetime) -> bool:
    cutoff = deadline(record)
    return cutoff is not None and now >= cutoff


def gives_up(outcome: Outcome, record: RunRecord, now: datetime) -> bool:
    """Whether the sign-in activity this invocation left unfinished is to be kept from an earlier run
    instead: Graph throttled it out, or the run's deadline has passed."""
    if outcome.status == "failed":
        return throttled_out(outcome.error)
    return outcome.status == "suspended" and late(record, now)


@dataclass(frozen=True, slots=True)
class Earlier:
    """The newest earlier copy of a dataset: where its blob is, what was recorded, and its own date."""

    prefix: str
    progress: DatasetProgress
    as_of: date


def find_earlier(runs: RunRepository, run: RunRecord, dataset: Dataset = KEPT) -> Earlier | None:
    """The newest other run whose snapshot holds `dataset` complete; None when there is none."""
    for record in runs.list_recent():
        progress = record.datasets.get(dataset.value)
        if record.run_id == run.run_id or record.state not in COLLECTED or progress is None:
            continue
        if progress.status == "complete":
            # A recompute reads the snapshot of the run it recomputes (same day).
            prefix = snapshot_prefix(record.as_of, record.snapshot_of or record.run_id)
            return Earlier(prefix, progress, progress.data_as_of or record.as_of)
    return None


async def keep_earlier(
    blobs: AsyncBlobFolder, sink: Sink, earlier: Earlier, dataset: Dataset = KEPT
) -> Outcome | None:
    """Copy `earlier`'s blob into this run's snapshot, chunk by chunk, and describe it as it was then;
    None when the blob is gone (retention deleted that run's snapshot). `blobs` is the organisation's
    container, from its root."""
    chunks = blobs.blob(earlier.prefix + dataset.blob_name).chunks()
    try:  # the first chunk tells whether the blob is there, before anything is written
        first = await anext(chunks, b"")
    except NotFoundError:
        return None
    writer = await sink.open(dataset.blob_name, None)
    await writer.write(first)
    async for chunk in chunks:
        await writer.write(chunk)
    written = await writer.finish()
    warning = kept_warning(dataset)
    return Outcome(
        "complete",
        rows=earlier.progress.rows,
        bytes=written.size,
        sha256=written.sha256,
        endpoint=earlier.progress.endpoint,
        as_of=earlier.as_of,
        warnings=[w for w in earlier.progress.warnings if w != warning] + [warning],
    )
