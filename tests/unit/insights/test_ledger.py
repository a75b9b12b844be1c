"""The realised-savings ledger between two runs of the synthetic tenant: planted removals, planted moves to
the recommended licence and a planted seat drop are realised exactly, to the penny; nothing twice."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from dev.tenant.rightsizing import dropped_sku, second_run_changes
from shared.insights.engine import ComputedRun
from shared.insights.ledger import (
    LEDGER,
    Previous,
    entry_key,
    ledger,
    potential,
    realise,
)
from shared.insights.models import PublishedRun, UtilisationSummary
from shared.insights.rightsizing import RIGHTSIZING_LIST
from shared.insights.store import parse_insight_row_key
from shared.licensing import load_catalogue
from shared.snapshot import Dataset, snapshot_prefix
from shared.storage import compose_key
from tests.unit.insights.conftest import Build, Case
from tests.unit.insights.test_rightsizing import PRICES, settings, truth

DAY1, DAY2 = date(2026, 3, 2), date(2026, 3, 9)
SPEC: dict[str, Any] = {"rightsizing_plants": True}


def published(run: ComputedRun) -> PublishedRun:
    return PublishedRun(
        run_id=run.run_id,
        as_of=run.as_of,
        collected_at=run.collected_at,
        published_at=run.computed_at,
        lists={},
        warnings=[],
    )


def previous(run: ComputedRun, pool: dict[str, int] | None = None) -> Previous:
    return Previous(
        run=published(run),
        skus=run.utilisation.skus,
        reclaimable=run.lists["reclaimable-licences"],
        rightsizing=run.lists[RIGHTSIZING_LIST],
        pool=pool or {},
        complete=True,
    )


@pytest.fixture(scope="module")
def runs(build: Build) -> tuple[Case, ComputedRun, Case, ComputedRun]:
    first = build(3, 1500, as_of=DAY1, **SPEC)
    second = build(3, 1500, as_of=DAY2, second_run=True, **SPEC)
    return first, first.compute(settings(PRICES)), second, second.compute(settings(PRICES))


def _price(sku_id: str) -> float:
    return PRICES[load_catalogue().sku(sku_id).string_id]


def test_two_runs_realise_exactly_the_planted_changes(
    runs: tuple[Case, ComputedRun, Case, ComputedRun],
) -> None:
    first, run1, second, run2 = runs
    entries, pool = realise(previous(run1), run2.licences_of, run2.utilisation.skus, DAY2)
    changes = second_run_changes(first.tenant, second.tenant)
    listed = {
        (r["user_principal_name"], r["sku_id"]): r["monthly_cost"]
        for r in run1.lists["reclaimable-licences"]()
        if r["reason"] != "unassigned"
    }
    by_kind: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for e in entries:
        by_kind.setdefault(e["kind"], {})[e["user_principal_name"], e["sku_id"]] = e

    # Reclaimed: every planted removal of a licence the first run listed at a cost, at the configured price.
    free = {row.sku_id for row in run1.utilisation.skus if row.free}  # never listed, never a saving
    gone = {key for key, change in changes.items() if change == "gone" and key[1] not in free}
    assert gone and gone <= set(listed)  # planted removals are all of reclaimable licences
    expected = {key for key in gone if listed[key]}
    assert set(by_kind["reclaimed"]) == expected
    for (_, sku_id), e in by_kind["reclaimed"].items():
        assert e["monthly_amount"] == _price(sku_id) and e["listed_on"] == DAY1.isoformat()

    # Right-sized: every planted move to Exchange Online (Plan 1), at the saving the first run listed.
    recommended = truth(first.tenant, PRICES)
    replaced = {key for key, change in changes.items() if change == "replaced"}
    assert replaced and replaced <= set(recommended)
    assert {key: e["monthly_amount"] for key, e in by_kind["rightsized"].items()} == {
        key: recommended[key][2] for key in replaced
    }
    assert {e["reason"] for e in by_kind["rightsized"].values()} == {"replaced"}

    # Seats: the planted renewal gave back the SKU's spare seats; the seats this run's removals and moves
    # freed of that SKU were counted when their licence went, so only the rest count.
    sku = dropped_sku(first.tenant.seats)
    assert sku is not None
    freed = sum(1 for upn_sku in (*expected, *replaced) if upn_sku[1] == sku)
    spare = first.tenant.seat_truth.unassigned[sku]
    assert spare > freed  # planted so that the drop realises seats beyond the freed ones
    dropped = [e for e in entries if e["kind"] == "seats_dropped"]
    seats = spare - freed
    assert [(e["sku_id"], e["seats"], e["monthly_amount"]) for e in dropped] == [
        (sku, seats, float(Decimal(str(_price(sku))) * seats))
    ]
    assert sku not in pool  # every freed seat was absorbed by the drop

    # Never more than was listed: the first run's waste plus its right-sizing savings.
    listed_total = potential(run1.utilisation)
    assert listed_total is not None
    assert sum(Decimal(str(e["monthly_amount"])) for e in entries) <= Decimal(str(listed_total.amount))


def test_a_later_run_without_changes_realises_nothing_more(
    runs: tuple[Case, ComputedRun, Case, ComputedRun],
) -> None:
    _, _, _, run2 = runs
    entries, _ = realise(previous(run2), run2.licences_of, run2.utilisation.skus, DAY2)
    assert entries == []


@contextmanager
def _renamed(case: Case) -> Iterator[None]:
    """The case's user list with every account renamed (its id kept), as after a change of name or domain."""
    name = snapshot_prefix(case.tenant.spec.as_of, case.run_id) + Dataset.USERS.blob_name
    before = list(case.store.iter_jsonl_gz(name))
    renamed = [{**u, "user_principal_name": "renamed." + u["user_principal_name"]} for u in before]
    case.store.write_jsonl_gz(name, renamed)
    try:
        yield
    finally:
        case.store.write_jsonl_gz(name, before)


