"""Dataset outcomes ↔ the run record's `DatasetProgress`, and the manifest built from them.

`DatasetProgress.cursor` carries the resume `Cursor` while a dataset is pending between invocations; once
it is complete the progress holds the written file's digest (sha256, endpoint, data date), so the
invocation that finishes the run can write a manifest covering every earlier invocation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from shared.collection.datasets import Cursor, Outcome
from shared.runs import DatasetProgress
from shared.snapshot import Dataset, DatasetEntry, Manifest

FINAL = frozenset({"complete", "failed", "unavailable"})


def to_progress(outcome: Outcome) -> DatasetProgress:
    if outcome.status == "suspended":
        assert outcome.cursor is not None
        return DatasetProgress(
            status="pending", rows=outcome.rows, bytes=outcome.bytes, cursor=outcome.cursor.dumps()
        )
    return DatasetProgress(
        status=outcome.status,
        rows=outcome.rows,
        bytes=outcome.bytes,
        sha256=outcome.sha256,
        endpoint=outcome.endpoint,
        data_as_of=outcome.as_of,
        error=outcome.error,
        warnings=outcome.warnings,
    )


def resume_cursor(progress: DatasetProgress) -> Cursor | None:
    return (
        Cursor.loads(progress.cursor)
        if progress.status in ("pending", "running") and progress.cursor
        else None
    )


def entry(dataset: str, progress: DatasetProgress) -> DatasetEntry:
    return DatasetEntry(
        dataset=dataset,
        status=progress.status,  # final statuses only, checked by the caller
        rows=progress.rows,
        bytes=progress.bytes,
        sha256=progress.sha256,
        endpoint=progress.endpoint,
        as_of=progress.data_as_of,
        warnings=progress.warnings,
        error=progress.error,
    )


def run_warnings(datasets: Mapping[str, DatasetProgress]) -> list[str]:
    """Every dataset's warnings once, plus `dataset_failed:<name>` for each failed dataset."""
    warnings: dict[str, None] = {}
    for name, progress in datasets.items():
        warnings.update(dict.fromkeys(progress.warnings))
        if progress.status == "failed":
            warnings[f"dataset_failed:{name}"] = None
    return list(warnings)


def build_manifest(
    run_id: str, as_of: date, tenant_id: str, collected_at: datetime, datasets: Mapping[str, DatasetProgress]
) -> Manifest:
    unfinished = [name for name, progress in datasets.items() if progress.status not in FINAL]
    if unfinished:
        raise ValueError(f"a manifest covers finished datasets only; unfinished: {', '.join(unfinished)}")
    return Manifest(
        run_id=run_id,
        as_of=as_of,
        collected_at=collected_at,
        tenant_id=tenant_id,
        datasets=[
            entry(dataset.value, datasets[dataset.value]) for dataset in Dataset if dataset.value in datasets
        ],
        warnings=run_warnings(datasets),
    )
