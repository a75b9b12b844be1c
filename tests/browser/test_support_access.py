"""Support access (admins see it, super admins decide): an operator's request appears with its reason;
the super admin approves it (read-only for its hours, from now), revokes it, and denies the next one,
each as the API records it; an admin sees the same list without a way to decide; axe finds nothing
serious on the screen with its buttons and dialogs."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser import en_gb
from tests.browser.conftest import ADMIN, SUPER, BrowserStack, Members, screenshot
from tests.browser.test_accessibility import blocking_violations, settled


def ask_for_access(stack: BrowserStack, reason: str, hours: int) -> dict[str, Any]:
    """The operator's request for the demo organisation, as the API answers it."""
    org_id = stack.get(SUPER, "/organisation").json()["org_id"]
    asked = stack.client.post(
        f"{stack.api}/platform/support-requests",
        headers=stack.operator_headers(),
        json={"org_id": org_id, "reason": reason, "duration_hours": hours},
    )
    assert asked.status_code == 201, asked.text
    grant: dict[str, Any] = asked.json()
    return grant


def grant_as_recorded(stack: BrowserStack, grant_id: str) -> dict[str, Any]:
    grant: dict[str, Any] = stack.get(ADMIN, f"/support-access/{grant_id}").json()
    return grant


def grant_row(page: Page, grant_id: str) -> Locator:
    return page.locator(f'[data-testid=support-grants] tr[data-row="{grant_id}"]')


def dialog_settled(page: Page) -> None:
    """The dialog has finished fading in: axe measures colour contrast as drawn, mid-fade too."""
    page.wait_for_function("() => document.getAnimations().every((motion) => motion.playState !== 'running')")


def decide(page: Page, grant_id: str, decision: str) -> None:
    grant_row(page, grant_id).get_by_role("button", name=f"{decision} support").click()
    page.get_by_role("dialog").get_by_role("button", name=decision, exact=True).click()


def test_approve_revoke_and_deny(members: Members, stack: BrowserStack) -> None:
    reason = "Ticket 4711: the licence figures look wrong to the customer"
    asked = ask_for_access(stack, reason, 4)
    grant_id = asked["grant_id"]

    page = members.open(SUPER, "/support-access")
    row = grant_row(page, grant_id)
    expect(row.locator("td")).to_have_text(
        [
            en_gb.moment(asked["requested_at"]),
            reason,
            "4",
            "Waiting for a decision",
            f"Lapses {en_gb.moment(asked['request_expires_at'])}",
            "ApproveDeny",
        ]
    )
    assert blocking_violations(page) == []

    grant_row(page, grant_id).get_by_role("button", name="Approve support").click()
    expect(page.get_by_role("dialog")).to_contain_text("read-only, for 4 hours from now")
    dialog_settled(page)
    assert blocking_violations(page) == []
    page.get_by_role("dialog").get_by_role("button", name="Approve", exact=True).click()
    expect(row.locator("td").nth(3)).to_have_text("Active")
    approved = grant_as_recorded(stack, grant_id)
    assert approved["state"] == "active" and approved["expires_at"] is not None
    expect(row.locator("td").nth(4)).to_have_text(en_gb.moment(approved["expires_at"]))
    screenshot(page, "support-access")

    # An admin sees the same grant, and no way to decide.
    admin = members.open(ADMIN, "/support-access")
    expect(grant_row(admin, grant_id).locator("td").nth(3)).to_have_text("Active")
    expect(admin.get_by_role("button", name="Revoke support", exact=False)).to_have_count(0)
    expect(admin.get_by_text("Only a super admin approves, denies or revokes.")).to_be_visible()

    decide(page, grant_id, "Revoke")
    expect(row.locator("td").nth(3)).to_have_text("Revoked")
    revoked = grant_as_recorded(stack, grant_id)
    assert revoked["state"] == "revoked" and revoked["revoked_at"] is not None
    expect(row.locator("td").nth(4)).to_have_text(f"Revoked {en_gb.moment(revoked['revoked_at'])}")
    expect(row.get_by_role("button")).to_have_count(0)

    # A new request, newest first, denied: no access, and nothing left to decide on it.
    again = ask_for_access(stack, "Ticket 4712: one more look at the adoption trend", 1)
    page.reload()
    expect(page.locator("[data-testid=support-grants] tbody tr").first).to_have_attribute(
        "data-row", again["grant_id"]
    )
    decide(page, again["grant_id"], "Deny")
    expect(grant_row(page, again["grant_id"]).locator("td").nth(3)).to_have_text("Denied")
    assert grant_as_recorded(stack, again["grant_id"])["state"] == "denied"
    settled(page)
