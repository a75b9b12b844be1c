"""Right-sizing: planted candidates appear exactly, with the saving to the penny; the rules' properties
hold for random price lists; no recommendation (and a warning saying why) without the signal."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from dev.tenant import Tenant
from dev.tenant.rightsizing import rightsizing_truth
from shared.insights.engine import ComputedRun, ComputeSettings
from shared.insights.rightsizing import RIGHTSIZING_LIST
from shared.insights.utilisation import PriceInfo
from shared.licensing import load_catalogue
from shared.snapshot import Dataset
from tests.unit.insights.conftest import Build
from tests.unit.insights.snapshot_builder import SnapshotOptions

PRICES = {
    "SPE_E5": 54.75,
    "SPE_E3": 33.0,
    "ENTERPRISEPREMIUM": 35.0,
    "ENTERPRISEPACK": 20.0,
    "SPB": 18.1,
    "O365_BUSINESS_PREMIUM": 10.3,
    "STANDARDPACK": 7.5,
    "O365_BUSINESS_ESSENTIALS": 4.9,
    "EXCHANGESTANDARD": 3.2,
    "EXCHANGEDESKLESS": 1.7,
    "POWER_BI_PRO": 8.2,
}
PLANTED = {"rightsizing_plants": True}


def settings(prices: dict[str, float]) -> ComputeSettings:
    catalogue = load_catalogue()
    by_id = {}
    for part, amount in prices.items():
        sku = catalogue.by_part_number(part)
        assert sku is not None
        by_id[sku.id] = PriceInfo("GBP", amount)
    return ComputeSettings(prices=by_id)


def part_id(part: str) -> str:
    sku = load_catalogue().by_part_number(part)
    assert sku is not None
    return sku.id


def truth(tenant: Tenant, prices: dict[str, float]) -> dict[tuple[str, str], tuple[str, str, float]]:
    return {key: (e.rule, e.to_sku, e.saving) for key, e in rightsizing_truth(tenant, prices).items()}


def rows(run: ComputedRun) -> list[dict[str, Any]]:
    return list(run.lists[RIGHTSIZING_LIST]())


def found(run: ComputedRun) -> dict[tuple[str, str], tuple[str, str, float]]:
    return {
        (r["user_principal_name"], r["sku_id"]): (r["rule"], r["to_sku_id"], r["monthly_saving"])
        for r in rows(run)
    }


@pytest.mark.parametrize(("seed", "accounts"), [(3, 1500), (11, 1200)])
def test_planted_candidates_appear_exactly_with_the_saving_to_the_penny(
    build: Build, seed: int, accounts: int
) -> None:
    case = build(seed, accounts, **PLANTED)
    run = case.compute(settings(PRICES))
    expected = truth(case.tenant, PRICES)
    assert {rule for rule, _, _ in expected.values()} == {"mail_only", "web_mobile_only"}
    assert found(run) == expected
    # The aggregate: one move per (rule, from, to), its accounts and Σ saving to the penny.
    moves = {(m.rule, m.from_sku_id, m.to_sku_id): m for m in run.utilisation.rightsizing}
    by_move: dict[tuple[str, str, str], list[float]] = {}
    for (_, sku), (rule, to_sku, saving) in expected.items():
        by_move.setdefault((rule, sku, to_sku), []).append(saving)
    assert set(moves) == set(by_move)
    for key, savings in by_move.items():
        assert moves[key].accounts == len(savings)
        assert moves[key].monthly_saving.amount == float(sum(Decimal(str(s)) for s in savings))
        assert moves[key].summary.startswith(f"{len(savings)} account")
        assert "saving £" in moves[key].summary
    # The E5 rule does not run while a Conditional Access policy uses risk, and says so.
    codes = {w.code for w in run.utilisation.warnings}
    assert "rightsizing_signal_in_use:e5_features_unseen" in codes


def test_e5_rule_moves_active_non_admin_e5_holders_to_e3(build: Build) -> None:
    """A tenant whose "Block high-risk sign-ins" policy is disabled: no policy uses risk, so active E5
    holders without a privileged role are moved to E3 — exactly the planted ones, to the penny."""
    case = build(3, 1500, sign_in_risk_blocked=False, **PLANTED)
    run = case.compute(settings(PRICES))
    expected = truth(case.tenant, PRICES)
    assert found(run) == expected
    e5 = {key: v for key, v in expected.items() if v[0] == "e5_features_unseen"}
    moves = {  # from → (to, saving at PRICES)
        part_id("SPE_E5"): (part_id("SPE_E3"), 21.75),
        part_id("ENTERPRISEPREMIUM"): (part_id("ENTERPRISEPACK"), 15.0),
    }
    assert {sku for _, sku in e5} == set(moves), "both E5s have active, non-admin holders"
    for (_, sku), (_, to_sku, saving) in e5.items():
        assert (to_sku, saving) == moves[sku]
    admins = {a.upn for a in case.tenant.accounts() if a.admin}
    assert admins and not admins & {upn for upn, _ in e5}
    # Earlier rules win: some E5 holders who use only mail move to Exchange Online, not to E3.
    assert any(rule == "mail_only" and sku in moves for (_, sku), (rule, _, _) in expected.items())
    codes = {w.code for w in run.utilisation.warnings}
    assert not any(code.startswith("rightsizing_signal_in_use") for code in codes)
    # The assurance check that reads the same policy fails, as the planted verdicts say.
    checks = {c.id: c.status for c in run.assurance.checks}
    assert case.tenant.policies.conditional_access["high-risk-sign-ins-blocked"] == "fail"
    assert checks["high-risk-sign-ins-blocked"] == "fail"


def _random_prices(rng: random.Random) -> dict[str, float]:
    """A random subset of the parts, each priced 0.5–60 to the penny (some targets dearer than sources)."""
    return {part: round(rng.uniform(0.5, 60), 2) for part in PRICES if rng.random() < 0.85}


@pytest.mark.parametrize("trial", range(6))
def test_properties_hold_for_random_prices(build: Build, trial: int) -> None:
    """Never a SKU already held, never a cost increase (no price: no recommendation), one per account
    and SKU — for random price lists (fixed seed)."""
    rng = random.Random(1400 + trial)
    prices = _random_prices(rng)
    case = build(3, 1500, **PLANTED)
    run = case.compute(settings(prices))
    held = {a.upn: {lic.sku_id for lic in a.licences} for a in case.tenant.accounts()}
    part_of = {sku.id: sku.string_id for sku in load_catalogue().skus()}
    keys = set()
    for r in rows(run):
        key = (r["user_principal_name"], r["sku_id"])
        assert key not in keys
        keys.add(key)
        assert r["to_sku_id"] not in held[r["user_principal_name"]]
        assert r["sku_id"] in held[r["user_principal_name"]]
        assert part_of[r["sku_id"]] in prices and part_of[r["to_sku_id"]] in prices
        assert r["to_monthly_price"] < r["monthly_price"]
        assert r["monthly_saving"] > 0
    assert found(run) == truth(case.tenant, prices) | {
        k: v for k, v in found(run).items() if v[0] == "e5_features_unseen"
    }


def test_no_prices_no_recommendations_and_a_warning(build: Build) -> None:
    case = build(3, 1500, **PLANTED)
    run = case.compute(settings({"SPE_E5": 54.75, "SPE_E3": 33.0, "ENTERPRISEPACK": 20.0, "SPB": 18.1}))
    assert rows(run) == [] and run.utilisation.rightsizing == []
    codes = {w.code for w in run.utilisation.warnings}
    assert any(code.startswith("rightsizing_no_priced_target:mail_only:") for code in codes)
    # The licences to price for that are named, so Settings can list them though the tenant holds none.
    targets = {t.sku_id: t.name for t in run.utilisation.rightsizing_targets}
    assert targets[part_id("EXCHANGESTANDARD")] == "Exchange Online (Plan 1)"
    assert {part_id("EXCHANGEDESKLESS"), part_id("STANDARDPACK"), part_id("O365_BUSINESS_ESSENTIALS")} <= set(
        targets
    )
    # Only the rules that ran: the E5 rule did not (a policy uses risk), so its target E3 is not listed.
    assert "rightsizing_signal_in_use:e5_features_unseen" in codes
    assert part_id("SPE_E3") not in targets


def test_concealed_reports_give_no_recommendation_and_say_why(build: Build) -> None:
    case = build(3, 1500, SnapshotOptions(concealed=True), **PLANTED)
    run = case.compute(settings(PRICES))
    assert rows(run) == [] and run.utilisation.rightsizing == []
    assert "rightsizing_unavailable:reports_concealed" in {w.code for w in run.utilisation.warnings}


@pytest.mark.parametrize(
    ("failed", "rules_off"),
    [
        (Dataset.M365_APP_USER_DETAIL, {"mail_only", "web_mobile_only"}),
        (Dataset.ACTIVE_USER_DETAIL, {"mail_only", "e5_features_unseen"}),
    ],
)
def test_a_missing_signal_turns_its_rules_off_with_a_warning(
    build: Build, failed: Dataset, rules_off: set[str]
) -> None:
    case = build(3, 1500, SnapshotOptions(failed={failed}), **PLANTED)
    run = case.compute(settings(PRICES))
    assert not {r["rule"] for r in rows(run)} & rules_off
    codes = {w.code for w in run.utilisation.warnings}
    assert {f"rightsizing_signal_missing:{rule}" for rule in rules_off} <= codes
