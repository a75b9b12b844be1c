"""Guest access, invitation and self-service sign-up checks (checks/guests.py)."""

from __future__ import annotations

import pytest

from tests.unit.insights.checks_support import verdict
from tests.unit.insights.policy_builder import authorization, policy_state

RESTRICTED = "2af84b1e-32c8-42b7-82bc-daa82404023b"
LIMITED = "10dae51f-b6af-4016-8d66-8c2a99b929b3"
MEMBER_LIKE = "a0b1b346-4d3e-4e8b-98f8-753987be4970"


@pytest.mark.parametrize(
    ("role", "status"), [(RESTRICTED, "pass"), (LIMITED, "warn"), (MEMBER_LIKE, "fail"), (None, "fail")]
)
def test_guest_access_restricted(role: str | None, status: str) -> None:
    state = policy_state(authorization=authorization(guest_user_role_id=role))
    assert verdict("guest-access-restricted", state).result.status == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("none", "pass"),
        ("adminsAndGuestInviters", "pass"),
        ("adminsGuestInvitersAndAllMembers", "fail"),
        ("everyone", "fail"),
    ],
)
def test_guest_invites_restricted(who: str, status: str) -> None:
    state = policy_state(authorization=authorization(allow_invites_from=who))
    result = verdict("guest-invites-restricted", state).result
    assert (result.status, result.evidence) == (status, {"allow_invites_from": who})


@pytest.mark.parametrize(
    ("check", "field"),
    [
        ("email-verified-join-blocked", "allow_email_verified_users_to_join_organization"),
        ("email-subscription-sign-up-blocked", "allowed_to_sign_up_email_based_subscriptions"),
    ],
)
@pytest.mark.parametrize(("value", "status"), [(False, "pass"), (True, "fail"), (None, "fail")])
def test_self_service_sign_up(check: str, field: str, value: bool | None, status: str) -> None:
    assert verdict(check, policy_state(authorization=authorization(**{field: value}))).result.status == status
