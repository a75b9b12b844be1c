"""Audit log (admins): a filtered page holds the rows the API returns for the same query, and "Next
page" follows the API's continuation to the same second page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, BrowserStack, Members

ACTION = "GET /api/v1/metadata/groups"
PAGE_SIZE = 25  # the screen's page size


def api_pages(stack: BrowserStack) -> list[list[str]]:
    """The request ids of every page the API returns for the screen's query."""
    pages: list[list[str]] = []
    params: dict[str, object] = {"action": ACTION, "page_size": PAGE_SIZE}
    while True:
        page = stack.get(ADMIN, "/audit", params=params).json()
        pages.append([row["request_id"] for row in page["items"]])
        if page["continuation"] is None:
            return pages
        params["continuation"] = page["continuation"]


def test_audit_pages_match_the_api(members: Members, stack: BrowserStack) -> None:
    for _ in range(PAGE_SIZE + 5):  # enough rows of one action for more than one page
        assert stack.get(ADMIN, "/metadata/groups").status_code == 200
    expected = [request_id for page in api_pages(stack) for request_id in page]
    assert len(expected) > PAGE_SIZE

    page = members.open(ADMIN, "/audit")
    page.locator("input[name=audit_action]").fill(ACTION)
    page.get_by_role("button", name="Search").click()
    request_ids = page.locator("[data-testid=audit] tbody tr td:nth-child(8)")
    # A page may hold fewer rows than its size (even none) with more to come: page on until "Next page"
    # is disabled.
    shown: list[list[str]] = []
    next_page = page.get_by_role("button", name="Next page")
    while True:
        expect(page.get_by_test_id("audit-page")).to_have_text(f"Page {len(shown) + 1} · action {ACTION}")
        shown.append(request_ids.all_inner_texts())  # the rows rendered with that page's number
        actions = page.locator("[data-testid=audit] tbody tr td:nth-child(4)").all_inner_texts()
        assert set(actions) <= {ACTION}
        if next_page.is_disabled():
            break
        next_page.click()
    assert [request_id for rows in shown for request_id in rows] == expected
    assert len(shown) > 1

    page.get_by_role("button", name="Previous page").click()
    expect(page.get_by_test_id("audit-page")).to_have_text(f"Page {len(shown) - 1} · action {ACTION}")
    expect(request_ids).to_have_text(shown[-2])
