"""Computed figures equal the synthetic tenant's ground truth (dev/tenant/truth.py), for several seeds."""

from __future__ import annotations

import pytest

from dev.tenant import SeatTruth
from shared.insights.engine import ComputeSettings
from shared.insights.models import AdoptionSummary, AssuranceSummary, Family, UtilisationSummary
from shared.snapshot import Dataset
from tests.unit.insights.conftest import Build
from tests.unit.insights.snapshot_builder import SnapshotOptions

CASES = [
    (1, 1500, {}),
    (7, 900, {"global_admins": 1, "legacy_auth_blocked": False, "mfa_required_for_all": True}),
    (23, 1200, {"premium": False, "synced_ratio": 0.0}),
]


def _seats_match(u: UtilisationSummary, seats: SeatTruth, basis: str) -> None:
    """Every subscription status counts as the ground truth says: which SKUs are listed, their usable,
    unassigned, over-assigned, trial and waste seats, and which subscriptions have which next event."""
    rows = {row.sku_id: row for row in u.skus}
    assert set(rows) == set(seats.capability_status)  # a Deleted SKU nobody holds is not listed
    for name, expected in (
        ("capability_status", seats.capability_status),
        ("purchased", seats.purchased),
        ("unassigned", seats.unassigned),
        ("over_assigned", seats.over_assigned),
        ("trial_seats", seats.trial_seats),
        ("waste_seats", seats.waste_seats[basis]),
    ):
        assert {sku_id: getattr(row, name) for sku_id, row in rows.items()} == expected, name
    assert {e.subscription_id: e.event for e in u.renewals} == seats.events
    # Every status is planted, and so is every capabilityStatus but Deleted's (a SKU nobody holds).
    assert set(seats.statuses) == {"Enabled", "Warning", "Suspended", "LockedOut", "Deleted"}
    assert set(seats.capability_status.values()) == {"Enabled", "Warning", "Suspended", "LockedOut"}
    assert any(seats.over_assigned.values())


def _checks(summary: AssuranceSummary) -> dict[str, dict[str, object]]:
    return {c.id: {"status": c.status, **c.evidence} for c in summary.checks}


@pytest.mark.parametrize(("seed", "accounts", "spec"), CASES)
def test_every_family_matches_ground_truth(
    build: Build, seed: int, accounts: int, spec: dict[str, object]
) -> None:
    case = build(seed, accounts, **spec)
    truth = case.tenant.ground_truth
    run = case.compute()
    u = run.payloads[Family.UTILISATION]
    a = run.payloads[Family.ADOPTION]
    s = run.payloads[Family.ASSURANCE]
    assert isinstance(u, UtilisationSummary)
    assert isinstance(a, AdoptionSummary)
    assert isinstance(s, AssuranceSummary)

    # utilisation
    assert u.totals.licensed_accounts == truth.licensed
    assert u.totals.disabled_licensed == truth.disabled_licensed
    assert u.totals.guests_licensed == truth.guests_licensed
    assert u.totals.redundant_assignments == truth.redundant_assignments
    assert u.redundant_by_sku == truth.redundant_by_sku
    assert {row.sku_id: row.assigned for row in u.skus if row.assigned} == truth.sku_consumed
    assert {row.sku_id: row.holders for row in u.skus if row.holders} == truth.sku_consumed
    _seats_match(u, case.tenant.seat_truth, "blended" if spec.get("premium", True) else "reports")
    if spec.get("premium", True):
        assert u.activity_basis == "blended"
        assert u.inactive_licensed == truth.inactive_licensed
    else:
        assert u.activity_basis == "reports"
        assert u.inactive_licensed == truth.inactive_licensed_reports
    assert u.totals.inactive_accounts == u.inactive_licensed[30]

    # adoption
    by_workload = {w.workload: w for w in a.workloads}
    for workload, licensed in truth.workload_licensed.items():
        if workload == "skype":
            continue
        got = by_workload[workload]
        assert got.licensed == licensed, workload
        assert (got.active_7, got.active_30, got.active_90) == tuple(
            truth.workload_active[workload][d] for d in (7, 30, 90)
        ), workload

    # assurance
    checks = _checks(s)
    assert checks["global-admin-count"]["global_admins"] == truth.global_admins
    assert checks["global-admin-count"]["status"] == ("pass" if 2 <= truth.global_admins <= 8 else "fail")
    assert checks["synced-admins"]["synced_admins"] == truth.synced_admins
    assert (
        checks["inactive-licensed-admins"]["inactive_licensed_admins_90"] == truth.inactive_licensed_admins_90
    )
    assert checks["legacy-auth-blocked"]["status"] == (
        "not_applicable" if not spec.get("premium", True) else "pass" if truth.legacy_auth_blocked else "fail"
    )
    if spec.get("premium", True):
        assert checks["admins-without-mfa"]["admins_without_mfa"] == truth.admins_without_mfa
        assert checks["mfa-registration-coverage"]["registered_all_accounts"] == truth.mfa_registered
        assert checks["mfa-registration-coverage"]["enabled_members"] == truth.enabled_members
        assert (
            checks["mfa-registration-coverage"]["registered_enabled_members"]
            == truth.mfa_registered_enabled_members
        )
        assert checks["stale-enabled-accounts"]["stale_enabled_90"] == truth.stale_enabled_90
        assert checks["stale-guests"]["stale_guests"] == truth.guests_stale
        assert checks["stale-guests"]["stale_licensed_guests"] == truth.guests_stale_licensed
        assert checks["mfa-required-for-all"]["status"] == ("pass" if truth.mfa_required_for_all else "fail")
        # planted in dev/graph_sim/directory.py: phishing-resistant MFA for every privileged role only, a
        # high-risk sign-in block but no user-risk one, and no account excluded from every policy
        assert checks["phishing-resistant-mfa-for-all"]["status"] == "fail"
        assert checks["phishing-resistant-mfa-for-admins"]["status"] == "pass"
        assert checks["break-glass-excluded"]["status"] == "fail"
        p2 = any(
            "AAD_PREMIUM_P2" in {p.name for p in case.tenant.catalogue.sku(sku).service_plans}
            for sku in truth.sku_consumed
        )
        assert checks["high-risk-sign-ins-blocked"]["status"] == ("pass" if p2 else "not_applicable")
        assert checks["high-risk-users-blocked"]["status"] == ("fail" if p2 else "not_applicable")
    assert s.secure_score is not None
    assert (s.secure_score.current, s.secure_score.maximum) == (
        truth.secure_score_current,
        truth.secure_score_max,
    )
    assert len(s.secure_score.history) == 90


