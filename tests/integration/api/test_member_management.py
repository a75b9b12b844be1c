"""Member management: the last active super admin (issue 10, item 8, under real concurrency), MFA reset by
an admin, and the rules for names (item 13)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.integration.api.client import Actor, Response, call
from tests.integration.api.conftest import MakeOrg, Org, People


def _url(target: Actor) -> str:
    return f"/api/v1/members/{target.member_id}"


def _two_super_admins(fresh_org: MakeOrg, people: People, name: str) -> tuple[Actor, Actor]:
    org = fresh_org(name)
    first, second = org.super_admin, org.admin
    etag = first.call("GET", _url(second)).headers["ETag"]
    promoted = first.call("PATCH", _url(second), body={"role": "super_admin"}, headers={"if-match": etag})
    assert promoted.status == 200, promoted.body
    people.open_session(second)  # a role change ends the member's sessions
    return first, second


def _at_once(*requests: Callable[[], Response]) -> list[Response]:
    """Run the requests in parallel threads, released together."""
    start = threading.Barrier(len(requests))

    def run(request: Callable[[], Response]) -> Response:
        start.wait()
        return request()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(run, requests))


def _patch(actor: Actor, target: Actor, change: dict[str, Any]) -> Callable[[], Response]:
    etag = actor.call("GET", _url(target)).headers["ETag"]
    return lambda: actor.call("PATCH", _url(target), body=change, headers={"if-match": etag})


def _active_super_admins(*candidates: Actor) -> list[str]:
    """The organisation's active super admins, as listed by whichever candidate still may list them."""
    for actor in candidates:
        response = actor.call("GET", "/api/v1/members")
        if response.status == 200:
            return sorted(
                item["member_id"]
                for item in response.json()["items"]
                if item["role"] == "super_admin" and item["status"] == "active"
            )
    raise AssertionError("nobody left who may list the members")


@pytest.mark.parametrize("change", [{"role": "admin"}, {"status": "disabled"}], ids=["demote", "disable"])
def test_two_super_admins_acting_on_each_other_at_once(
    fresh_org: MakeOrg, people: People, change: dict[str, Any]
) -> None:
    first, second = _two_super_admins(fresh_org, people, "Standoff Ltd")
    answers = _at_once(_patch(first, second, change), _patch(second, first, change))
    assert sorted(answer.status for answer in answers) == [200, 409], [a.body for a in answers]
    refused = next(answer for answer in answers if answer.status == 409)
    assert refused.problem_type == "last-super-admin" and refused.json()["detail"]
    assert len(_active_super_admins(first, second)) == 1


def test_two_super_admins_erasing_each_other_at_once(fresh_org: MakeOrg, people: People) -> None:
    first, second = _two_super_admins(fresh_org, people, "Erasers Ltd")
    answers = _at_once(lambda: first.call("DELETE", _url(second)), lambda: second.call("DELETE", _url(first)))
    assert sorted(answer.status for answer in answers) == [202, 409], [a.body for a in answers]
    assert len(_active_super_admins(first, second)) == 1


def test_two_super_admins_erasing_themselves_at_once(fresh_org: MakeOrg, people: People) -> None:
    first, second = _two_super_admins(fresh_org, people, "Leavers Ltd")
    answers = _at_once(
        lambda: first.call("DELETE", "/api/v1/me"), lambda: second.call("DELETE", "/api/v1/me")
    )
    assert sorted(answer.status for answer in answers) == [202, 409], [a.body for a in answers]
    assert len(_active_super_admins(first, second)) == 1


def test_the_last_super_admin_cannot_be_demoted_disabled_or_erased(fresh_org: MakeOrg) -> None:
    org = fresh_org("Sole Ltd")
    founder = org.super_admin
    for change in ({"role": "admin"}, {"status": "disabled"}):
        refused = _patch(founder, founder, change)()
        assert (refused.status, refused.problem_type) == (409, "last-super-admin"), refused.body
    for url in (_url(founder), "/api/v1/me"):
        refused = founder.call("DELETE", url)
        assert (refused.status, refused.problem_type) == (409, "last-super-admin"), refused.body
    assert founder.call("GET", "/api/v1/me").json()["role"] == "super_admin"


