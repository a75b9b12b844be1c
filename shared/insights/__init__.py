"""The insight engine: raw snapshot → utilisation, adoption, productivity and assurance, published atomically.

What the API calls (all org-scoped through `InsightStore.for_tenant(clients, tenant, tokens, now)`):
- `store.summary(Family.X, as_of=None)` → the family's payload of the published run (None: current).
- `store.trend(Family.X, start, end)` → `TrendSeries` of daily headline numbers from published runs.
- `store.iter_report(report_id, as_of=None)` → streamed rows of a detail list (None if absent).
- `report_catalogue(role)` / `report_spec(id)` → the reports, their minimum role and columns.
What the queue function calls: `run_compute_job(clients, tokens, message, clock)`.
"""

from shared.insights.engine import ComputedRun, ComputeSettings, compute
from shared.insights.job import run_compute_job
from shared.insights.models import (
    AdoptionSummary,
    AssuranceSummary,
    Family,
    InsightWarning,
    Payload,
    ProductivitySummary,
    PublishedRun,
    TrendPoint,
    TrendSeries,
    UtilisationSummary,
)
from shared.insights.reports import REPORTS, Column, ReportSpec, report_catalogue, report_spec
from shared.insights.source import BlobStore, LocalFolder
from shared.insights.store import InsightStore
from shared.insights.utilisation import PriceInfo

__all__ = [
    "REPORTS",
    "AdoptionSummary",
    "AssuranceSummary",
    "BlobStore",
    "Column",
    "ComputeSettings",
    "ComputedRun",
    "Family",
    "InsightStore",
    "InsightWarning",
    "LocalFolder",
    "Payload",
    "PriceInfo",
    "ProductivitySummary",
    "PublishedRun",
    "ReportSpec",
    "TrendPoint",
    "TrendSeries",
    "UtilisationSummary",
    "compute",
    "report_catalogue",
    "report_spec",
    "run_compute_job",
]
