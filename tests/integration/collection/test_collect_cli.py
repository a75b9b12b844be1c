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
from shared.collection.sources import PRIVILEGED_ROLES
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
    assert counts["subscribed_skus"] == counts["subscriptions"] == len(truth.sku_consumed)
    assert counts["secure_scores"] == 90 and counts["conditional_access_policies"] == 4

    users = rows(tmp_path, "users")
    assert sum(u["account_enabled"] for u in users) == truth.enabled
    assert sum(bool(u["assigned_licenses"]) for u in users) == truth.licensed
    sample = tenant.account(737)
    user = next(u for u in users if u["id"] == sample.id)
    assert (user["user_principal_name"], user["department"]) == (sample.upn, sample.department)
    assert [lic["sku_id"] for lic in user["assigned_licenses"]] == [lic.sku_id for lic in sample.licences]

    signins = rows(tmp_path, "sign_in_activity")
    never = sum(
        s["last_successful_sign_in"] is None and s["last_non_interactive_sign_in"] is None for s in signins
    )
    assert never == truth.never_signed_in
    assert sum(r["is_mfa_registered"] for r in rows(tmp_path, "registration_details")) == truth.mfa_registered
    skus = {s["sku_id"]: s["consumed_units"] for s in rows(tmp_path, "subscribed_skus")}
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
    assert counts["subscribed_skus"] == ("complete", len(sim.ground_truth.sku_consumed))


def test_a_malformed_page_fails_its_dataset_with_a_reason(sim: RunningSimulator, tmp_path: Path):
    fault = FaultRule(kind=FaultKind.MALFORMED, endpoints=frozenset({Endpoint.USERS}), every=2, limit=1)
    assert _collect(sim, tmp_path, fault) == 1
    found = manifest(tmp_path)
    users = found.entry("users")
    assert users is not None and users.status == "failed" and users.sha256 == ""
    assert "not JSON" in (users.error or "")
    assert "dataset_failed:users" in found.warnings
    assert found.entry("sign_in_activity").status == "complete"  # type: ignore[union-attr]


def test_a_truncated_report_download_fails_that_report(sim: RunningSimulator, tmp_path: Path):
    fault = FaultRule(kind=FaultKind.TRUNCATED, endpoints=frozenset({Endpoint.REPORT_DOWNLOAD}), limit=1)
    assert _collect(sim, tmp_path, fault) == 1
    failed = [entry for entry in manifest(tmp_path).datasets if entry.status == "failed"]
    assert len(failed) == 1 and failed[0].error


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
    assert set(statuses.values()) == {"complete"}
    assert {"signin_activity_unavailable", "reports_concealed"} <= set(found.warnings)
    assert "reports_concealed" in found.entry("teams_user_activity_user_detail").warnings  # type: ignore[union-attr]
    assert rows(tmp_path, "report_settings") == [{"display_concealed_names": True}]


def test_a_wrong_secret_is_refused_without_printing_it(
    sim: RunningSimulator, tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.setenv(SECRET_ENV, "not-the-secret")
    with pytest.raises(Exception, match="401") as raised:
        collect.main(cli_args(sim, tmp_path))
    assert "not-the-secret" not in str(raised.value) + capsys.readouterr().out