def test_a_super_admin_can_hand_over_and_leave(fresh_org: MakeOrg, people: People) -> None:
    first, second = _two_super_admins(fresh_org, people, "Handover Ltd")
    assert _patch(second, first, {"role": "admin"})().status == 200
    assert _active_super_admins(first, second) == [second.member_id]


def test_an_admin_resets_a_members_mfa(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Reset Ltd")
    reset = org.admin.call("DELETE", f"{_url(org.user)}/mfa")
    assert reset.status == 204, reset.body
    assert org.user.call("GET", "/api/v1/me").status == 401  # sessions revoked
    old_code = call("POST", "/api/v1/session", headers=org.user.bearer, body={"code": "123456"})
    assert (old_code.status, old_code.problem_type) == (409, "mfa-not-enrolled")
    people.enrol_and_sign_in(org.user)  # enrols again from scratch
    assert org.user.call("GET", "/api/v1/me").status == 200
    events = org.admin.call("GET", "/api/v1/audit?action=security.mfa_reset").json()["items"]
    assert [(e["actor_member_id"], e["target"]) for e in events] == [
        (org.admin.member_id, f"member_id={org.user.member_id}")
    ]


def test_only_a_super_admin_resets_a_super_admins_mfa(fresh_org: MakeOrg, people: People) -> None:
    first, second = _two_super_admins(fresh_org, people, "Guarded Ltd")
    admin = people.invite(first, "admin")
    attempt = admin.call("DELETE", f"{_url(first)}/mfa")
    assert (attempt.status, attempt.problem_type) == (403, "forbidden")
    assert first.call("GET", "/api/v1/me").status == 200
    escalations = first.call("GET", "/api/v1/audit?action=security.role_escalation").json()["items"]
    assert [e["actor_member_id"] for e in escalations] == [admin.member_id]
    assert second.call("DELETE", f"{_url(first)}/mfa").status == 204
    own = second.call("DELETE", f"{_url(second)}/mfa")
    assert (own.status, own.problem_type) == (409, "own-mfa")


@pytest.mark.parametrize(
    "name",
    [
        "Ada\u0000",
        "Ada\u202eecalevol",
        "A\u200bda",
        "Ada\u2028Lovelace",
        "Ada\u0007",
        "\ud800Ada",
        "\u2066Ada",
    ],
    ids=["nul", "bidi-override", "zero-width", "line-separator", "bell", "surrogate", "bidi-isolate"],
)
def test_names_refuse_control_bidi_and_zero_width_characters(org_a: Org, people: People, name: str) -> None:
    founder = people.identity("names@example.test")
    signup, invite = "/api/v1/signup", "/api/v1/members"
    cases = (
        (founder.bearer, signup, {"organisation_name": name, "first_name": "A", "last_name": "B"}),
        (founder.bearer, signup, {"organisation_name": "Org", "first_name": name, "last_name": "B"}),
        (
            org_a.admin.headers,
            invite,
            {"email": "n@x.test", "role": "user", "first_name": "A", "last_name": name},
        ),
    )
    for headers, url, body in cases:
        refused = call("POST", url, headers=headers, body=body)
        assert (refused.status, refused.problem_type) == (422, "validation-error"), (url, refused.body)
        assert "character" in refused.body.decode()
    for actor, url, field in (
        (org_a.user, "/api/v1/me", "first_name"),
        (org_a.super_admin, "/api/v1/organisation", "name"),
    ):
        etag = actor.call("GET", url).headers["ETag"]
        patched = actor.call("PATCH", url, body={field: name}, headers={"if-match": etag})
        assert patched.status == 422, (url, patched.body)


def test_names_are_stored_in_nfc(people: People) -> None:
    founder = people.identity("nfc@example.test")
    decomposed = "Jose\u0301"  # e + combining acute
    created = call(
        "POST",
        "/api/v1/signup",
        headers=founder.bearer,
        body={"organisation_name": "Cafe\u0301 Ltd", "first_name": decomposed, "last_name": "Nun\u0303ez"},
    )
    assert created.status == 201, created.body
    body = created.json()
    assert body["organisation"]["name"] == "Caf\u00e9 Ltd"
    assert (body["member"]["first_name"], body["member"]["last_name"]) == ("Jos\u00e9", "Nu\u00f1ez")
