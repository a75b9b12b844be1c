"""Journey: two super admins demote each other at the same moment; the organisation keeps one.

A founder brings in a second super admin. Both send "make the other an admin" at once, through the local
Functions host: exactly one succeeds, the other gets 409 `last-super-admin` with a reason in words. The
survivor, now the last super admin, cannot demote, disable or erase themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.journeys.conftest import Person, Stack

LAST_SUPER_ADMIN = "urn:insight365:problem:last-super-admin"


def _demote(actor: Person, member_id: str) -> Callable[[], httpx.Response]:
    etag = actor.get(f"/members/{member_id}").headers["ETag"]
    return lambda: actor.call(
        "PATCH", f"/members/{member_id}", json={"role": "admin"}, headers={"If-Match": etag}
    )


def _at_once(*requests: Callable[[], httpx.Response]) -> list[httpx.Response]:
    start = threading.Barrier(len(requests))

    def run(request: Callable[[], httpx.Response]) -> httpx.Response:
        start.wait()
        return request()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(run, requests))


def test_two_super_admins_demote_each_other_at_once(stack: Stack) -> None:
    founder = stack.sign_up()
    partner = stack.join(founder, "super_admin")
    ids = {person.email: person.get("/me").json()["member_id"] for person in (founder, partner)}

    answers = _at_once(_demote(founder, ids[partner.email]), _demote(partner, ids[founder.email]))
    assert sorted(answer.status_code for answer in answers) == [200, 409], [a.text for a in answers]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json()["type"] == LAST_SUPER_ADMIN and "super admin" in refused.json()["detail"]

    survivor = founder if answers[0].status_code == 200 else partner
    roles = {item["member_id"]: item["role"] for item in survivor.get("/members").json()["items"]}
    assert sorted(roles.values()) == ["admin", "super_admin"]
    me = ids[survivor.email]

    for change in ({"role": "admin"}, {"status": "disabled"}):
        etag = survivor.get(f"/members/{me}").headers["ETag"]
        kept = survivor.call("PATCH", f"/members/{me}", json=change, headers={"If-Match": etag})
        assert (kept.status_code, kept.json()["type"]) == (409, LAST_SUPER_ADMIN), kept.text
    for path in (f"/members/{me}", "/me"):
        kept = survivor.call("DELETE", path)
        assert (kept.status_code, kept.json()["type"]) == (409, LAST_SUPER_ADMIN), kept.text
    assert survivor.get("/me").json()["role"] == "super_admin"
