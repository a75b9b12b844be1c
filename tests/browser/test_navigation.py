"""Role-aware navigation, deep links for a role that may not open them, and the end of a session."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, SUPER, USER, BrowserStack, Members, session_headers, sign_in


def nav_links(page: Page) -> list[str]:
    return page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()


USER_SCREENS = ["Overview", "Licences", "Adoption", "Productivity", "Reports", "My account"]
ADMIN_SCREENS = [
    *USER_SCREENS[:4],
    "Security",
    "Reports",
    "Refresh",
    "Members",
    "Audit log",
    "Support access",
    "My account",
]
SUPER_SCREENS = [*ADMIN_SCREENS[:-1], "Integration", "Settings", "My account"]


@pytest.mark.parametrize("path", ["/security", "/refresh", "/members", "/audit", "/settings"])
def test_a_user_sees_no_admin_link_and_cannot_open_one(members: Members, path: str) -> None:
    page = members.open(USER, path)
    assert nav_links(page) == USER_SCREENS
    # The deep link to an admin screen lands on the overview instead.
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    assert not page.url.endswith(path)


def test_an_admin_sees_the_admin_screens_but_not_the_super_admins(members: Members) -> None:
    page = members.open(ADMIN, "/integration")
    assert nav_links(page) == ADMIN_SCREENS
    expect(page.get_by_test_id("role")).to_have_text("Admin")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()


def test_a_super_admin_sees_every_screen(members: Members) -> None:
    page = members.open(SUPER)
    assert nav_links(page) == SUPER_SCREENS


def test_an_unknown_address_says_so(members: Members) -> None:
    page = members.open(SUPER, "/no-such-screen")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_a_session_that_ends_returns_to_sign_in(page: Page, stack: BrowserStack) -> None:
    sign_in(page, stack, ADMIN)
    expect(page.get_by_test_id("figure-utilisation")).to_be_visible()
    headers = session_headers(page)
    kept = page.evaluate("Object.keys(localStorage)")
    assert not [key for key in kept if key.startswith(("oidc.", "insight365."))]  # never localStorage
    # The API ends the session (as it does after an hour idle); the app's next call gets 401.
    ended = httpx.delete(f"{stack.api}/session", headers=headers)
    assert ended.status_code == 204

    page.get_by_role("link", name="Licences").click()

    expect(page.get_by_test_id("signed-out-notice")).to_have_text(
        "Your session has ended. Sign in again to continue."
    )
    assert page.evaluate("sessionStorage.getItem('insight365.session')") is None
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
