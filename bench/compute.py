"""Compute benchmark: the real `compute-insights` job on the snapshot the collection wrote to Azurite.

The child (`python -m bench.compute CONNECTION ORG_ID AS_OF`) runs `run_compute_job` (run state, compute
through the organisation's container, detail lists as blobs, summary and pointer rows in the insights
table) and prints one JSON line: wall seconds, the rows of each detail list, warnings.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime
from typing import Any

from bench.common import TOKENS, measure_child
from shared.insights.job import run_compute_job
from shared.messages import ComputeInsights
from shared.runs import RunRecord, RunRepository, daily_run_id
from shared.storage import StorageClients, TenantContext


def measure(clients: StorageClients, connection: str, tenant: TenantContext, as_of: date) -> dict[str, Any]:
    """Record the collected run (not timed), then compute and publish it in a measured child process."""
    now = datetime.now(UTC)
    RunRepository(clients, tenant, TOKENS).create_if_absent(
        RunRecord(run_id=daily_run_id(as_of), as_of=as_of, trigger="schedule", created_at=now, updated_at=now)
    )
    return measure_child("bench.compute", connection, tenant.org_id, as_of.isoformat())


def _compute(connection: str, org_id: str, day: str) -> dict[str, Any]:
    as_of = date.fromisoformat(day)
    message = ComputeInsights(org_id=org_id, run_id=daily_run_id(as_of), as_of=as_of)
    with StorageClients.from_connection_string(connection) as clients:
        started = time.perf_counter()
        published = run_compute_job(clients, TOKENS, message, lambda: datetime.now(UTC))
        seconds = time.perf_counter() - started
    if published is None:
        raise RuntimeError(f"run {message.run_id} was not computed")
    return {
        "seconds": seconds,
        "lists": {list_id: info.rows for list_id, info in published.lists.items()},
        "warnings": published.warnings,
    }


if __name__ == "__main__":
    print(json.dumps(_compute(*sys.argv[1:4])))