def test_renamed_accounts_realise_nothing(
    build: Build, runs: tuple[Case, ComputedRun, Case, ComputedRun]
) -> None:
    """Every account renamed between two runs, nothing else changed: its licences are still held."""
    _, run1, _, _ = runs
    listed = [r for r in run1.lists["reclaimable-licences"]() if r["reason"] != "unassigned"]
    assert listed and all(r["user_id"] for r in listed)
    assert all(r["user_id"] for r in run1.lists[RIGHTSIZING_LIST]())
    later = build(3, 1500, as_of=DAY2, **SPEC)
    with _renamed(later):
        run2 = later.compute(settings(PRICES))
    assert run2.licences_of(str(listed[0]["user_id"])) is not None
    now = [r for r in run2.lists["reclaimable-licences"]() if r["reason"] != "unassigned"]
    assert now and all(str(r["user_principal_name"]).startswith("renamed.") for r in now)
    entries, pool = realise(previous(run1), run2.licences_of, run2.utilisation.skus, DAY2)
    assert entries == [] and pool == {}


def _summary(run: ComputedRun) -> UtilisationSummary:
    return run.utilisation


def test_the_ledger_counts_each_listing_once_per_month_and_in_total(
    runs: tuple[Case, ComputedRun, Case, ComputedRun],
) -> None:
    _, run1, _, run2 = runs
    entries, _ = realise(previous(run1), run2.licences_of, run2.utilisation.skus, DAY2)
    late = PublishedRun(**{**published(run2).model_dump(), "run_id": "late", "as_of": date(2026, 3, 5)})
    # A day computed late between the two realises the same listings: the ledger counts them once.
    by_run = {
        run1.run_id: [],
        run2.run_id: entries,
        "late": [{**e, "realised_on": "2026-03-05"} for e in entries],
    }
    summaries = {run1.run_id: run1.utilisation, run2.run_id: run2.utilisation, "late": run2.utilisation}
    result = ledger(
        [published(run1), late, published(run2)],
        lambda run: iter(by_run[run.run_id]),
        lambda run: summaries[run.run_id],
        DAY1,
        DAY2,
    )
    total = float(sum(Decimal(str(e["monthly_amount"])) for e in entries))
    assert result.entries == len({entry_key(e) for e in entries}) == len(entries)
    assert result.realised_total is not None and result.realised_total.amount == total
    assert [m.month for m in result.months] == ["2026-03"]
    assert result.months[0].realised is not None and result.months[0].realised.amount == total
    assert result.months[0].potential == potential(run2.utilisation)
    assert result.potential_now == potential(run2.utilisation)
    assert LEDGER == "ledger"


@pytest.mark.parametrize("trial", range(20))
def test_realised_never_exceeds_what_was_listed(trial: int) -> None:
    """Random listings and random later holdings (fixed seed): realised ≤ listed, each listing once."""
    rng = random.Random(14_000 + trial)
    skus = [f"sku-{n}" for n in range(4)]
    reclaimable = [
        {
            "user_principal_name": f"u{n}@x.example",
            "user_id": f"u{n}",
            "sku_id": rng.choice(skus),
            "reason": rng.choice(["disabled", "inactive", "redundant"]),
            "monthly_cost": rng.choice([0.0, round(rng.uniform(1, 40), 2)]),
            "currency": "GBP",
        }
        for n in range(60)
    ]
    rightsizing = [
        {
            "user_principal_name": f"r{n}@x.example",
            "user_id": f"r{n}",
            "sku_id": rng.choice(skus),
            "to_sku_id": "target",
            "monthly_saving": round(rng.uniform(0.01, 30), 2),
            "currency": "GBP",
        }
        for n in range(30)
    ]
    holdings = {
        row["user_id"]: frozenset(rng.sample([*skus, "target"], rng.randint(0, 3)))
        for row in (*reclaimable, *rightsizing)
        if rng.random() < 0.8
    }
    run = PublishedRun(
        run_id="p", as_of=DAY1, collected_at=datetime(2026, 3, 2, tzinfo=UTC), published_at=datetime.now(UTC)
    )
    prev = Previous(run, [], lambda: iter(reclaimable), lambda: iter(rightsizing), {}, True)
    entries, _ = realise(prev, holdings.get, [], DAY2)
    listed = sum((Decimal(str(r["monthly_cost"])) for r in reclaimable), Decimal(0))
    listed += sum((Decimal(str(r["monthly_saving"])) for r in rightsizing), Decimal(0))
    assert sum(Decimal(str(e["monthly_amount"])) for e in entries) <= listed
    assert len({entry_key(e) for e in entries}) == len(entries)


def test_ledger_rows_are_rows_of_the_run_that_realised_them() -> None:
    """Retention, export and offboarding remove a run's rows by their key: the ledger rows are among them."""
    for item in ("000000", "~pool"):
        parsed = parse_insight_row_key(compose_key(LEDGER, DAY2.isoformat(), "run-2", item))
        assert parsed is not None and parsed.run == (DAY2, "run-2")
