"""The synthetic tenant: determinism, planted facts, and ground truth recomputed independently."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dev.graph_sim import directory
from dev.graph_sim.wire import Clock
from dev.tenant import Account, Tenant, TenantSpec, Workload
from dev.tenant.activity import BAND, EDGES, REPORT_LAG_DAYS, THRESHOLDS, Profile, is_edge_account
from dev.tenant.roles import GLOBAL_ADMIN
from shared.licensing import load_catalogue
from shared.snapshot.roles import PRIVILEGED_ROLES

AS_OF = date(2026, 1, 15)


@cache
def tenant(seed: int = 3, accounts: int = 1500, premium: bool = True) -> Tenant:
    return Tenant(TenantSpec(seed=seed, accounts=accounts, as_of=AS_OF, premium=premium))


def test_same_seed_same_accounts_in_any_order():
    first, second = tenant(), Tenant(TenantSpec(seed=3, accounts=1500, as_of=AS_OF))
    indices = [1499, 7, 0, 733]
    assert [second.account(i) for i in indices] == [first.account(i) for i in reversed(indices)][::-1]
    assert second.ground_truth == first.ground_truth


def test_other_seed_other_tenant():
    assert tenant(seed=4).account(10) != tenant().account(10)
    assert tenant(seed=4).ground_truth != tenant().ground_truth


def test_index_out_of_range_is_refused():
    with pytest.raises(IndexError):
        tenant().account(1500)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=10_000))
def test_global_admin_count_is_exactly_as_configured(count, seed):
    t = Tenant(TenantSpec(seed=seed, accounts=200, as_of=AS_OF, global_admins=count))
    holders = [a for a in t.accounts() if GLOBAL_ADMIN in a.roles]
    assert len(holders) == count == t.ground_truth.global_admins
    assert all(not a.guest and a.enabled for a in holders)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=1499).filter(lambda i: not is_edge_account(i)))
def test_no_activity_lands_near_a_threshold(index):
    activity = tenant().account(index).activity
    offsets = [*activity.workloads.values()]
    if activity.sign_in is not None:
        offsets += [
            d for d in (activity.sign_in.successful, activity.sign_in.non_interactive) if d is not None
        ]
    assert all(abs(d - t) > BAND for d in offsets for t in THRESHOLDS)


def _plans(sku_id: str, disabled: tuple[str, ...], billable_only: bool) -> set[str]:
    sku = load_catalogue().sku(sku_id)
    return {
        p.id for p in sku.service_plans if not (billable_only and p.name == "EXCHANGE_S_FOUNDATION")
    } - set(disabled)


def _redundant_count(account: Account) -> int:
    held = account.licences
    return sum(
        any(
            a is not b
            and a.sku_id != b.sku_id
            and bool(_plans(b.sku_id, b.disabled_plans, True))
            and _plans(b.sku_id, b.disabled_plans, True) <= _plans(a.sku_id, a.disabled_plans, False)
            for a in held
        )
        for b in held
    )


def _privileged(account: Account) -> bool:
    """Holds a privileged role itself or through a role-assignable group it belongs to."""
    via_groups = [role for group in account.role_groups for role in group.roles]
    return any(role in PRIVILEGED_ROLES for role in [*account.roles, *via_groups])


def _inactive(days: int | None, threshold: int) -> bool:
    return days is None or days > threshold


def test_ground_truth_matches_a_recount():
    t = tenant()
    accounts = list(t.accounts())
    truth = t.ground_truth
    licensed_enabled = [a for a in accounts if a.licensed and a.enabled]
    assert truth.accounts == len(accounts) == truth.members + truth.guests
    assert truth.disabled_licensed == sum(a.licensed and not a.enabled for a in accounts)
    assert truth.guests_licensed == sum(a.guest and a.licensed for a in accounts)
    admins = [a for a in accounts if _privileged(a)]
    assert truth.admins == len(admins)
    assert truth.synced_admins == sum(a.synced for a in admins)
    assert truth.admins_without_mfa == sum(not a.mfa.registered for a in admins)
    assert truth.role_holders_via_group == sum(
        any(role in PRIVILEGED_ROLES for g in a.role_groups for role in g.roles) for a in accounts
    )
    assert truth.mfa_registered == sum(a.mfa.registered for a in accounts)
    assert truth.never_signed_in == sum(a.activity.last_signin() is None for a in accounts)
    assert truth.redundant_assignments == sum(_redundant_count(a) for a in accounts)
    consumed: dict[str, int] = {}
    for a in accounts:
        for lic in a.licences:
            consumed[lic.sku_id] = consumed.get(lic.sku_id, 0) + 1
    assert truth.sku_consumed == consumed
    for days in (30, 60, 90):
        assert truth.inactive_licensed[days] == sum(
            _inactive(a.activity.last_any(), days) for a in licensed_enabled
        )
    assert truth.workload_licensed["teams"] == sum(Workload.TEAMS in a.workloads for a in accounts)


def test_planted_facts_are_all_present():
    truth, accounts = tenant().ground_truth, list(tenant().accounts())
    for name in (
        "disabled_licensed",
        "guests_licensed",
        "guests_stale",
        "synced_admins",
        "never_signed_in",
        "signin_null",
        "failed_signin_only",
        "redundant_assignments",
        "disabled_plan_assignments",
    ):
        assert getattr(truth, name) > 0, name
    styles = {
        a.activity.sign_in.null_style
        for a in accounts
        if a.activity.sign_in and a.activity.sign_in.successful is None
    }
    assert styles == {True, False}  # both null and the 0001-01-01 sentinel for "never"
    assert truth.inactive_licensed[30] > truth.inactive_licensed[60] > truth.inactive_licensed[90] > 0


def test_e5_with_power_bi_switched_off_keeps_power_bi_pro_needed():
    catalogue = load_catalogue()
    e5, pbi = catalogue.by_part_number("SPE_E5"), catalogue.by_part_number("POWER_BI_PRO")
    assert e5 is not None and pbi is not None
    bi_plan = next(p.id for p in e5.service_plans if p.name == "BI_AZURE_P2")
    assert catalogue.redundant(e5.id, [], pbi.id, [])
    assert not catalogue.redundant(e5.id, [bi_plan], pbi.id, [])
    trapped = [
        a
        for a in tenant().accounts()
        if any(lic.sku_id == e5.id and bi_plan in lic.disabled_plans for lic in a.licences)
        and any(lic.sku_id == pbi.id for lic in a.licences)
    ]
    assert trapped, "the generator should plant E5-without-Power-BI + Power BI Pro"


def test_non_premium_tenant_holds_no_entra_premium_plans():
    t = tenant(premium=False, accounts=600)
    aad_p1 = {
        p.id
        for p in load_catalogue().sku("078d2b04-f1bd-4111-bbd4-b4b1b354cef4").service_plans
        if p.name == "AAD_PREMIUM"
    }
    for sku_id in t.ground_truth.sku_consumed:
        assert not aad_p1 & load_catalogue().sku(sku_id).plan_ids()


def test_catalogue_lookups():
    catalogue = load_catalogue()
    assert len(catalogue) > 500
    e3 = catalogue.by_part_number("spe_e3")
    assert e3 is not None and catalogue.by_id(e3.id.upper()) == e3
    assert e3.display_name == "Microsoft 365 E3"
    assert catalogue.by_id("00000000-0000-0000-0000-000000000000") is None


def test_edge_accounts_sit_exactly_on_the_windows_edges():
    """Edge accounts: a successful sign-in N or N + 1 days before as_of, workload activity N or N + 1 days
    before the reports' refresh date, for every N in 7/30/60/90 across the tenant."""
    t = tenant()
    signins: set[int] = set()
    workloads: set[int] = set()
    for index in range(t.spec.accounts):
        if not is_edge_account(index):
            continue
        activity = t.account(index).activity
        if activity.profile in (Profile.NEVER, Profile.FAILED_ONLY):
            continue
        assert activity.sign_in is not None and activity.sign_in.successful is not None
        signins.add(activity.sign_in.successful)
        workloads |= {days - REPORT_LAG_DAYS for days in activity.workloads.values()}
    edges = {edge + past for edge in EDGES for past in (0, 1)}
    assert signins == edges and workloads == edges


