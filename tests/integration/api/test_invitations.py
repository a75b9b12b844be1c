"""Invitations: accepted only explicitly, with a one-time code naming the inviting organisation.

Issue 10, item 7 (another organisation captured invitees at their first sign-in) and item 12 (an admin
downgraded a pending super_admin invitation by re-inviting), plus listing, renewing and revoking.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.integration.api.client import Actor, FakeClock, Response, call
from tests.integration.api.conftest import MakeOrg, Org, People

INVITATIONS = "/api/v1/invitations"


def _invite(inviter: Actor, email: str, role: str = "user", **names: str) -> Response:
    body = {"email": email, "role": role, "first_name": "Nia", "last_name": "Hire", **names}
    return inviter.call("POST", "/api/v1/members", body=body)


def _accept(invitee: Actor, code: str) -> Response:
    return call("POST", f"{INVITATIONS}/accept", headers=invitee.bearer, body={"code": code})


def _pending(admin: Actor) -> list[dict[str, Any]]:
    listed = admin.call("GET", INVITATIONS)
    assert listed.status == 200, listed.body
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


def _events(admin: Actor, action: str) -> list[dict[str, Any]]:
    found = admin.call("GET", f"/api/v1/audit?action={action}")
    assert found.status == 200, found.body
    items: list[dict[str, Any]] = found.json()["items"]
    return items


def _newcomer(people: People) -> Actor:
    return people.identity(f"newhire-{secrets.token_hex(4)}@northwind.example")


def test_first_sign_in_never_accepts_an_invitation(fresh_org: MakeOrg, people: People) -> None:
    rival = fresh_org("Rival Corp")
    newcomer = _newcomer(people)
    assert _invite(rival.admin, newcomer.email).status == 201
    for method, url in (("POST", "/api/v1/me/mfa/totp"), ("POST", "/api/v1/session")):
        refused = call(method, url, headers=newcomer.bearer, body={"code": "123456"})
        assert (refused.status, refused.problem_type) == (403, "not-a-member"), refused.body
    assert [item["email"] for item in _pending(rival.admin)] == [newcomer.email]


def test_the_invitee_joins_the_organisation_whose_code_they_use(fresh_org: MakeOrg, people: People) -> None:
    rival, northwind = fresh_org("Rival Corp"), fresh_org("Northwind")
    newcomer = _newcomer(people)
    rival_code = _invite(rival.super_admin, newcomer.email, "super_admin").json()["code"]
    issued = _invite(northwind.admin, newcomer.email, "admin")
    assert issued.status == 201, issued.body
    code = issued.json()["code"]

    preview = call("POST", f"{INVITATIONS}/preview", headers=newcomer.bearer, body={"code": code})
    assert preview.status == 200, preview.body
    assert preview.json()["organisation_name"] == "Northwind" and preview.json()["role"] == "admin"

    accepted = _accept(newcomer, code)
    assert accepted.status == 201, accepted.body
    assert accepted.json()["organisation"]["name"] == "Northwind"
    assert accepted.json()["member"]["role"] == "admin"
    people.enrol_and_sign_in(newcomer)
    assert newcomer.call("GET", "/api/v1/organisation").json()["name"] == "Northwind"

    # The other organisation's invitation is untouched, and cannot pull a member out of Northwind.
    assert [item["email"] for item in _pending(rival.admin)] == [newcomer.email]
    again = _accept(newcomer, rival_code)
    assert (again.status, again.problem_type) == (409, "already-a-member")
    assert _pending(northwind.admin) == []


def test_a_code_works_once_for_the_invited_email_only(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Once Ltd")
    newcomer, stranger = _newcomer(people), _newcomer(people)
    code = _invite(org.admin, newcomer.email).json()["code"]
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    for person, attempt in ((stranger, code), (newcomer, tampered)):
        refused = _accept(person, attempt)
        assert (refused.status, refused.problem_type) == (404, "invitation-not-found"), refused.body
    assert _accept(newcomer, code).status == 201
    twin = people.identity(newcomer.email)  # the same address, another identity
    replay = _accept(twin, code)
    assert (replay.status, replay.problem_type) == (404, "invitation-not-found")
    malformed = _accept(newcomer, "not-a-code")
    assert malformed.status == 422


def test_a_code_expires_after_seven_days(fresh_org: MakeOrg, people: People, clock: FakeClock) -> None:
    org = fresh_org("Expiry Ltd")
    newcomer = _newcomer(people)
    code = _invite(org.admin, newcomer.email).json()["code"]
    with clock.travel():
        clock.advance(days=7, seconds=1)
        expired = _accept(people.identity(newcomer.email), code)
    assert (expired.status, expired.problem_type) == (404, "invitation-not-found")


def test_reinviting_renews_the_pending_invitation(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Renewal Ltd")
    newcomer = _newcomer(people)
    first = _invite(org.admin, newcomer.email, "user").json()
    second = _invite(org.admin, newcomer.email, "admin", first_name="Nina").json()
    pending = _pending(org.admin)
    assert len(pending) == 1 and pending[0]["invitation_id"] == first["invitation_id"]
    assert pending[0]["role"] == "admin" and pending[0]["first_name"] == "Nina"
    assert _accept(newcomer, first["code"]).status == 404  # the old code stopped working
    joined = _accept(newcomer, second["code"])
    assert joined.status == 201 and joined.json()["member"]["role"] == "admin"


def test_an_admin_cannot_downgrade_a_pending_super_admin_invitation(
    fresh_org: MakeOrg, people: People
) -> None:
    org = fresh_org("Downgrade Ltd")
    newcomer = _newcomer(people)
    code = _invite(org.super_admin, newcomer.email, "super_admin").json()["code"]
    downgraded = _invite(org.admin, newcomer.email, "user")
    assert (downgraded.status, downgraded.problem_type) == (403, "forbidden")
    revoked = org.admin.call("DELETE", f"{INVITATIONS}/{_pending(org.admin)[0]['invitation_id']}")
    assert (revoked.status, revoked.problem_type) == (403, "forbidden")
    events = _events(org.super_admin, "security.role_escalation")
    assert len(events) == 2 and {event["actor_member_id"] for event in events} == {org.admin.member_id}
    assert [item["role"] for item in _pending(org.admin)] == ["super_admin"]
    assert _accept(newcomer, code).json()["member"]["role"] == "super_admin"


def test_a_super_admin_may_change_a_pending_invitation_role(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Regrade Ltd")
    newcomer = _newcomer(people)
    _invite(org.super_admin, newcomer.email, "super_admin")
    code = _invite(org.super_admin, newcomer.email, "user").json()["code"]
    assert _accept(newcomer, code).json()["member"]["role"] == "user"


def test_revoking_an_invitation_voids_its_code(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Revoke Ltd")
    newcomer = _newcomer(people)
    code = _invite(org.admin, newcomer.email).json()["code"]
    invitation_id = _pending(org.admin)[0]["invitation_id"]
    assert org.admin.call("DELETE", f"{INVITATIONS}/{invitation_id}").status == 204
    assert _pending(org.admin) == []
    assert _accept(newcomer, code).status == 404
    assert org.admin.call("DELETE", f"{INVITATIONS}/{invitation_id}").status == 404


def test_another_organisation_cannot_see_or_revoke_invitations(
    org_a: Org, org_b: Org, people: People
) -> None:
    newcomer = _newcomer(people)
    _invite(org_a.admin, newcomer.email)
    invitation_id = next(i["invitation_id"] for i in _pending(org_a.admin) if i["email"] == newcomer.email)
    assert all(item["email"] != newcomer.email for item in _pending(org_b.admin))
    assert org_b.super_admin.call("DELETE", f"{INVITATIONS}/{invitation_id}").status == 404
    assert any(item["invitation_id"] == invitation_id for item in _pending(org_a.admin))


def test_an_existing_member_cannot_be_invited_again(org_a: Org) -> None:
    refused = _invite(org_a.admin, org_a.user.email)
    assert (refused.status, refused.problem_type) == (409, "already-a-member")


def test_invitation_codes_never_reach_the_audit_log(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Quiet Ltd")
    newcomer = _newcomer(people)
    code = _invite(org.admin, newcomer.email).json()["code"]
    _accept(newcomer, code)
    rows = org.super_admin.call("GET", "/api/v1/audit?page_size=500").body.decode()
    assert code not in rows and code.split(".")[-1] not in rows
