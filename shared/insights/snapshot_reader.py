"""Streaming access to one run's raw snapshot, with the manifest's view of each dataset.

Every dataset is read as a stream of typed records (`records.py` models); nothing here holds a whole
dataset. A dataset the manifest marks failed or unavailable yields nothing, and its state turns into a
payload warning (`dataset_failed:<name>`, `signin_activity_unavailable`, ...), so a gap is never silent; a
dataset kept from an earlier run carries that run's date and the warning `dataset_kept:<name>`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import TypeVar

from pydantic import BaseModel

from shared.insights.models import DataSource, InsightWarning
from shared.insights.source import BlobStore
from shared.snapshot import Dataset, DatasetEntry, Manifest, snapshot_prefix
from shared.storage import NotFoundError

R = TypeVar("R", bound=BaseModel)
log = logging.getLogger(__name__)


class SnapshotReader:
    def __init__(self, store: BlobStore, as_of: date, run_id: str) -> None:
        self._store = store
        self.prefix = snapshot_prefix(as_of, run_id)
        self.manifest = Manifest.model_validate(store.read_json(self.prefix + "manifest.json"))
        self._refresh: dict[Dataset, date] = {}

    def entry(self, dataset: Dataset) -> DatasetEntry | None:
        return self.manifest.entry(dataset.value)

    def status(self, dataset: Dataset) -> str:
        entry = self.entry(dataset)
        return entry.status if entry is not None else "missing"

    def available(self, dataset: Dataset) -> bool:
        return self.status(dataset) == "complete"

    def records(self, dataset: Dataset, model: type[R]) -> Iterator[R]:
        """The dataset's records, validated one at a time; nothing when it is not complete."""
        if not self.available(dataset):
            return
        if dataset.record_model is not model:
            raise TypeError(f"{dataset.value} holds {dataset.record_model.__name__}, not {model.__name__}")
        try:
            for row in self._store.iter_jsonl_gz(self.prefix + dataset.blob_name):
                yield model.model_validate(row)
        except NotFoundError:
            log.warning("snapshot dataset %s listed complete but its blob is missing", dataset.value)

    def days_behind(self, dataset: Dataset) -> int:
        """How many days the dataset's own date is older than the run's (0 when it has none of its own)."""
        entry = self.entry(dataset)
        return (self.manifest.as_of - entry.as_of).days if entry is not None and entry.as_of else 0

    def kept_warning(self, dataset: Dataset) -> InsightWarning | None:
        """The warning for a dataset this run kept from an earlier one (it could not be read in time,
        e.g. sign-in activity held back by Graph's shared quota), naming the copy's date and age."""
        entry = self.entry(dataset)
        code = f"dataset_kept:{dataset.value}"
        if entry is None or entry.status != "complete" or code not in entry.warnings or entry.as_of is None:
            return None
        days = self.days_behind(dataset)
        age = f"{days} day{'s' if days != 1 else ''} older than the rest of this run"
        return InsightWarning(
            code=code,
            message=f"{dataset.value} could not be collected in time for this run (Microsoft Graph's shared "
            f"limits), so the copy from {entry.as_of.isoformat()} is used ({age}); figures that use it, "
            "such as inactivity, count from that date.",
        )

    def note_refresh(self, dataset: Dataset, day: date) -> None:
        """Remember the newest data date seen in a dataset (a report's refresh date)."""
        current = self._refresh.get(dataset)
        if current is None or day > current:
            self._refresh[dataset] = day

    def sources(self) -> list[DataSource]:
        found: list[DataSource] = []
        for dataset in Dataset:
            entry = self.entry(dataset)
            data_as_of = self._refresh.get(dataset) or (entry.as_of if entry else None)
            found.append(
                DataSource(
                    dataset=dataset.value,
                    status=entry.status if entry else "missing",
                    rows=entry.rows if entry else 0,
                    data_as_of=data_as_of,
                    error=entry.error if entry else None,
                )
            )
        return found
