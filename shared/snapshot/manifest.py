"""`manifest.json`: what a run collected, so compute can trust (or distrust) each dataset."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class DatasetEntry(BaseModel):
    dataset: str
    status: Literal["complete", "failed", "unavailable"]
    rows: int = 0
    bytes: int = 0
    sha256: str = ""
    endpoint: str = ""
    as_of: date | None = None  # the data's own date, e.g. a usage report's refresh date
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None  # readable reason when the dataset failed or is unavailable


class Manifest(BaseModel):
    run_id: str
    as_of: date
    collected_at: datetime
    tenant_id: str
    datasets: list[DatasetEntry]
    warnings: list[str] = Field(default_factory=list)

    def entry(self, dataset: str) -> DatasetEntry | None:
        return next((entry for entry in self.datasets if entry.dataset == dataset), None)
