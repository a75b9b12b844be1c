"""One invocation's share of a collection: the unfinished datasets, concurrently, within the budget."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime

from shared.collection.datasets import Collector, Cursor, Outcome
from shared.collection.progress import build_manifest, to_progress
from shared.collection.sinks import Sink
from shared.graph import PERMISSION_DENIED
from shared.runs import DatasetProgress
from shared.snapshot import Dataset, Manifest

# Enough to overlap Graph's latency across datasets without one tenant hogging a worker's sockets.
DEFAULT_CONCURRENCY = 8
# Datasets without which no insight can be computed: if one fails, the run fails.
REQUIRED = frozenset({Dataset.USERS, Dataset.SUBSCRIBED_SKUS})
_REPORTS = "Reports.Read.All"
# The Graph application permission each dataset's calls need (README, "Microsoft Graph permissions"), so a
# 403 Authorization_RequestDenied can name what to grant.
PERMISSION_OF: dict[Dataset, str] = {
    Dataset.ORGANISATION: "Organization.Read.All",
    Dataset.USERS: "User.Read.All",
    Dataset.GROUPS: "GroupMember.Read.All",
    Dataset.SIGN_IN_ACTIVITY: "AuditLog.Read.All",
    Dataset.SUBSCRIBED_SKUS: "Organization.Read.All",
    Dataset.SUBSCRIPTIONS: "Organization.Read.All",
    Dataset.REPORT_SETTINGS: "ReportSettings.Read.All",
    Dataset.REGISTRATION_DETAILS: "AuditLog.Read.All",
    Dataset.SECURE_SCORES: "SecurityEvents.Read.All",
    Dataset.ROLE_ASSIGNMENTS: "RoleManagement.Read.Directory",
    Dataset.CONDITIONAL_ACCESS_POLICIES: "Policy.Read.All",
    Dataset.DIRECTORY_AUDITS: "AuditLog.Read.All",
    Dataset.AUTHORIZATION_POLICY: "Policy.Read.All",
    Dataset.ADMIN_CONSENT_REQUEST_POLICY: "Policy.Read.All",
    Dataset.AUTHENTICATION_METHODS_POLICY: "Policy.Read.All",
    Dataset.DOMAINS: "Domain.Read.All",
    Dataset.APPLICATIONS: "Application.Read.All",
    Dataset.GRAPH_PERMISSION_GRANTS: "Application.Read.All",
    Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES: "RoleManagement.Read.Directory",
    Dataset.ROLE_ACTIVATION_POLICIES: "RoleManagement.Read.Directory",
    Dataset.SHAREPOINT_SETTINGS: "SharePointTenantSettings.Read.All",
    Dataset.ACTIVE_USER_DETAIL: _REPORTS,
    Dataset.EMAIL_ACTIVITY_USER_DETAIL: _REPORTS,
    Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL: _REPORTS,
    Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL: _REPORTS,
    Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL: _REPORTS,
    Dataset.M365_APP_USER_DETAIL: _REPORTS,
    Dataset.ACTIVE_USER_COUNTS: _REPORTS,
    Dataset.TEAMS_USER_ACTIVITY_COUNTS: _REPORTS,
    Dataset.COPILOT_USAGE_USER_DETAIL: _REPORTS,
    Dataset.COPILOT_USER_COUNT_TREND: _REPORTS,
}


def permission_missing(error: str | None) -> bool:
    """Whether a dataset failed because the app lacks a permission: the customer's to fix, not a retry's."""
    return error is not None and f"403 {PERMISSION_DENIED}" in error


def throttled_out(error: str | None) -> bool:
    """Whether a dataset failed because Graph still answered 429 when the bounded retries ran out."""
    return error is not None and "answered 429 " in error


def failure_reason(dataset: Dataset, error: str | None) -> str:
    """A failed dataset in plain words: which dataset, and what to do when the fix is the customer's."""
    if permission_missing(error):
        permission = PERMISSION_OF[dataset]
        return f"{dataset.value}: the app lacks the Microsoft Graph permission {permission} ({error})"
    return f"{dataset.value}: {error or 'failed'}"


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
