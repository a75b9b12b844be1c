"""`make run` restarted the same day: after today's scheduled run failed, it follows the run a previous start
began instead of starting another each time (issue 10, item 1)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from dev.run import _start_refresh
from shared.runs import RunRecord, RunRepository, daily_run_id, member_run_id, new_run
from shared.services import Services
from shared.settings import load_settings
from shared.storage import PageTokenSigner, StorageClients, TenantContext
from tests.conftest import TEST_SETTINGS


def _services(clients: StorageClients, tokens: PageTokenSigner) -> Services:
    return Services(settings=load_settings(TEST_SETTINGS), storage=clients, page_signer=tokens)


def _started(runs: RunRepository) -> list[str]:
    """Runs started other than the failed ones (each start writes its run before sending its message)."""
    return [run.run_id for run in runs.list_recent() if run.state != "failed"]


def _failed(runs: RunRepository, run: RunRecord, now: datetime) -> RunRecord:
    created = runs.create_if_absent(run)
    return runs.save(created.model_copy(update={"state": "failed", "error": "it failed"}), now=now)


def test_a_restart_follows_the_run_started_after_a_failed_scheduled_run(clients, tokens) -> None:
    services, tenant = _services(clients, tokens), TenantContext(uuid.uuid4().hex)
    runs, now = RunRepository(clients, tenant, tokens), datetime.now(UTC)
    _failed(runs, new_run(daily_run_id(now.date()), now.date(), "schedule", now), now)

    first = asyncio.run(_start_refresh("http://unused", services, tenant))
    assert first != daily_run_id(now.date()) and _started(runs) == [first]
    second = asyncio.run(_start_refresh("http://unused", services, tenant))
    assert second == first and _started(runs) == [first]


def test_with_no_run_started_since_a_new_one_is_started(clients, tokens) -> None:
    services, tenant = _services(clients, tokens), TenantContext(uuid.uuid4().hex)
    runs, now = RunRepository(clients, tenant, tokens), datetime.now(UTC)
    _failed(runs, new_run(daily_run_id(now.date()), now.date(), "schedule", now), now)
    failed_manual = _failed(runs, new_run(member_run_id(now), now.date(), "member", now), now)

    started = asyncio.run(_start_refresh("http://unused", services, tenant))
    assert started not in (daily_run_id(now.date()), failed_manual.run_id)
    assert _started(runs) == [started]
