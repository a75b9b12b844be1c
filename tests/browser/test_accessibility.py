"""Accessibility: axe-core (web/node_modules/axe-core, pinned in web/package.json) finds no serious or
critical violation on any screen, the sign-in steps included."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bench.web import WEB
from dev.oidc.provider import DEMO_PASSWORD
from tests.browser.conftest import SUPER, BrowserStack, Members

AXE = (WEB / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
# Every screen in the navigation (a super admin sees them all) and the unlisted ones.
PATHS = [
    "/",
    "/licences",
    "/adoption",
    "/productivity",
    "/security",
    "/reports?report=sku-utilisation",
    "/refresh",
    "/members",
    "/audit",
    "/support-access",
    "/integration",
    "/settings",
    "/get-started",
    "/account",
    "/no-such-screen",
]


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now. The script goes in through the
    DevTools protocol, which the page's CSP does not govern (an inline <script> would be refused).

    Left out: Fluent UI's focus guards, `<i tabindex="0" aria-hidden="true" data-tabster-dummy>` that
    tabster puts around focus zones and dialogs; focus never rests on one (tabster moves it on to the
    next real element at once), which axe cannot know, so it reports each as `aria-hidden-focus`."""
    page.evaluate(AXE)
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const context = { exclude: [["[data-tabster-dummy]"]] };
            const result = await axe.run(context, { resultTypes: ["violations"] });
            return result.violations.map((violation) => ({
                id: violation.id,
                impact: violation.impact,
                help: violation.help,
                nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
            }));
        }"""
    )
    return [violation for violation in found if violation["impact"] in BLOCKING]


def settled(page: Page) -> None:
    """The screen's heading is shown and nothing is loading any more."""
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator(".fui-Spinner")).to_have_count(0, timeout=15_000)


@pytest.mark.parametrize("path", PATHS)
def test_no_serious_violation_on_a_screen(members: Members, path: str) -> None:
    page = members.open(SUPER, path)
    settled(page)
    assert blocking_violations(page) == []


def test_no_serious_violation_while_signing_in(page: Page, stack: BrowserStack) -> None:
    page.goto(stack.app_url + "/")
    page.get_by_role("button", name="Sign in").wait_for()
    assert blocking_violations(page) == []
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=email]").fill(SUPER)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").wait_for()
    assert blocking_violations(page) == []
