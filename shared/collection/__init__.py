"""Graph collection: collectors per dataset, CSV parsing, sinks (blob or folder), checkpoints, and the
orchestration of one refresh run. Public entry points below; modules hold one idea each."""

from shared.collection.datasets import Budget, Collector, Cursor, Outcome
from shared.collection.fanout import DailyPlan, PlannedRefresh, daily_refresh_plan
from shared.collection.refresh import Refresh, RefreshConfig, RefreshResult
from shared.collection.run import collect_all, collect_datasets
from shared.collection.sinks import BlobSink, DirectorySink, Sink

__all__ = [
    "BlobSink",
    "Budget",
    "Collector",
    "Cursor",
    "DailyPlan",
    "DirectorySink",
    "Outcome",
    "PlannedRefresh",
    "Refresh",
    "RefreshConfig",
    "RefreshResult",
    "Sink",
    "collect_all",
    "collect_datasets",
    "daily_refresh_plan",
]
