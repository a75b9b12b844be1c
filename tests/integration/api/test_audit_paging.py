"""`GET /audit` paging: the continuation token carries the window the first page resolved."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.integration.api.client import Actor, FakeClock
from tests.integration.api.conftest import MakeOrg


def _follow(
    actor: Actor, query: str, clock: FakeClock, continuation: str | None = None
) -> list[list[dict[str, Any]]]:
    """The pages of `query` a minute apart, repeating the same query with each continuation: from the
    first page, or from `continuation` when given, to the last."""
    pages: list[list[dict[str, Any]]] = []
    while True:
        clock.advance(minutes=1)
        suffix = f"&continuation={quote(continuation)}" if continuation else ""
        response = actor.call("GET", f"/api/v1/audit?{query}{suffix}")
        assert response.status == 200, response.body
        body = response.json()
        pages.append(body["items"])
        continuation = body["continuation"]
        if continuation is None:
            return pages


def test_default_window_pages_to_the_end_while_time_moves(fresh_org: MakeOrg, clock: FakeClock) -> None:
    org = fresh_org("Paging Defaults Ltd")
    for _ in range(7):
        assert org.user.call("GET", "/api/v1/me").status == 200

    pages = _follow(org.admin, f"actor={org.user.member_id}&page_size=2", clock)

    rows = [row for page in pages for row in page]
    me_calls = [row for row in rows if row["action"] == "GET /api/v1/me"]
    assert len(me_calls) == 7
    assert [row["at"] for row in rows] == sorted((row["at"] for row in rows), reverse=True)
    assert len({(row["request_id"], row["action"]) for row in rows}) == len(rows)


def test_rows_written_after_the_first_page_stay_out_of_its_pages(
    fresh_org: MakeOrg, clock: FakeClock
) -> None:
    org = fresh_org("Paging Window Ltd")
    for _ in range(4):
        org.user.call("GET", "/api/v1/me")
    query = f"actor={org.user.member_id}&action={quote('GET /api/v1/me')}&page_size=2"
    first = org.admin.call("GET", f"/api/v1/audit?{query}").json()
    clock.advance(minutes=1)
    for _ in range(3):
        org.user.call("GET", "/api/v1/me")  # newer than the window: never on a following page

    rest = _follow(org.admin, query, clock, first["continuation"])

    assert len(first["items"]) + sum(len(page) for page in rest) == 4


def test_a_token_only_continues_the_query_it_came_from(fresh_org: MakeOrg) -> None:
    org = fresh_org("Paging Scope Ltd")
    for _ in range(3):
        org.user.call("GET", "/api/v1/me")
    token = quote(org.admin.call("GET", "/api/v1/audit?page_size=1").json()["continuation"])

    changed = [
        f"/api/v1/audit?page_size=2&continuation={token}",
        f"/api/v1/audit?page_size=1&outcome=denied&continuation={token}",
        f"/api/v1/audit?page_size=1&to=2030-01-01T00:00:00Z&continuation={token}",
        f"/api/v1/audit?page_size=1&continuation={token[:-2]}",
    ]
    for path in changed:
        refused = org.admin.call("GET", path)
        assert (refused.status, refused.problem_type) == (400, "bad-request"), path
