"""`python -m dev.collect` against the Graph simulator over HTTP through msgraph-sdk: every dataset's
rows against the generator's ground truth, and the faults Graph really produces."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from dev import collect
from dev.graph_sim import Endpoint, FaultKind, FaultRule, RunningSimulator, SimulatorConfig, start_simulator
from dev.tenant import Report
from shared.graph import CredentialError
from shared.snapshot.roles import PRIVILEGED_ROLES
from tests.integration.collection.conftest import AS_OF, SECRET_ENV, cli_args, manifest, rows

REPORT_DATASETS = {
    Report.ACTIVE_USER_DETAIL: "active_user_detail",
    Report.EMAIL_DETAIL: "email_activity_user_detail",
    Report.TEAMS_DETAIL: "teams_user_activity_user_detail",
    Report.ONEDRIVE_DETAIL: "onedrive_usage_account_detail",
    Report.SHAREPOINT_DETAIL: "sharepoint_activity_user_detail",
    Report.APPS_DETAIL: "m365_app_user_detail",
}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(accounts=1500, seed=11, as_of=AS_OF, client_secret="s3cret", empty_page_every=3)
    with start_simulator(config) as running:
        yield running


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "s3cret")


def _collect(sim: RunningSimulator, out: Path, *faults: FaultRule) -> int:
    sim.set_faults(*faults)
    try:
        return collect.main(cli_args(sim, out))
    finally:
        sim.set_faults()


def test_every_dataset_matches_the_ground_truth(sim: RunningSimulator, tmp_path: Path):
    assert _collect(sim, tmp_path) == 0
    truth, tenant = sim.ground_truth, sim.tenant
    found = manifest(tmp_path)
    assert all(entry.status == "complete" for entry in found.datasets), found
    counts = {entry.dataset: entry.rows for entry in found.datasets}
    assert counts["users"] == counts["sign_in_activity"] == counts["registration_details"] == truth.accounts
    for report, dataset in REPORT_DATASETS.items():
        assert counts[dataset] == truth.report_rows[report.value], dataset
    assert counts["active_user_counts"] == counts["teams_user_activity_counts"] == 90
    assert counts["subscribed_skus"] == len(tenant.seats)
    assert counts["subscriptions"] == len(tenant.subscriptions)
    assert counts["secure_scores"] == 90 and counts["conditional_access_policies"] == 4

    users = rows(tmp_path, "users")
    assert sum(u["account_enabled"] for u in users) == truth.enabled
    assert sum(bool(u["assigned_licenses"]) for u in users) == truth.licensed
    sample = tenant.account(737)
    user = next(u for u in users if u["id"] == sample.id)
    assert (user["user_principal_name"], user["department"]) == (sample.upn, sample.department)
    assert [lic["sku_id"] for lic in user["assigned_licenses"]] == [lic.sku_id for lic in sample.licences]

    signins = rows(tmp_path, "sign_in_activity")
    # "Never signed in" means no successful sign-in; a failed non-interactive attempt does not count.
    never = sum(s["last_successful_sign_in"] is None for s in signins)
    assert never == truth.never_signed_in
    assert sum(r["is_mfa_registered"] for r in rows(tmp_path, "registration_details")) == truth.mfa_registered
    skus = {
        s["sku_id"]: s["consumed_units"] for s in rows(tmp_path, "subscribed_skus") if s["consumed_units"]
    }
    assert skus == truth.sku_consumed
    roles = Counter(
        r["role_definition_id"] for r in rows(tmp_path, "role_assignments") if r["principal_type"] == "user"
    )
    assert dict(roles) == {role: n for role, n in truth.role_assignments.items() if role in PRIVILEGED_ROLES}
    assert rows(tmp_path, "secure_scores")[0]["current_score"] == truth.secure_score_current
    assert rows(tmp_path, "organisation") == [
        {"tenant_id": tenant.spec.tenant_id, "display_name": "Northwind Traders"}
    ]
    detail = rows(tmp_path, "active_user_detail")
    assert all(r["report_refresh_date"] == "2026-01-13" for r in detail)
    assert found.entry("active_user_detail").as_of.isoformat() == "2026-01-13"  # type: ignore[union-attr]
    assert not found.warnings


def test_fractional_retry_after_and_a_503_storm_are_ridden_out(sim: RunningSimulator, tmp_path: Path):
    faults = (
        FaultRule(
            kind=FaultKind.THROTTLE, endpoints=frozenset({Endpoint.USERS}), every=2, limit=3, retry_after=0.35
        ),
        FaultRule(
            kind=FaultKind.UNAVAILABLE,
            endpoints=frozenset({Endpoint.SUBSCRIBED_SKUS}),
            limit=4,
            retry_after=0.2,
        ),
        FaultRule(kind=FaultKind.GATEWAY_TIMEOUT, endpoints=frozenset({Endpoint.REPORTS}), every=3, limit=2),
    )
    assert _collect(sim, tmp_path, *faults) == 0
    counts = {entry.dataset: (entry.status, entry.rows) for entry in manifest(tmp_path).datasets}
    assert counts["users"] == ("complete", sim.ground_truth.accounts)
    assert counts["subscribed_skus"] == ("complete", len(sim.tenant.seats))


@pytest.mark.parametrize("kind", [FaultKind.MALFORMED, FaultKind.TRUNCATED])
def test_a_broken_users_page_is_read_again_and_the_dataset_completes(
    sim: RunningSimulator, tmp_path: Path, kind: FaultKind
):
    # An HTML error page, or a JSON page cut off half way, answered with 200: twice on the same page.
    fault = FaultRule(kind=kind, endpoints=frozenset({Endpoint.USERS}), every=1, limit=2)
    assert _collect(sim, tmp_path, fault) == 0
    users = manifest(tmp_path).entry("users")
    assert users is not None and users.status == "complete" and users.rows == sim.ground_truth.accounts
    assert len(rows(tmp_path, "users")) == sim.ground_truth.accounts


def test_a_page_that_stays_malformed_fails_its_dataset_with_a_reason(sim: RunningSimulator, tmp_path: Path):
    fault = FaultRule(kind=FaultKind.MALFORMED, endpoints=frozenset({Endpoint.USERS}), every=1)
    assert _collect(sim, tmp_path, fault) == 1
    found = manifest(tmp_path)
    users = found.entry("users")
    assert users is not None and users.status == "failed" and users.sha256 == ""
    assert "not JSON" in (users.error or "")
    assert "dataset_failed:users" in found.warnings
    assert found.entry("sign_in_activity").status == "complete"  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", [FaultKind.MALFORMED, FaultKind.TRUNCATED])
def test_a_broken_report_download_is_requested_again_and_the_report_completes(
    sim: RunningSimulator, tmp_path: Path, kind: FaultKind
):
    # The first two downloads: an HTML error page for the CSV, or a CSV cut off half way (connection
    # dropped). The third, from a fresh download URL, is whole; nothing of the broken ones is kept.
    fault = FaultRule(kind=kind, endpoints=frozenset({Endpoint.REPORT_DOWNLOAD}), every=1, limit=2)
    assert _collect(sim, tmp_path, fault) == 0
    found = manifest(tmp_path)
    assert all(entry.status == "complete" for entry in found.datasets), found
    for report, dataset in REPORT_DATASETS.items():
        expected = sim.ground_truth.report_rows[report.value]
        assert found.entry(dataset).rows == len(rows(tmp_path, dataset)) == expected, dataset  # type: ignore[union-attr]


def test_report_downloads_that_stay_truncated_fail_their_reports(sim: RunningSimulator, tmp_path: Path):
    # Every download cut off: each report gives up after its third attempt; the JSON datasets complete.
    fault = FaultRule(kind=FaultKind.TRUNCATED, endpoints=frozenset({Endpoint.REPORT_DOWNLOAD}), every=1)
    assert _collect(sim, tmp_path, fault) == 1
    found = manifest(tmp_path)
    failed = {entry.dataset: entry.error or "" for entry in found.datasets if entry.status == "failed"}
    assert set(REPORT_DATASETS.values()) <= set(failed)
    assert all("connection to Graph failed" in error for error in failed.values()), failed
    assert found.entry("users").status == "complete"  # type: ignore[union-attr]


def test_non_premium_tenant_is_a_warning_and_concealed_names_are_flagged(tmp_path: Path):
    config = SimulatorConfig(accounts=300, seed=4, as_of=AS_OF, premium=False, concealed=True)
    with start_simulator(config) as sim:
        assert collect.main(cli_args(sim, tmp_path)) == 0
    found = manifest(tmp_path)
    statuses = {entry.dataset: entry.status for entry in found.datasets}
    assert statuses.pop("sign_in_activity") == "unavailable"
    assert (
        statuses.pop("registration_details") == statuses.pop("conditional_access_policies") == "unavailable"
    )
    # Privileged Identity Management needs Entra ID P2: Graph answers 400 AadPremiumLicenseRequired.
    assert statuses.pop("role_assignment_schedule_instances") == "unavailable"
    assert statuses.pop("role_activation_policies") == "unavailable"
    assert set(statuses.values()) == {"complete"}
    assert {"signin_activity_unavailable", "reports_concealed"} <= set(found.warnings)
    assert "reports_concealed" in found.entry("teams_user_activity_user_detail").warnings  # type: ignore[union-attr]
    assert rows(tmp_path, "report_settings") == [{"display_concealed_names": True}]


def test_a_wrong_secret_is_refused_without_printing_it(
    sim: RunningSimulator, tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.setenv(SECRET_ENV, "not-the-secret")
    with pytest.raises(CredentialError, match="AADSTS7000215") as raised:
        collect.main(cli_args(sim, tmp_path))
    assert raised.value.field == "client_secret" and "secret is wrong" in raised.value.reason
    assert "not-the-secret" not in str(raised.value) + capsys.readouterr().out
