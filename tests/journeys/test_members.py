"""Journey: a super admin brings a colleague in, promotes them, and later erases them.

Invite (the code is shown once) → the invitee signs in and is a member of nothing yet → sees what the code
is for → accepts it → enrols TOTP → session → the super admin makes them an admin (their session ends,
a new one carries the new role) → the super admin erases them: access ends at once, the host's deletion
job removes them, and their identity is a stranger again.
"""

from __future__ import annotations

import time

from tests.journeys.conftest import Person, Stack


def _wait_until_done(admin: Person, request_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = admin.get(f"/deletion-requests/{request_id}").json()["state"]
        if state == "done":
            return
        time.sleep(0.3)
    raise AssertionError(f"the erasure did not finish within {timeout} s (state {state})")


def test_invite_accept_promote_erase(stack: Stack) -> None:
    founder = stack.sign_up("Members Journey Ltd")
    colleague = stack.person()
    invited = founder.call(
        "POST",
        "/members",
        json={"email": colleague.email, "role": "user", "first_name": "Grace", "last_name": "Hopper"},
    )
    assert invited.status_code == 201, invited.text
    code = invited.json()["code"]
    assert [item["email"] for item in founder.get("/invitations").json()["items"]] == [colleague.email]

    # Signing in alone joins nothing.
    not_yet = colleague.call("POST", "/me/mfa/totp")
    assert (not_yet.status_code, not_yet.json()["type"]) == (403, "urn:insight365:problem:not-a-member")

    preview = colleague.call("POST", "/invitations/preview", json={"code": code})
    assert preview.status_code == 200, preview.text
    assert (preview.json()["organisation_name"], preview.json()["role"]) == ("Members Journey Ltd", "user")
    accepted = colleague.call("POST", "/invitations/accept", json={"code": code})
    assert accepted.status_code == 201, accepted.text
    member_id = accepted.json()["member"]["member_id"]
    colleague.enrol_totp()
    assert colleague.open_session().status_code == 201
    assert colleague.get("/me").json()["role"] == "user"
    assert colleague.get("/members").status_code == 403
    assert founder.get("/invitations").json()["items"] == []

    promoted = founder.call(
        "PATCH",
        f"/members/{member_id}",
        json={"role": "admin"},
        headers={"If-Match": founder.get(f"/members/{member_id}").headers["ETag"]},
    )
    assert promoted.status_code == 200, promoted.text
    assert colleague.get("/me").status_code == 401  # the role change ended the session
    # Signing in again, this time with one of the recovery codes shown at enrolment.
    reopened = colleague.call("POST", "/session", json={"recovery_code": colleague.recovery_codes[0]})
    assert reopened.status_code == 201, reopened.text
    colleague.session = reopened.json()["session_token"]
    listed = colleague.get("/members")
    assert listed.status_code == 200 and member_id in {item["member_id"] for item in listed.json()["items"]}

    erased = founder.call("DELETE", f"/members/{member_id}")
    assert erased.status_code == 202, erased.text
    assert colleague.get("/me").status_code == 401  # access ends before the job runs
    _wait_until_done(founder, erased.json()["request_id"])
    assert founder.get(f"/members/{member_id}").status_code == 404
    stranger = colleague.call("POST", "/me/mfa/totp")
    assert (stranger.status_code, stranger.json()["type"]) == (403, "urn:insight365:problem:not-a-member")
    # The same invitation code does not bring them back.
    assert colleague.call("POST", "/invitations/accept", json={"code": code}).status_code == 404
