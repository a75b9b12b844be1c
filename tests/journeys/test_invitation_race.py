"""Journey: two organisations invite the same address; the new hire joins the one whose code they use.

Rival Corp invites newhire@… first (as super_admin, no less), Northwind second. At the new hire's first
sign-in nothing is joined; each code shows its own organisation; the new hire accepts Northwind's. Rival's
invitation stays pending and untouched, its code cannot pull the member out of Northwind, and
Northwind's audit log shows both the acceptance and the refused attempt.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.journeys.conftest import Person, Stack


def _invite(admin: Person, email: str, role: str) -> dict[str, Any]:
    invited = admin.call(
        "POST", "/members", json={"email": email, "role": role, "first_name": "Nia", "last_name": "Hire"}
    )
    assert invited.status_code == 201, invited.text
    body: dict[str, Any] = invited.json()
    return body


def _accepts(admin: Person) -> list[dict[str, Any]]:
    found = admin.get("/audit", params={"action": "POST /api/v1/invitations/accept"})
    assert found.status_code == 200, found.text
    items: list[dict[str, Any]] = found.json()["items"]
    return items


def test_the_new_hire_joins_the_organisation_whose_code_they_use(stack: Stack) -> None:
    rival = stack.sign_up(f"Rival Corp {uuid.uuid4().hex[:6]}")
    northwind = stack.sign_up(f"Northwind {uuid.uuid4().hex[:6]}")
    email = f"newhire-{uuid.uuid4().hex[:8]}@northwind.example"
    rival_invitation = _invite(rival, email, "super_admin")
    northwind_code = _invite(northwind, email, "user")["code"]

    newhire = stack.person(email)
    first_sign_in = newhire.call("POST", "/me/mfa/totp")
    assert first_sign_in.status_code == 403, first_sign_in.text

    names = {
        code: newhire.call("POST", "/invitations/preview", json={"code": code}).json()["organisation_name"]
        for code in (rival_invitation["code"], northwind_code)
    }
    assert names == {
        rival_invitation["code"]: rival.get("/organisation").json()["name"],
        northwind_code: northwind.get("/organisation").json()["name"],
    }

    joined = newhire.call("POST", "/invitations/accept", json={"code": northwind_code})
    assert joined.status_code == 201, joined.text
    assert joined.json()["organisation"]["name"] == northwind.get("/organisation").json()["name"]
    assert joined.json()["member"]["role"] == "user"
    newhire.enrol_totp()
    assert newhire.open_session().status_code == 201
    assert newhire.get("/organisation").json()["name"] == names[northwind_code]

    # Rival's invitation is untouched, and its code cannot move the member.
    pending = rival.get("/invitations").json()["items"]
    assert [(item["invitation_id"], item["role"]) for item in pending] == [
        (rival_invitation["invitation_id"], "super_admin")
    ]
    moved = newhire.call("POST", "/invitations/accept", json={"code": rival_invitation["code"]})
    assert (moved.status_code, moved.json()["type"]) == (409, "urn:insight365:problem:already-a-member")
    assert newhire.get("/organisation").json()["name"] == names[northwind_code]

    # Nothing silent: Northwind's log shows its new member's acceptance and the refused attempt with the
    # other code; Rival's shows nothing of theirs.
    me = newhire.get("/me").json()["member_id"]
    assert sorted((row["actor_member_id"], row["outcome"]) for row in _accepts(northwind)) == [
        (me, "allowed"),
        (me, "rejected"),
    ]
    assert _accepts(rival) == []
    assert [item["email"] for item in rival.get("/members").json()["items"]] == [rival.email]
