"""A check without its data says which of three causes applies — never a pass, never "not licensed"
for an API failure."""

from __future__ import annotations

from shared.insights.checks import CHECKS
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import EVERYTHING, global_admins, tenant_state

DENIED = (
    "403 Authorization_RequestDenied: Insufficient privileges to complete the operation."  # Graph's wording
)


def test_not_licensed_when_graph_says_the_tenant_lacks_p1() -> None:
    statuses = {**EVERYTHING, "conditional_access_policies": "unavailable"}
    result = verdict("legacy-auth-blocked", tenant_state(statuses=statuses)).result
    assert (result.status, result.not_applicable) == ("not_applicable", "not_licensed")
    assert "Microsoft Entra ID P1" in (result.reason or "")


def test_permission_not_granted_on_a_403_names_the_permission_not_a_licence() -> None:
    statuses = {**EVERYTHING, "role_assignments": "failed"}
    errors = {"role_assignments": DENIED}
    state = tenant_state(global_admins(1), statuses=statuses, errors=errors)
    result = verdict("global-admin-count", state).result
    assert (result.status, result.not_applicable) == ("not_applicable", "permission_not_granted")
    assert "RoleManagement.Read.Directory" in (result.reason or "")
    assert "licen" not in (result.reason or "").lower()


def test_data_unreadable_on_any_other_failure_or_absence() -> None:
    failed = {**EVERYTHING, "registration_details": "failed"}
    errors = {"registration_details": "503 ServiceUnavailable"}
    state = tenant_state(global_admins(2), statuses=failed, errors=errors)
    result = verdict("admins-without-mfa", state).result
    assert (result.status, result.not_applicable) == ("not_applicable", "data_unreadable")
    assert "503" in (result.reason or "") and "licen" not in (result.reason or "").lower()
    missing = {k: v for k, v in EVERYTHING.items() if k != "secure_scores"}
    assert verdict("secure-score", tenant_state(statuses=missing)).result.not_applicable == "data_unreadable"


def test_no_check_passes_without_its_data_and_the_cause_is_set_exactly_when_not_applicable() -> None:
    nothing = {k: "failed" for k in EVERYTHING}
    for check in CHECKS:
        result = verdict(check.info.id, tenant_state(global_admins(3), statuses=nothing)).result
        assert result.status == "not_applicable", check.info.id
        assert result.not_applicable == "data_unreadable"
    for check in CHECKS:
        result = verdict(check.info.id, tenant_state(global_admins(3))).result
        assert (result.not_applicable is None) == (result.status != "not_applicable"), check.info.id
