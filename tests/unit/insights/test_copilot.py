"""Microsoft 365 Copilot: the utilisation payload's Copilot section and the `copilot_inactive` reclaimable
licences equal the synthetic tenant's planted truth (dev/tenant/copilot.py), money to the penny."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dev.tenant import Tenant
from shared.insights.adoption import COMBINED_GROUP
from shared.insights.engine import ComputedRun, ComputeSettings, trend_points
from shared.insights.models import CopilotSummary, Family
from shared.insights.rounding import money, times
from shared.insights.utilisation import PriceInfo
from shared.snapshot import Dataset
from tests.unit.insights.conftest import Build
from tests.unit.insights.snapshot_builder import SnapshotOptions

COPILOT_PRICE = 24.6  # a price whose products go wrong in binary floating point (33 × 24.6)
SUITE_PRICE = 33.75


def _settings(tenant: Tenant) -> ComputeSettings:
    prices = {tenant.copilot_sku: PriceInfo("GBP", COPILOT_PRICE)}
    prices |= {sku.sku.id: PriceInfo("GBP", SUITE_PRICE) for sku in tenant.seats if sku.sku.id not in prices}
    return ComputeSettings(prices=prices)


def _compute(
    build: Build, seed: int, accounts: int, options: SnapshotOptions | None = None, **spec: object
) -> tuple[Tenant, ComputedRun]:
    case = build(seed, accounts, options, **spec)
    return case.tenant, case.compute(_settings(case.tenant))


def _section(run: ComputedRun) -> CopilotSummary:
    assert run.utilisation.copilot is not None
    return run.utilisation.copilot


def _idle(tenant: Tenant, threshold: int = 30) -> list[str]:
    """Copilot holders (any account state) without a Copilot use in `threshold` days."""
    return [
        a.upn
        for a in tenant.accounts()
        if a.copilot is not None and (a.copilot.last_age is None or a.copilot.last_age > threshold)
    ]


PAID = {"copilot_trial": False}


@pytest.mark.parametrize(
    ("seed", "accounts", "spec"), [(1, 1500, PAID), (23, 1200, {"premium": False, **PAID}), (7, 900, {})]
)
def test_copilot_section_matches_planted_use(
    build: Build, seed: int, accounts: int, spec: dict[str, object]
) -> None:
    tenant, run = _compute(build, seed, accounts, **spec)
    truth = tenant.ground_truth
    copilot = _section(run)
    assert copilot.state == "measured"
    assert truth.copilot_holders > 20
    # every planted pattern is there: never used, heavy, one surface only, occasional, lapsed
    assert all(truth.copilot_uses.get(use, 0) > 0 for use in ("never", "heavy", "one_surface", "lapsed"))
    assert copilot.sku_ids == [tenant.copilot_sku]
    assert copilot.assigned == truth.sku_consumed[tenant.copilot_sku] == truth.copilot_holders
    assert copilot.purchased == tenant.seat_truth.purchased[tenant.copilot_sku]
    assert copilot.reported_users == truth.copilot_holders  # non-holders never appear
    by_surface = {s.surface: s for s in copilot.surfaces}
    assert next(iter(by_surface)) == "any"
    for surface, windows in truth.copilot_active.items():
        got = by_surface[surface]
        assert (got.active_7, got.active_28, got.active_90) == (windows[7], windows[28], windows[90]), surface
    # inactive seats and what they cost, to the penny
    idle = _idle(tenant)
    assert copilot.inactive_seats == truth.copilot_idle == len(idle)
    never = len(_idle(tenant, 180))  # the report covers 180 days
    assert copilot.never_used == never
    # a trial seat costs nothing until the trial would convert
    price = Decimal("24.6") if spec.get("copilot_trial", True) is False else Decimal(0)
    assert [(m.currency, m.amount) for m in copilot.monthly_cost_inactive] == [
        ("GBP", float(price * len(idle)))
    ]
    # groups: under 5 holders suppressed and combined (as adoption's), else holders and 28-day users
    groups = {g.group: g for g in copilot.groups}
    combined = groups.pop(COMBINED_GROUP)
    assert {name: g.holders for name, g in groups.items()} == truth.copilot_group_holders
    hidden = [name for name, g in groups.items() if g.suppressed]
    assert hidden and all(groups[name].active_28 is None for name in hidden)
    assert any(g.holders < 5 for g in groups.values() if g.suppressed)
    assert all(g.holders >= 5 for g in groups.values() if not g.suppressed)
    for name, g in groups.items():
        if not g.suppressed:
            assert g.active_28 == truth.copilot_group_active_28[name]
    assert combined.holders == sum(groups[n].holders for n in hidden) >= 5
    assert combined.active_28 == sum(truth.copilot_group_active_28[n] for n in hidden)
    shown = [g.holders for g in (*groups.values(), combined) if not g.suppressed]
    assert sum(shown) == truth.copilot_holders  # the breakdown adds up to the total
    # adoption trend: 90 days, oldest first; every holder is enabled
    assert len(copilot.trend) == 90
    assert [d.day for d in copilot.trend] == sorted(d.day for d in copilot.trend)
    assert copilot.trend[-1].enabled == truth.copilot_holders
    assert copilot.report_refresh_date == copilot.trend[-1].day
    point = trend_points(run)[Family.UTILISATION]
    assert point["copilot.active_28"] == truth.copilot_active["any"][28]
    assert point["copilot.inactive_seats"] == len(idle)


def test_unused_copilot_seats_of_active_people_are_reclaimable(build: Build) -> None:
    tenant, run = _compute(build, 1, 1500, **PAID)
    rows = list(run.lists["reclaimable-licences"]())
    copilot_rows = {r["user_principal_name"]: r for r in rows if r["sku_id"] == tenant.copilot_sku}
    expected = {
        a.upn: a
        for a in tenant.accounts()
        if a.copilot is not None
        and a.enabled
        and (a.activity.last_any() is not None and a.activity.last_any() <= 30)  # type: ignore[operator]
        and (a.copilot.last_age is None or a.copilot.last_age > 30)
    }
    found = {upn for upn, r in copilot_rows.items() if r["reason"] == "copilot_inactive"}
    assert found == set(expected) and found
    for upn, a in expected.items():
        row = copilot_rows[upn]
        assert row["reasons"] == "copilot_inactive"
        age = a.copilot.last_age if a.copilot is not None else None
        assert row["days_inactive"] == (age if age is not None and age <= 180 else None)
        assert "no Copilot use in 30 days" in row["action"]
        assert row["monthly_cost"] == COPILOT_PRICE and row["currency"] == "GBP"
    # every idle Copilot seat is in the list, under its first reason (disabled, inactive or copilot_inactive)
    assert set(copilot_rows) >= set(_idle(tenant))
    # the list still adds up to the monthly waste, to the penny
    total = money(sum(r["monthly_cost"] or 0 for r in rows))
    assert [m.amount for m in run.utilisation.totals.monthly_waste] == [total]
    sku = next(s for s in run.utilisation.skus if s.sku_id == tenant.copilot_sku)
    assert sku.usage_signal == "activity"
    assert sku.monthly_waste is not None and sku.monthly_waste.amount == times(sku.waste_seats, COPILOT_PRICE)


def test_without_copilot_licences_the_section_says_so(build: Build) -> None:
    tenant, run = _compute(build, 1, 600, copilot=False)
    copilot = _section(run)
    assert tenant.ground_truth.copilot_holders == 0
    assert copilot.state == "not_licensed"
    assert copilot.message and "No Microsoft 365 Copilot licence" in copilot.message
    # nothing that could read as a measured zero
    assert copilot.surfaces == [] and copilot.trend == [] and copilot.groups == []
    assert (
        copilot.inactive_seats is None and copilot.never_used is None and copilot.monthly_cost_inactive == []
    )
    assert not any(r["reason"] == "copilot_inactive" for r in run.lists["reclaimable-licences"]())


def test_concealed_names_give_organisation_figures_only(build: Build) -> None:
    tenant, run = _compute(build, 1, 1500, SnapshotOptions(concealed=True))
    copilot = _section(run)
    assert copilot.state == "names_concealed"
    assert copilot.surfaces[0].active_28 == tenant.ground_truth.copilot_active["any"][28]
    assert copilot.inactive_seats is None and not copilot.groups_available and copilot.groups == []
    assert not any(r["reason"] == "copilot_inactive" for r in run.lists["reclaimable-licences"]())
    sku = next(s for s in run.utilisation.skus if s.sku_id == tenant.copilot_sku)
    assert sku.usage_signal == "none"  # nothing joins a seat to its use


def test_without_the_usage_report_seats_are_shown_and_use_is_not(build: Build) -> None:
    failed = {Dataset.COPILOT_USAGE_USER_DETAIL, Dataset.COPILOT_USER_COUNT_TREND}
    tenant, run = _compute(build, 1, 600, SnapshotOptions(failed=failed))
    copilot = _section(run)
    assert copilot.state == "no_report"
    assert copilot.message and "failed" in copilot.message
    assert copilot.assigned == tenant.ground_truth.copilot_holders > 0
    assert copilot.surfaces == [] and copilot.inactive_seats is None
    codes = {w.code for w in run.utilisation.warnings}
    assert "dataset_failed:copilot_usage_user_detail" in codes