def test_non_premium_tenant_says_what_is_missing(build: Build) -> None:
    run = build(23, 1200, premium=False, synced_ratio=0.0).compute()
    codes = {w.code for w in run.payloads[Family.UTILISATION].warnings}
    assert "signin_activity_unavailable" in codes
    s = run.payloads[Family.ASSURANCE]
    assert isinstance(s, AssuranceSummary)
    by_id = {c.id: c for c in s.checks}
    for check in ("stale-enabled-accounts", "stale-guests", "legacy-auth-blocked", "mfa-required-for-all"):
        assert by_id[check].status == "not_applicable"
        assert "P1" in (by_id[check].reason or "")
    assert by_id["synced-admins"].status == "pass"  # synced_ratio 0: no hybrid admins
    assert s.posture.counts["not_applicable"] >= 4


def test_threshold_moves_the_headline(build: Build) -> None:
    case = build(1, 1500)
    truth = case.tenant.ground_truth
    for days in (30, 60, 90):
        u = case.compute(ComputeSettings(threshold_days=days)).payloads[Family.UTILISATION]
        assert isinstance(u, UtilisationSummary)
        assert u.totals.inactive_accounts == truth.inactive_licensed[days]
        assert (
            u.totals.active_accounts + u.totals.inactive_accounts == truth.licensed - truth.disabled_licensed
        )
        assert sum(row.inactive for row in u.skus) >= truth.inactive_licensed[days]


def test_concealed_reports_keep_aggregates_and_skip_joins(build: Build) -> None:
    case = build(1, 1500, SnapshotOptions(concealed=True))
    truth = case.tenant.ground_truth
    run = case.compute()
    u, a, p = (run.payloads[f] for f in (Family.UTILISATION, Family.ADOPTION, Family.PRODUCTIVITY))
    assert isinstance(u, UtilisationSummary)
    assert isinstance(a, AdoptionSummary)
    assert u.activity_basis == "sign_in"
    assert u.inactive_licensed == truth.inactive_licensed_signin
    for payload in (u, a, p):
        warning = next(w for w in payload.warnings if w.code == "reports_concealed")
        assert "Display concealed user, group and site names" in warning.message
    assert not a.groups_available and a.groups == []
    assert {w.workload: w.active_30 for w in a.workloads}["exchange"] == truth.workload_active["exchange"][30]


def test_failed_dataset_is_flagged_on_the_families_that_use_it(build: Build) -> None:
    run = build(1, 600, SnapshotOptions(failed={Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL})).compute()
    code = "dataset_failed:teams_user_activity_user_detail"
    assert code in {w.code for w in run.payloads[Family.PRODUCTIVITY].warnings}
    assert code not in {w.code for w in run.payloads[Family.ADOPTION].warnings}
    teams = next(s for s in run.payloads[Family.PRODUCTIVITY].sources if s.dataset.startswith("teams_user"))
    assert teams.status == "failed"
