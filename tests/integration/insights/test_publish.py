"""Publishing to the `insights` table and the organisation's container (Azurite): atomic, idempotent,
readable by family, date and report, with daily trends."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from dev.tenant import Tenant
from shared.insights import Family, InsightStore, UtilisationSummary, compute
from shared.insights.engine import ComputeSettings
from shared.insights.job import run_compute_job
from shared.messages import ComputeInsights
from shared.runs import RunRecord, RunRepository
from shared.storage import OrgContainer, PageTokenSigner, StorageClients, TenantContext
from tests.unit.insights.snapshot_builder import SnapshotOptions, tenant, write_snapshot

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


def _store(clients: StorageClients, org: TenantContext, tokens: PageTokenSigner) -> InsightStore:
    return InsightStore.for_tenant(clients, org, tokens, lambda: NOW)


def _publish(container: OrgContainer, store: InsightStore, t: Tenant, run_id: str) -> None:
    write_snapshot(container, t, run_id)
    run = compute(container, as_of=t.spec.as_of, run_id=run_id, settings=ComputeSettings(), now=NOW)
    store.publish(run)


def test_publish_then_read_summaries_reports_and_trend(
    clients: StorageClients, org: TenantContext, tokens: PageTokenSigner, container: OrgContainer
) -> None:
    store = _store(clients, org, tokens)
    assert store.current() is None and store.summary(Family.UTILISATION) is None
    earlier, later = tenant(5, 300, as_of=DAY - timedelta(days=1)), tenant(5, 300, as_of=DAY)
    _publish(container, store, later, "daily-b")
    _publish(container, store, earlier, "daily-a")  # an older day published later: current stays
    current = store.current()
    assert current is not None and current.run_id == "daily-b"
    summary = store.summary(Family.UTILISATION)
    assert isinstance(summary, UtilisationSummary)
    assert summary.run_id == "daily-b" and summary.as_of == DAY
    assert summary.totals.disabled_licensed == later.ground_truth.disabled_licensed
    older = store.summary(Family.UTILISATION, DAY - timedelta(days=1))
    assert older is not None and older.run_id == "daily-a"
    for family in Family:
        payload = store.summary(family)
        assert payload is not None and payload.collected_at.tzinfo is not None
    rows = store.iter_report("reclaimable-licences")
    assert rows is not None
    listed = list(rows)
    assert len(listed) == current.lists["reclaimable-licences"].rows > 0
    assert store.iter_report("no-such-report") is None
    series = store.trend(Family.UTILISATION, DAY - timedelta(days=5), DAY)
    assert [p.run_id for p in series.points] == ["daily-a", "daily-b"]
    assert series.points[1].values["disabled_licensed"] == later.ground_truth.disabled_licensed
    adoption = store.trend(Family.ADOPTION, DAY - timedelta(days=30), DAY)
    sources = {p.source for p in adoption.points}
    assert sources == {"run", "counts_report"}  # days without a run backfilled from the counts report
    assert len(adoption.points) >= 28


def test_recompute_replaces_the_day_whole_and_readers_never_mix_runs(
    clients: StorageClients, org: TenantContext, tokens: PageTokenSigner, container: OrgContainer
) -> None:
    store = _store(clients, org, tokens)
    t = tenant(9, 200, as_of=DAY)
    runs = ["r1", "r2", "r3"]
    computed = {}
    for hour, run_id in enumerate(runs):
        write_snapshot(container, t, run_id, SnapshotOptions(collected_at=NOW.replace(hour=hour)))
        computed[run_id] = compute(container, as_of=DAY, run_id=run_id, settings=ComputeSettings(), now=NOW)
    store.publish(computed["r1"])
    mixed: list[str] = []
    done = threading.Event()

    def reader() -> None:
        reading = _store(clients, org, tokens)
        while not done.is_set():
            run = reading.current()
            assert run is not None
            seen = {p.run_id for f in Family if (p := reading.summary_of(f, run)) is not None}
            if seen != {run.run_id}:
                mixed.append(f"{run.run_id}: {seen}")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for run_id in ("r2", "r3", "r2"):
            store.publish(computed[run_id])  # r2 again: a late redelivery does not replace r3
    finally:
        done.set()
        thread.join()
    assert mixed == []
    day = store.published(DAY)
    assert day is not None and day.run_id == "r3"
    assert store.current() == day


def test_job_publishes_once_and_marks_the_run(
    clients: StorageClients, org: TenantContext, tokens: PageTokenSigner, container: OrgContainer
) -> None:
    t = tenant(3, 250, as_of=DAY)
    write_snapshot(container, t, "daily-2026-03-02")
    repo = RunRepository(clients, org, tokens)
    repo.create_if_absent(
        RunRecord(
            run_id="daily-2026-03-02",
            as_of=DAY,
            trigger="schedule",
            state="computing",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    message = ComputeInsights(org_id=org.org_id, run_id="daily-2026-03-02", as_of=DAY)
    published = run_compute_job(clients, tokens, message, lambda: NOW)
    assert published is not None
    record = repo.get("daily-2026-03-02")
    assert record.state == "published"
    assert record.timings.compute_finished == NOW
    assert any(code.startswith("price_missing:") for code in record.warnings)
    assert run_compute_job(clients, tokens, message, lambda: NOW) is None  # redelivery: nothing to do
    store = _store(clients, org, tokens)
    assert store.current() == published


def test_job_marks_a_broken_snapshot_failed_and_raises(
    clients: StorageClients, org: TenantContext, tokens: PageTokenSigner, container: OrgContainer
) -> None:
    repo = RunRepository(clients, org, tokens)
    repo.create_if_absent(
        RunRecord(
            run_id="manual-x", as_of=DAY, trigger="member", state="computing", created_at=NOW, updated_at=NOW
        )
    )
    message = ComputeInsights(org_id=org.org_id, run_id="manual-x", as_of=DAY)
    with pytest.raises(Exception, match=r"not found|NotFound"):
        run_compute_job(clients, tokens, message, lambda: NOW)
    record = repo.get("manual-x")
    assert record.state == "failed"
    assert record.error is not None and "compute failed" in record.error
    assert _store(clients, org, tokens).current() is None
