"""The `compute-insights` job: run state, organisation metadata, compute, publish. Idempotent.

Called by the queue function with a validated `ComputeInsights` message. At-least-once delivery: a run
already published is skipped; a run whose day pointer already names it is only marked published; any
other redelivery recomputes the run from its (immutable) snapshot and rewrites the same rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.insights.engine import ComputeSettings, compute
from shared.insights.models import PublishedRun
from shared.insights.store import InsightStore
from shared.insights.utilisation import PriceInfo
from shared.messages import ComputeInsights
from shared.metadata import MetadataRepository
from shared.runs import RunRecord, RunRepository
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


def settings_from_metadata(metadata: MetadataRepository) -> ComputeSettings:
    return ComputeSettings(
        prices={sku.lower(): PriceInfo(p.currency, p.monthly) for sku, p in metadata.prices().items()},
        groups=metadata.groups(),
        threshold_days=metadata.inactivity_threshold_days(),
    )


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
    try:
        settings = settings_from_metadata(MetadataRepository(clients, tenant, tokens))
        computed = compute(
            OrgContainer(clients, tenant),
            as_of=message.as_of,
            run_id=message.run_id,
            settings=settings,
            now=clock(),
        )
        published = store.publish(computed)
    except Exception as error:
        # The reason names the failure class only: messages can carry tenant data; details go to the log.
        log.exception("compute-insights: run %s failed", message.run_id)
        _save(runs, record, clock(), state="failed", error=f"compute failed: {type(error).__name__}")
        raise
    warnings = sorted(set(record.warnings) | set(published.warnings))
    _save(
        runs,
        record,
        clock(),
        state="published",
        warnings=warnings,
        timings={"compute_finished": clock()},
    )
    return published
