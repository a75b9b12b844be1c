"""Each figure means what Microsoft's documentation and the README say, on hand-built snapshots (issue 11).

One test per definition: successful sign-ins only, expiring (Warning) subscriptions, trials, free SKUs,
unassigned seats in the reclaimable list, the "(no department)" group, add-ons without a usage signal,
which plans count for redundancy, half-up rounding, windows from each report's refresh date, and lists
ranked by what their reader acts on first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from shared.insights.assurance import posture
from shared.insights.engine import NO_DEPARTMENT, ComputedRun, ComputeSettings, adoption_trend_fields
from shared.insights.models import AdoptionSummary, Family, UtilisationSummary
from shared.insights.rounding import half_up, pct, times
from shared.insights.utilisation import PriceInfo
from shared.licensing import load_catalogue
from shared.licensing.rules import counts_for_redundancy, is_free, usage_signal
from shared.snapshot import Dataset
from shared.snapshot import records as r
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR
from tests.unit.insights.test_formulas import (
    BI_AZURE_P2,
    E3,
    E5,
    O365_E3,
    PBI_PRO,
    _result,
    ago,
    day,
    run,
    sign_in,
    sku,
    user,
)

COPILOT = "639dec6b-bb19-468b-871c-c5c441c4b0cb"  # Microsoft_365_Copilot
FABRIC_FREE = "a403ebcc-fae0-4ca2-8c8c-7a907fd6c235"  # POWER_BI_STANDARD, "Microsoft Fabric (Free)"
TEAMS_PHONE = "e43b5b99-8dfb-405f-9987-dc307f34bcbd"  # MCOEV
VISIO = "c5928f49-12ba-48f7-ada3-0d743a3601d5"  # VISIOCLIENT
EXCHANGE_PLAN_1 = "4b9405b0-7788-4568-add1-99614e613b69"  # EXCHANGESTANDARD
EXCHANGE_PLAN_2 = "19ec0d23-8335-4cbd-94ac-6050e30712fa"  # EXCHANGEENTERPRISE
ENTRA_P1 = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4"  # AAD_PREMIUM
EXCHANGE_S_ENTERPRISE = "efb87545-963c-4e0d-99df-69c6916d9eb0"  # the plan in Microsoft 365 E3
GBP = "GBP"


def utilisation(result: ComputedRun) -> UtilisationSummary:
    u = result.payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    return u


def subscription(sub_id: str, sku_id: str, status: str, seats: int, in_days: int, trial: bool = False) -> Any:
    return r.Subscription(
        id=sub_id,
        sku_id=sku_id,
        status=status,
        total_licenses=seats,
        is_trial=trial,
        next_lifecycle_date_time=ago(-in_days),
    )


# --- 1. a sign-in counts only when it succeeded ----------------------------------------------------------


def test_only_successful_sign_ins_count_as_activity(tmp_path: Path) -> None:
    # Microsoft: lastNonInteractiveSignInDateTime is the last attempt, successful *or not*;
    # lastSuccessfulSignInDateTime the last success, interactive or not (resources/signinactivity).
    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.USERS: [user("ok", (E3,)), user("attempt", (E3,)), user("interactive_fail", (E3,))],
        Dataset.SIGN_IN_ACTIVITY: [
            sign_in("ok", successful=1, non_interactive=1),
            sign_in("attempt", non_interactive=1),  # a client retrying a revoked token
            sign_in("interactive_fail", attempted=1),
        ],
        Dataset.SUBSCRIBED_SKUS: [sku(E3, "SPE_E3", enabled=3, consumed=3)],
    }
    result = run(tmp_path, data)
    assert utilisation(result).totals.inactive_accounts == 2
    stale = next(
        c
        for c in result.payloads[Family.ASSURANCE].model_dump()["checks"]
        if c["id"] == "stale-enabled-accounts"
    )
    assert stale["evidence"]["stale_enabled_90"] == 2
    listed = {
        row["user_principal_name"]
        for row in result.lists["assurance-findings"]()
        if row["check_id"] == "stale-enabled-accounts"
    }
    assert listed == {"attempt@t.example", "interactive_fail@t.example"}


# --- 2, 3. expired and trial subscriptions ---------------------------------------------------------------


def lifecycle_snapshot() -> dict[Dataset, Sequence[BaseModel]]:
    """E5: 10 paid seats renewing in 40 days, 5 expired (Warning) seats lapsing in 13 days; 4 holders, one
    of them inactive. Copilot: 6 seats, all on a trial ending in 20 days; 3 holders, one inactive."""
    return {
        Dataset.USERS: [
            user("e1", (E5,), (COPILOT,)),
            user("e2", (E5,), (COPILOT,)),
            user("e3", (E5,)),
            user("e4", (E5,), (COPILOT,)),
        ],
        Dataset.SIGN_IN_ACTIVITY: [
            sign_in("e1", successful=1),
            sign_in("e2", successful=2),
            sign_in("e3", successful=3),
            sign_in("e4", successful=45),
        ],
        Dataset.SUBSCRIBED_SKUS: [
            sku(E5, "SPE_E5", enabled=10, warning=5, consumed=4),
            sku(COPILOT, "Microsoft_365_Copilot", enabled=6, consumed=3),
        ],
        Dataset.SUBSCRIPTIONS: [
            subscription("s-e5", E5, "Enabled", 10, 40),
            subscription("s-e5-expired", E5, "Warning", 5, 13),
            subscription("s-copilot-trial", COPILOT, "Enabled", 6, 20, trial=True),
        ],
    }


PRICES = {E5: PriceInfo(GBP, 54.75), COPILOT: PriceInfo(GBP, 24.6)}


def test_a_warning_subscription_lapses_and_is_never_a_renewal_saving(tmp_path: Path) -> None:
    # Microsoft: Warning = expired, in its grace period; nextLifecycleDateTime = when it moves on
    # (suspended) unless renewed (resources/companysubscription, resources/licenseunitsdetail).
    events = {
        e.subscription_id: e
        for e in utilisation(run(tmp_path, lifecycle_snapshot(), ComputeSettings(prices=PRICES))).renewals
    }
    expired = events["s-e5-expired"]
    assert (expired.event, expired.status, expired.days_to_event) == ("expiry", "Warning", 13)
    assert (expired.reclaimable_seats, expired.monthly_saving, expired.term_saving) == (0, None, None)
    assert "lapse on" in expired.action
    renewal = events["s-e5"]
    # waste seats: 11 unassigned (15 − 4) + 1 inactive = 12, allotted to the renewal up to its 10 seats
    assert (renewal.event, renewal.reclaimable_seats) == ("renewal", 10)
    assert renewal.monthly_saving is not None and renewal.monthly_saving.amount == 547.5  # 10 × 54.75


def test_trial_seats_cost_nothing_and_end_instead_of_renewing(tmp_path: Path) -> None:
    result = run(tmp_path, lifecycle_snapshot(), ComputeSettings(prices=PRICES))
    u = utilisation(result)
    copilot = next(row for row in u.skus if row.sku_id == COPILOT)
    assert (copilot.trial_seats, copilot.reclaimable, copilot.unassigned) == (6, 1, 3)
    assert copilot.waste_seats == 0  # max(1 + 3 − 6, 0)
    assert copilot.monthly_waste is not None and copilot.monthly_waste.amount == 0.0
    trial = next(e for e in u.renewals if e.subscription_id == "s-copilot-trial")
    assert (trial.event, trial.monthly_saving, trial.term_saving) == ("trial_end", None, None)
    rows = [row for row in result.lists["reclaimable-licences"]() if row["sku_id"] == COPILOT]
    assert {row["monthly_cost"] for row in rows} == {0.0}
    e5 = next(row for row in u.skus if row.sku_id == E5)
    assert [(m.currency, m.amount) for m in u.totals.monthly_waste] == [(GBP, 657.0)]  # E5 only: 12 × 54.75
    assert e5.monthly_waste is not None and e5.monthly_waste.amount == 657.0


# --- 4, 5. free SKUs, unassigned seats -------------------------------------------------------------------


def free_snapshot() -> dict[Dataset, Sequence[BaseModel]]:
    return {
        Dataset.USERS: [user("f1", (E3,), (FABRIC_FREE,)), user("f2", (E3,), (FABRIC_FREE,), enabled=False)],
        Dataset.SIGN_IN_ACTIVITY: [sign_in("f1", successful=1)],
        Dataset.SUBSCRIBED_SKUS: [
            sku(E3, "SPE_E3", enabled=5, consumed=2),
            sku(FABRIC_FREE, "POWER_BI_STANDARD", enabled=1_000_000, consumed=2),
        ],
        Dataset.SUBSCRIPTIONS: [
            subscription("s-e3", E3, "Enabled", 5, 30),
            subscription("s-fabric", FABRIC_FREE, "Enabled", 1_000_000, 30),
        ],
    }


def test_a_free_sku_is_listed_but_out_of_every_sum_and_list(tmp_path: Path) -> None:
    result = run(tmp_path, free_snapshot(), ComputeSettings(prices={E3: PriceInfo(GBP, 33.0)}))
    u = utilisation(result)
    fabric = next(row for row in u.skus if row.sku_id == FABRIC_FREE)
    assert fabric.free and fabric.monthly_waste is None
    assert (u.totals.purchased, u.totals.assigned, u.totals.reclaimable_assignments) == (5, 2, 1)
    assert all(e.sku_id != FABRIC_FREE for e in u.renewals)
    for report in ("reclaimable-licences", "sku-utilisation"):
        assert all(row["sku_id"] != FABRIC_FREE for row in result.lists[report]()), report


def test_free_is_defined_from_microsofts_names_plans_and_the_price() -> None:
    catalogue = load_catalogue()

    def free(part: str, price: float | None = None) -> bool:
        found = catalogue.by_part_number(part)
        assert found is not None
        return is_free(found.display_name, [p.name for p in found.service_plans], price)

    assert free("POWER_BI_STANDARD")  # "Microsoft Fabric (Free)"
    assert free("FLOW_FREE")  # "Microsoft Power Automate Free"
    assert free("POWERAPPS_VIRAL")  # "... Plan 2 Trial"
    assert free("POWERAPPS_DEV")  # only *_VIRAL plans (and the foundation plan)
    assert not free("SPE_E3") and not free("POWER_BI_PRO") and not free("Microsoft_365_Copilot")
    assert free("SPE_E3", price=0.0)  # the organisation says it pays nothing


def test_unassigned_seats_are_rows_of_the_reclaimable_list_so_it_adds_up_to_the_waste(tmp_path: Path) -> None:
    result = run(tmp_path, free_snapshot(), ComputeSettings(prices={E3: PriceInfo(GBP, 33.0)}))
    u = utilisation(result)
    rows = list(result.lists["reclaimable-licences"]())
    unassigned = [row for row in rows if row["reason"] == "unassigned"]
    assert [(row["sku_id"], row["seats"], row["monthly_cost"]) for row in unassigned] == [(E3, 3, 99.0)]
    assert sum(row["monthly_cost"] for row in rows) == u.totals.monthly_waste[0].amount == 132.0  # 4 × 33


# --- 6. the "(no department)" group ----------------------------------------------------------------------


def test_accounts_without_a_department_are_a_counted_group(tmp_path: Path) -> None:
    people = [user(f"n{i}", (E3,)) for i in range(5)] + [
        user(f"s{i}", (E3,), department="Sales") for i in range(5)
    ]
    rows = [
        r.ActiveUserDetail(
            report_refresh_date=day(2),
            user_principal_name=f"{p.display_name}@t.example",
            has_exchange_license=True,
            exchange_last_activity_date=day(3),
        )
        for p in people
    ]
    a = run(tmp_path, {Dataset.USERS: people, Dataset.ACTIVE_USER_DETAIL: rows}).payloads[Family.ADOPTION]
    assert isinstance(a, AdoptionSummary)
    groups = {g.group: g for g in a.groups}
    assert set(groups) == {NO_DEPARTMENT, "Sales"}
    assert groups[NO_DEPARTMENT].workloads["exchange"].licensed == 5
    total = next(w.licensed for w in a.workloads if w.workload == "exchange")
    assert sum(g.workloads["exchange"].licensed for g in a.groups) == total == 10


# --- 7. add-ons ------------------------------------------------------------------------------------------


def test_an_add_on_is_never_active_by_an_unrelated_sign_in(tmp_path: Path) -> None:
    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.USERS: [user("p1", (E3,), (TEAMS_PHONE,)), user("p2", (E3,), (TEAMS_PHONE,))],
        Dataset.SIGN_IN_ACTIVITY: [sign_in("p1", successful=1), sign_in("p2", successful=200)],
        Dataset.SUBSCRIBED_SKUS: [
            sku(E3, "SPE_E3", enabled=2, consumed=2),
            sku(TEAMS_PHONE, "MCOEV", enabled=2, consumed=2),
        ],
    }
    u = utilisation(run(tmp_path, data))
    phone = next(row for row in u.skus if row.sku_id == TEAMS_PHONE)
    assert phone.usage_signal == "none"
    assert (phone.active, phone.no_signal, phone.inactive, phone.utilisation_pct) == (0, 1, 1, None)
    e3 = next(row for row in u.skus if row.sku_id == E3)
    assert (e3.usage_signal, e3.active, e3.utilisation_pct) == ("activity", 1, 50.0)
    assert u.totals.utilisation_pct == 50.0  # only SKUs with a usage signal: 1 / 2
    assert (
        usage_signal(["MCOEV"]) == "none" and usage_signal(["EXCHANGE_S_ENTERPRISE", "MCOEV"]) == "activity"
    )


# --- 9. which plans count for redundancy -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("holder", "holder_off", "other", "redundant"),
    [
        (E5, (), PBI_PRO, True),  # Pro = BI_AZURE_P2 (+ the foundation plan), which E5 includes
        (E5, (BI_AZURE_P2,), PBI_PRO, False),  # Power BI switched off in E5: Pro is needed
        (E5, (), TEAMS_PHONE, True),  # E5 includes MCOEV
        (E3, (), TEAMS_PHONE, False),  # E3 does not
        (E3, (), O365_E3, True),  # Microsoft 365 E3 ⊇ Office 365 E3
        (E5, (), VISIO, False),  # Visio's client plan is in no suite
        (E3, (), EXCHANGE_PLAN_1, True),  # Plan 1's mailbox and To Do are lower tiers of E3's
        (O365_E3, (), EXCHANGE_PLAN_1, True),
        (EXCHANGE_PLAN_1, (), EXCHANGE_PLAN_2, False),  # a lower tier never covers a higher one
        (E3, (EXCHANGE_S_ENTERPRISE,), EXCHANGE_PLAN_1, False),  # E3's mailbox switched off
        (E3, (), ENTRA_P1, True),  # Entra ID P1 = AAD_PREMIUM, MFA_PREMIUM, discovery (+ foundation)
    ],
)
def test_redundancy_on_real_sku_pairs(
    holder: str, holder_off: tuple[str, ...], other: str, redundant: bool
) -> None:
    assert load_catalogue().redundant(holder, holder_off, other, ()) is redundant


def test_the_foundation_plan_does_not_count_for_redundancy() -> None:
    assert not counts_for_redundancy("EXCHANGE_S_FOUNDATION")
    assert not counts_for_redundancy("EXCHANGE_S_FOUNDATION_GOV")
    assert counts_for_redundancy("BI_AZURE_P2") and counts_for_redundancy("EXCHANGE_S_STANDARD")
    # Counting it would make Power BI Pro (BI_AZURE_P2 + EXCHANGE_S_FOUNDATION) never redundant beside E5.
    catalogue = load_catalogue()
    pro = {p.name for p in catalogue.sku(PBI_PRO).service_plans}
    e5 = {p.name for p in catalogue.sku(E5).service_plans}
    assert pro - e5 == {"EXCHANGE_S_FOUNDATION"}
    assert catalogue.redundant(E5, (), PBI_PRO, ())


def test_the_catalogue_singles_out_the_foundation_plans_as_free_plumbing() -> None:
    """Decided by data: Exchange Foundation is in most free SKUs and in hundreds of paid ones; no other
    plan is in more than a handful of free SKUs, so no other plan is excluded."""
    catalogue = load_catalogue()
    free = [s for s in catalogue.skus() if is_free(s.display_name, [p.name for p in s.service_plans], None)]
    in_free: dict[str, int] = {}
    for s in free:
        for name in {p.name for p in s.service_plans}:
            in_free[name] = in_free.get(name, 0) + 1
    common = {name for name, n in in_free.items() if n * 2 > len(free)}
    assert common == {"EXCHANGE_S_FOUNDATION"}
    assert all(not counts_for_redundancy(name) for name in common)
    assert max(n for name, n in in_free.items() if counts_for_redundancy(name)) <= 3


# --- 10. half-up rounding --------------------------------------------------------------------------------


def test_rounding_is_half_up_on_exact_decimals() -> None:
    assert pct(18, 32) == 56.3  # 56.25: half-to-even gave 56.2
    assert pct(1, 8) == 12.5 and pct(1, 3) == 33.3
    assert half_up(0.125, 2) == 0.13 and half_up(2.675, 2) == 2.68  # 2.675 is 2.67499… as a binary float
    assert times(33, 24.6) == 811.8
    # 100 × (2·0.5) / (2 + 3 + 3) = 12.5 → 13 (half-to-even gave 12)
    assert posture([_result("medium", "warn"), _result("high", "fail"), _result("high", "fail")]).score == 13


# --- 11. windows from each source's own date -------------------------------------------------------------


def test_report_activity_counts_back_from_the_report_refresh_date(tmp_path: Path) -> None:
    # Exchange activity 31 days before as_of, in a report refreshed 2 days before as_of: 29 days before the
    # report's own date, so active at 30 days; the list still shows the real date.
    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.USERS: [user("w1", (E3,))],
        Dataset.SIGN_IN_ACTIVITY: [sign_in("w1", successful=120)],
        Dataset.ACTIVE_USER_DETAIL: [
            r.ActiveUserDetail(
                report_refresh_date=day(2),
                user_principal_name="w1@t.example",
                has_exchange_license=True,
                exchange_last_activity_date=day(31),
            )
        ],
        Dataset.SUBSCRIBED_SKUS: [sku(E3, "SPE_E3", enabled=1, consumed=1)],
    }
    u = utilisation(run(tmp_path, data, ComputeSettings(threshold_days=30)))
    assert (u.totals.active_accounts, u.inactive_licensed[30]) == (1, 0)


# --- 12. lists ranked by risk; every failing check names its accounts ------------------------------------


def test_waste_risk_ranks_by_severity_before_cost(tmp_path: Path) -> None:
    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.USERS: [user("ga", (E3,)), *(user(f"rich{i}", (E5,), (PBI_PRO,)) for i in range(3))],
        Dataset.SIGN_IN_ACTIVITY: [
            sign_in("ga", successful=1),
            *(sign_in(f"rich{i}", successful=1) for i in range(3)),
        ],
        Dataset.REGISTRATION_DETAILS: [
            r.RegistrationDetail(id=f"id-{name}", is_mfa_registered=False)
            for name in ("ga", "rich0", "rich1", "rich2")
        ],
        Dataset.ROLE_ASSIGNMENTS: [
            r.RoleAssignment(
                id="ra", role_definition_id=GLOBAL_ADMINISTRATOR, principal_id="id-ga", principal_type="user"
            )
        ],
    }
    prices = {E3: PriceInfo(GBP, 1.0), E5: PriceInfo(GBP, 54.75), PBI_PRO: PriceInfo(GBP, 10.5)}
    result = run(tmp_path, data, ComputeSettings(prices=prices))
    rows = list(result.lists["waste-risk"]())
    assert rows[0]["user_principal_name"] == "ga@t.example"  # cheapest, but a Global Admin without MFA
    assert rows[0]["severity"] == "high" and "admin_without_mfa" in rows[0]["risks"]
    assert [row["severity"] for row in rows[1:]] == ["medium"] * 3


def test_a_failing_mfa_coverage_check_lists_its_members(tmp_path: Path) -> None:
    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.USERS: [user(f"m{i}") for i in range(4)] + [user("guest", guest=True)],
        Dataset.REGISTRATION_DETAILS: [r.RegistrationDetail(id="id-m0", is_mfa_registered=True)],
    }
    result = run(tmp_path, data)
    checks = {c["id"]: c for c in result.payloads[Family.ASSURANCE].model_dump()["checks"]}
    coverage = checks["mfa-registration-coverage"]
    assert coverage["status"] == "fail"  # 1 / 4
    listed = [
        row for row in result.lists["assurance-findings"]() if row["check_id"] == "mfa-registration-coverage"
    ]
    expected = coverage["evidence"]["enabled_members"] - coverage["evidence"]["registered_enabled_members"]
    assert [row["user_principal_name"] for row in listed] == ["m1@t.example", "m2@t.example", "m3@t.example"]
    assert len(listed) == expected


def test_every_adoption_trend_point_has_the_same_fields(tmp_path: Path) -> None:
    counts = r.ActiveUserCounts(report_refresh_date=day(2), report_date=day(2), exchange=7, report_period=7)
    result = run(tmp_path, {Dataset.ACTIVE_USER_COUNTS: [counts]})
    point = result.trend[Family.ADOPTION]
    assert list(point) == adoption_trend_fields()
    assert point["exchange.daily_active"] == 7
