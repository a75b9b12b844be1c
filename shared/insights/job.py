"""The `compute-insights` job: run state, organisation metadata, compute, publish. Idempotent.

Called by the queue function with a validated `ComputeInsights` message. At-least-once delivery: a run
already published is skipped; a run whose day pointer already names it is only marked published; any
other redelivery recomputes the run from its (immutable) snapshot and rewrites the same rows.

A recompute run (`RunRecord.snapshot_of`) reads the snapshot of the run it recomputes and publishes under
its own id, so a change of prices, groups or threshold reaches the figures without collecting again. Each
published run records the settings version it used; publishing collected data marks the integration
healthy and sets its `last_refresh_at`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.audit import AuditLog
from shared.insights.acceptance import AcceptanceRepository, InForce
from shared.insights.changes import record_changes
from shared.insights.engine import ComputeSettings, compute
from shared.insights.ledger import record_savings
from shared.insights.models import PublishedRun
from shared.insights.source import BlobStore
from shared.insights.store import InsightStore
from shared.insights.utilisation import PriceInfo
from shared.integrations import IntegrationRepository
from shared.messages import ComputeInsights
from shared.metadata import MetadataRepository
from shared.runs import RunRecord, RunRepository
from shared.snapshot import snapshot_prefix
from shared.storage import ConcurrencyError, OrgContainer, PageTokenSigner, StorageClients

log = logging.getLogger(__name__)
_SAVE_RETRIES = 5


def _save(runs: RunRepository, record: RunRecord, now: datetime, **changes: Any) -> RunRecord:
    """Apply `changes` to the newest version of the run, retrying on a concurrent write."""
    for _ in range(_SAVE_RETRIES):
        timings = changes.pop("timings", None) or {}
        updated = record.model_copy(update={**changes, "timings": record.timings.model_copy(update=timings)})
        try:
            return runs.save(updated, now=now)
        except ConcurrencyError:
            record = runs.get(record.run_id)
            if timings:
                changes["timings"] = timings
    raise ConcurrencyError(f"run {record.run_id}: too many concurrent updates")


@dataclass(frozen=True, slots=True)
class OrganisationSettings:
    """What compute takes from the organisation's metadata, and its version (the rows' ETags): any
    save of prices or groups changes the version, so a published run shows whether it is out of date."""

    compute: ComputeSettings
    version: str


def organisation_settings(metadata: MetadataRepository) -> OrganisationSettings:
    prices, prices_etag = metadata.prices_with_etag()
    groups, groups_etag = metadata.groups_with_etag()
    return OrganisationSettings(
        ComputeSettings(
            prices={sku.lower(): PriceInfo(p.currency, p.monthly) for sku, p in prices.prices.items()},
            groups=groups.departments,
            threshold_days=groups.inactivity_days,
        ),
        f"prices:{prices_etag};groups:{groups_etag}",
    )


class SnapshotOf:
    """The organisation's blobs, where one run's snapshot is read from another run's (a recompute)."""

    def __init__(self, store: BlobStore, alias: str, source: str) -> None:
        self._store = store
        self._alias = alias
        self._source = source

    def _name(self, name: str) -> str:
        return self._source + name.removeprefix(self._alias) if name.startswith(self._alias) else name

    def read_json(self, name: str) -> Any:
        return self._store.read_json(self._name(name))

    def iter_jsonl_gz(self, name: str) -> Iterator[dict[str, Any]]:
        return self._store.iter_jsonl_gz(self._name(name))

    def write_json(self, name: str, value: Any) -> None:
        self._store.write_json(name, value)

    def write_jsonl_gz(self, name: str, rows: Iterable[Mapping[str, Any]]) -> Any:
        return self._store.write_jsonl_gz(name, rows)


def run_compute_job(
    clients: StorageClients, tokens: PageTokenSigner, message: ComputeInsights, clock: Callable[[], datetime]
) -> PublishedRun | None:
    tenant = message.tenant
    runs = RunRepository(clients, tenant, tokens)
    record = runs.find(message.run_id)
    if record is None:
        log.warning("compute-insights: run %s not found; nothing to do", message.run_id)
        return None
    if record.state == "published":
        log.info("compute-insights: run %s already published", message.run_id)
        return None
    store = InsightStore.for_tenant(clients, tenant, tokens, clock)
    record = _save(runs, record, clock(), state="computing", error=None, timings={"compute_started": clock()})
    blobs: BlobStore = OrgContainer(clients, tenant)
    if record.snapshot_of is not None:
        blobs = SnapshotOf(
            blobs,
            snapshot_prefix(message.as_of, message.run_id),
            snapshot_prefix(message.as_of, record.snapshot_of),
        )
    try:
        settings = organisation_settings(MetadataRepository(clients, tenant, tokens))
        now = clock()
        # Acceptances are read when the run is computed: those past their date expire here (audited).
        acceptances = AcceptanceRepository(clients, tenant, tokens).expire(
            now, AuditLog(clients, tenant, tokens), message.run_id
        )
        computed = compute(
            blobs,
            as_of=message.as_of,
            run_id=message.run_id,
            settings=settings.compute,
            now=now,
            acceptances=InForce(acceptances, now.date()),
        )
        record_changes(computed, store, blobs)
        record_savings(computed, store)
        published = store.publish(computed)
    except Exception as error:
        # The reason names the failure class only: messages can carry tenant data; details go to the log.
        log.exception("compute-insights: run %s failed", message.run_id)
        _save(
            runs,
            record,
            clock(),
            state="failed",
            error=f"compute failed: {type(error).__name__}",
        )
        raise
    warnings = sorted(set(record.warnings) | set(published.warnings))
    _save(
        runs,
        record,
        clock(),
        state="published",
        warnings=warnings,
        settings_version=settings.version,
        timings={"compute_finished": clock()},
    )
    if record.snapshot_of is None:
        IntegrationRepository(clients, tenant, tokens).record_refresh(clock())
    return published
