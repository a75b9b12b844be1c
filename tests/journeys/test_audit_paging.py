"""Journey: an admin reads the audit log page by page with the default parameters.

A new organisation makes enough calls to fill several pages; its admin asks for `GET /audit?page_size=5`
and follows `continuation` twice, repeating the same query, as a screen with a "next page" button does.
The window (`to` defaults to now) is fixed when the first page is read, so the three pages are exactly
the newest fifteen rows of that moment: newest first, none twice, none missing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from tests.journeys.conftest import Stack

PAGE_SIZE = 5


def _row_id(row: dict[str, Any]) -> tuple[str, str]:
    # A request writes one row, plus one per security event with the same request id.
    return row["request_id"], row["action"]


def test_three_pages_with_default_parameters_are_newest_first_without_duplicates_or_gaps(
    stack: Stack,
) -> None:
    admin = stack.sign_up()
    for _ in range(4 * PAGE_SIZE):
        assert admin.get("/me").status_code == 200

    pages: list[list[dict[str, Any]]] = []
    continuation: str | None = None
    for _ in range(3):
        query = f"/audit?page_size={PAGE_SIZE}" + (
            f"&continuation={quote(continuation)}" if continuation else ""
        )
        response = admin.get(query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        continuation = body["continuation"]
        assert continuation, "more rows exist, so every page carries a continuation"

    rows = [row for page in pages for row in page]
    assert [len(page) for page in pages] == [PAGE_SIZE] * 3
    moments = [datetime.fromisoformat(row["at"]) for row in rows]
    assert moments == sorted(moments, reverse=True)
    assert len({_row_id(row) for row in rows}) == len(rows)

    # No gaps: the pages are the start of one uninterrupted read of the same window.
    window_end = quote(pages[0][0]["at"])
    whole = admin.get(f"/audit?page_size=500&to={window_end}")
    assert whole.status_code == 200, whole.text
    assert [_row_id(row) for row in whole.json()["items"][: len(rows)]] == [_row_id(row) for row in rows]
    # The admin's own paging requests happened after the window closed, so none of them is on a page.
    assert all(row["action"] != "GET /api/v1/audit" for row in rows)
