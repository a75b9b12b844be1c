"""App registration and consent checks (checks/applications.py) on hand-made policies."""

from __future__ import annotations

import pytest

from tests.unit.insights.checks_support import verdict
from tests.unit.insights.policy_builder import authorization, consent_requests, policy_state

LOW = "ManagePermissionGrantsForSelf.microsoft-user-default-low"
LEGACY = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"
TEAM = "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"


@pytest.mark.parametrize(("allowed", "status"), [(False, "pass"), (True, "fail"), (None, "fail")])
def test_users_cannot_register_apps(allowed: bool | None, status: str) -> None:
    state = policy_state(authorization=authorization(allowed_to_create_apps=allowed))
    result = verdict("users-cannot-register-apps", state).result
    assert (result.status, result.evidence) == (status, {"allowed_to_create_apps": allowed})


@pytest.mark.parametrize(
    ("assigned", "status"),
    [
        ([], "pass"),
        ([TEAM], "pass"),  # group owners' consent for their own teams is not user consent
        ([LOW], "warn"),  # EIDSCA.AP08's value: verified publishers, low-risk permissions only
        ([LOW, TEAM], "warn"),
        ([LEGACY], "fail"),  # consent to any app
        ([LOW, LEGACY], "fail"),
    ],
)
def test_user_consent_restricted(assigned: list[str], status: str) -> None:
    state = policy_state(authorization=authorization(permission_grant_policies_assigned=assigned))
    assert verdict("user-consent-restricted", state).result.status == status


@pytest.mark.parametrize(("risky", "status"), [(False, "pass"), (None, "pass"), (True, "fail")])
def test_risky_app_consent_blocked(risky: bool | None, status: str) -> None:
    state = policy_state(authorization=authorization(allow_user_consent_for_risky_apps=risky))
    assert verdict("risky-app-consent-blocked", state).result.status == status


@pytest.mark.parametrize(
    ("enabled", "reviewers", "status"),
    [(True, 1, "pass"), (True, 0, "warn"), (False, 3, "fail"), (None, 3, "fail")],
)
def test_admin_consent_workflow(enabled: bool | None, reviewers: int, status: str) -> None:
    state = policy_state(consent_requests=consent_requests(is_enabled=enabled, reviewers=reviewers))
    assert verdict("admin-consent-workflow", state).result.status == status


@pytest.mark.parametrize(
    ("check", "field"),
    [("consent-reviewers-notified", "notify_reviewers"), ("consent-reminders", "reminders_enabled")],
)
@pytest.mark.parametrize(("value", "status"), [(True, "pass"), (False, "fail"), (None, "fail")])
def test_consent_notifications(check: str, field: str, value: bool | None, status: str) -> None:
    state = policy_state(consent_requests=consent_requests(**{field: value}))
    assert verdict(check, state).result.status == status


@pytest.mark.parametrize(
    ("days", "status"), [(1, "pass"), (30, "pass"), (31, "fail"), (0, "fail"), (None, "fail")]
)
def test_consent_request_duration(days: int | None, status: str) -> None:
    state = policy_state(consent_requests=consent_requests(request_duration_in_days=days))
    assert verdict("consent-request-duration", state).result.status == status


def test_a_complete_dataset_without_its_row_is_unreadable_not_a_pass() -> None:
    result = verdict("admin-consent-workflow", policy_state()).result
    assert (result.status, result.not_applicable) == ("not_applicable", "data_unreadable")
