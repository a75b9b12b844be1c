"""The operator area (`/operator`): an operator signs in with the same provider, enrols the platform's
TOTP in the browser and lands on the incidents with a platform session and no member session; in the
customer's app the same identity gets no session and is sent to the operator area; a customer who opens
the operator area is told it is not for them; an ended platform session returns to the operator sign-in.
axe finds nothing serious on any operator screen."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from dev.oidc.provider import DEMO_PASSWORD
from tests.browser.conftest import SECURITY_OFFICER, SUPER, BrowserStack, Members, enrol_totp
from tests.browser.test_accessibility import blocking_violations, settled

OPERATOR_AREA = "/operator"
SESSION_ENDED = "Your session has ended. Sign in again to continue."
OPERATOR_SCREENS = ["/operator", "/operator/alerts", "/operator/health", "/operator/support-requests"]


def sign_in_at_provider(page: Page, stack: BrowserStack, email: str, path: str = OPERATOR_AREA) -> None:
    page.goto(stack.app_url + path)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def stored(page: Page, key: str) -> str | None:
    value: str | None = page.evaluate("(key) => sessionStorage.getItem(key)", key)
    return value


def platform_headers(page: Page) -> dict[str, str]:
    """The headers the operator area in `page` sends."""
    session = json.loads(stored(page, "insight365.platform-session") or "{}")
    access: str = page.evaluate(
        """() => JSON.parse(sessionStorage.getItem(
            Object.keys(sessionStorage).find((name) => name.startsWith("oidc.user:")))).access_token"""
    )
    return {"Authorization": f"Bearer {access}", "X-Session": session["token"]}


def test_an_operator_enrols_and_works_only_in_the_operator_area(page: Page, stack: BrowserStack) -> None:
    page.goto(stack.app_url + OPERATOR_AREA)
    expect(page.get_by_role("heading", name="Operator sign-in")).to_be_visible()
    assert blocking_violations(page) == []
    sign_in_at_provider(page, stack, SECURITY_OFFICER)
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    enrol_totp(page)

    expect(page.locator("main h1")).to_have_text("Incidents")
    expect(page.get_by_test_id("role")).to_have_text("Security officer")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Incidents", "Alerts", "Platform health", "Support requests"]
    )
    # A platform session, and no member session in the tab.
    assert stored(page, "insight365.platform-session") is not None
    assert stored(page, "insight365.session") is None

    for path in OPERATOR_SCREENS:
        page.goto(stack.app_url + path)
        settled(page)
        assert blocking_violations(page) == [], path

    # The customer's app: the API gives an operator no member session, and the app says where to go.
    page.goto(stack.app_url + "/")
    expect(page.get_by_role("heading", name="This is an operator account")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    assert stored(page, "insight365.session") is None
    assert blocking_violations(page) == []
    page.get_by_role("link", name="Open the operator area").click()
    expect(page.locator("main h1")).to_have_text("Incidents")

    # The platform session ends (revoked here through the API): the next call returns to the operator
    # sign-in, saying so, with every token forgotten.
    revoked = stack.client.delete(f"{stack.api}/platform/session", headers=platform_headers(page))
    assert revoked.status_code == 204, revoked.text
    page.reload()
    expect(page.get_by_role("heading", name="Operator sign-in")).to_be_visible()
    expect(page.get_by_test_id("signed-out-notice")).to_have_text(SESSION_ENDED)
    assert stored(page, "insight365.platform-session") is None


def test_a_customer_is_refused_the_operator_area(members: Members, stack: BrowserStack) -> None:
    page = members.open(SUPER, "/")
    page.goto(stack.app_url + OPERATOR_AREA)
    expect(page.get_by_role("heading", name="The operator area is for Insight365's staff")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    assert stored(page, "insight365.platform-session") is None
    # Their own session is untouched: back in the app without signing in again.
    page.get_by_role("link", name="Go to your organisation").click()
    page.get_by_role("navigation", name="Main").wait_for()
    expect(page.get_by_test_id("role")).to_have_text("Super admin")
