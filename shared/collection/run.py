"""One invocation's share of a collection: the unfinished datasets, concurrently, within the budget."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime

from shared.collection.datasets import Collector, Cursor, Outcome
from shared.collection.progress import build_manifest, to_progress
from shared.collection.sinks import Sink
from shared.runs import DatasetProgress
from shared.snapshot import Dataset, Manifest

# Enough to overlap Graph's latency across datasets without one tenant hogging a worker's sockets.
DEFAULT_CONCURRENCY = 8
# Datasets without which no insight can be computed: if one fails, the run fails.
REQUIRED = frozenset({Dataset.USERS, Dataset.SUBSCRIBED_SKUS})


async def collect_datasets(
    collector: Collector, work: Mapping[Dataset, Cursor | None], concurrency: int = DEFAULT_CONCURRENCY
) -> dict[Dataset, Outcome]:
    gate = asyncio.Semaphore(concurrency)

    async def one(dataset: Dataset, cursor: Cursor | None) -> Outcome:
        async with gate:
            return await collector.collect(dataset, cursor)

    outcomes = await asyncio.gather(*(one(dataset, cursor) for dataset, cursor in work.items()))
    return dict(zip(work, outcomes, strict=True))


async def collect_all(
    collector: Collector,
    sink: Sink,
    *,
    run_id: str,
    as_of: date,
    tenant_id: str,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Manifest:
    """Every dataset in one go, then the manifest (the command-line collector and benchmarks)."""
    outcomes = await collect_datasets(collector, dict.fromkeys(Dataset), concurrency)
    progress: dict[str, DatasetProgress] = {dataset.value: to_progress(o) for dataset, o in outcomes.items()}
    manifest = build_manifest(run_id, as_of, tenant_id, datetime.now(UTC), progress)
    await sink.write_manifest(manifest)
    return manifest