def test_subscriptions_in_every_status_add_up_to_the_subscribed_skus():
    """The simulator's `/subscribedSkus` is what its `/directory/subscriptions` say: prepaidUnits per status
    = Σ totalLicenses of the SKU's subscriptions in that status (Deleted ones in none), and capabilityStatus
    Enabled whenever a unit is enabled (resources/subscribedsku on learn.microsoft.com)."""
    t = tenant()
    subscriptions = directory.subscriptions(t, Clock(AS_OF), "")["value"]
    assert {s["status"] for s in subscriptions} == {"Enabled", "Warning", "Suspended", "LockedOut", "Deleted"}
    assert len({s["id"] for s in subscriptions}) == len(subscriptions)
    skus = directory.subscribed_skus(t, "")["value"]
    units = {"Enabled": "enabled", "Warning": "warning", "Suspended": "suspended", "LockedOut": "lockedOut"}
    for item in skus:
        own = [s for s in subscriptions if s["skuId"] == item["skuId"]]
        assert sorted(item["subscriptionIds"]) == sorted(s["id"] for s in own)
        for status, field in units.items():
            assert item["prepaidUnits"][field] == sum(
                s["totalLicenses"] for s in own if s["status"] == status
            )
        first_with_units = next(
            (status for status, field in units.items() if item["prepaidUnits"][field]), None
        )
        assert item["capabilityStatus"] == (first_with_units or "Deleted")
    assert {item["capabilityStatus"] for item in skus} == {
        "Enabled",
        "Warning",
        "Suspended",
        "LockedOut",
        "Deleted",
    }
    held = {item["skuId"]: item["consumedUnits"] for item in skus if item["consumedUnits"]}
    assert held == t.ground_truth.sku_consumed
    # One SKU keeps licences on seats that no longer give access: more consumed than Enabled + Warning.
    assert any(
        item["consumedUnits"] > item["prepaidUnits"]["enabled"] + item["prepaidUnits"]["warning"]
        for item in skus
    )
