"""The realised-savings ledger through the compute job on Azurite: two runs of the synthetic tenant (the
second with planted licence changes) realise the planted savings; recomputing the second day replaces
its entries rather than adding to them; an incomplete user list realises nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from shared.insights import Family, InsightStore
from shared.insights.job import run_compute_job
from shared.insights.ledger import LEDGER_LIST, SavingsLedger, ledger
from shared.insights.models import PublishedRun, UtilisationSummary
from shared.licensing import load_catalogue
from shared.messages import ComputeInsights
from shared.metadata import MetadataRepository, Price, Prices
from shared.runs import RunRecord, RunRepository
from shared.snapshot import Dataset
from shared.storage import OrgContainer, PageTokenSigner, StorageClients, TenantContext
from tests.unit.insights.snapshot_builder import SnapshotOptions, tenant, write_snapshot
from tests.unit.insights.test_rightsizing import PRICES

DAY1, DAY2 = date(2026, 3, 2), date(2026, 3, 9)
SPEC = {"rightsizing_plants": True}


def _now(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)


def _prices(clients: StorageClients, org: TenantContext, tokens: PageTokenSigner) -> None:
    catalogue = load_catalogue()
    prices = {}
    for part, amount in PRICES.items():
        sku = catalogue.by_part_number(part)
        assert sku is not None
        prices[sku.id] = Price(currency="GBP", monthly=amount)
    MetadataRepository(clients, org, tokens).save_prices(Prices(prices=prices))


def _compute(
    clients: StorageClients,
    org: TenantContext,
    tokens: PageTokenSigner,
    day: date,
    run_id: str,
    snapshot_of: str | None = None,
) -> PublishedRun:
    now = _now(day) + (timedelta(hours=2) if snapshot_of else timedelta())
    RunRepository(clients, org, tokens).create_if_absent(
        RunRecord(
            run_id=run_id,
            as_of=day,
            trigger="schedule" if snapshot_of is None else "member",
            state="computing",
            created_at=now,
            updated_at=now,
            snapshot_of=snapshot_of,
        )
    )
    published = run_compute_job(
        clients, tokens, ComputeInsights(org_id=org.org_id, run_id=run_id, as_of=day), lambda: now
    )
    assert published is not None
    return published


def _ledger(store: InsightStore) -> SavingsLedger:
    def summary_of(run: PublishedRun) -> UtilisationSummary | None:
        found = store.summary_of(Family.UTILISATION, run)
        return found if isinstance(found, UtilisationSummary) else None

    return ledger(store.published_between(DAY1, DAY2), store.ledger().entries, summary_of, DAY1, DAY2)


def test_two_runs_realise_the_planted_savings_and_a_recompute_replaces_them(
    clients: StorageClients, org: TenantContext, container: OrgContainer, tokens: PageTokenSigner
) -> None:
    _prices(clients, org, tokens)
    write_snapshot(container, tenant(3, 600, as_of=DAY1, **SPEC), "day1")
    write_snapshot(container, tenant(3, 600, as_of=DAY2, second_run=True, **SPEC), "day2")
    _compute(clients, org, tokens, DAY1, "day1")
    second = _compute(clients, org, tokens, DAY2, "day2")
    store = InsightStore.for_tenant(clients, org, tokens, lambda: _now(DAY2))

    rows = list(store.iter_report(LEDGER_LIST, DAY2) or ())
    assert {row["kind"] for row in rows} == {"reclaimed", "rightsized", "seats_dropped"}
    assert second.lists[LEDGER_LIST].rows == len(rows)
    total = float(sum(Decimal(str(row["monthly_amount"])) for row in rows))
    result = _ledger(store)
    assert result.realised_total is not None and result.realised_total.amount == total
    assert result.entries == len(rows)
    assert [(m.month, m.entries) for m in result.months] == [("2026-03", len(rows))]
    first_summary = store.summary(Family.UTILISATION, DAY1)
    assert isinstance(first_summary, UtilisationSummary)
    waste = first_summary.totals.monthly_waste[0].amount
    moves = sum(Decimal(str(m.monthly_saving.amount)) for m in first_summary.rightsizing)
    assert Decimal(str(total)) <= Decimal(str(waste)) + moves  # never more than was listed

    # Recomputing day 2 publishes a new run: its entries replace the old run's, the total is unchanged.
    _compute(clients, org, tokens, DAY2, "day2-again", snapshot_of="day2")
    again = _ledger(store)
    assert again.realised_total == result.realised_total and again.entries == result.entries
    assert (store.published(DAY2) or second).run_id == "day2-again"


def test_an_incomplete_user_list_realises_nothing(
    clients: StorageClients, org: TenantContext, container: OrgContainer, tokens: PageTokenSigner
) -> None:
    _prices(clients, org, tokens)
    write_snapshot(container, tenant(3, 300, as_of=DAY1, **SPEC), "day1")
    failed = SnapshotOptions(failed={Dataset.USERS})
    write_snapshot(container, tenant(3, 300, as_of=DAY2, second_run=True, **SPEC), "day2", failed)
    _compute(clients, org, tokens, DAY1, "day1")
    _compute(clients, org, tokens, DAY2, "day2")
    store = InsightStore.for_tenant(clients, org, tokens, lambda: _now(DAY2))
    assert list(store.iter_report(LEDGER_LIST, DAY2) or ()) == []
    assert _ledger(store).entries == 0
