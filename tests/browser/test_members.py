"""Members (admins): an invitation's one-time link, joined by a brand-new person through the provider's
sign-up and the app's MFA enrolment; then role, status, MFA reset and erasure, each as the API records
it; and a pending invitation revoked."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, BrowserStack, Members, enrol_totp, sign_up_at_provider

DEMO_ORGANISATION = "Northwind Traders (demo)"


def invite(page: Page, email: str, first: str, last: str) -> str:
    """Invite `email` as a user on the Members screen; the link the app shows once."""
    page.locator("input[name=invite_email]").fill(email)
    page.locator("input[name=invite_first_name]").fill(first)
    page.locator("input[name=invite_last_name]").fill(last)
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_test_id("issued-invitation")).to_contain_text(f"{first} {last} is invited as User")
    return page.get_by_test_id("invitation-link").input_value()


def member_by_email(stack: BrowserStack, email: str) -> dict[str, object] | None:
    items = stack.get(ADMIN, "/members", params={"page_size": 200}).json()["items"]
    return next((member for member in items if member["email"] == email), None)


def test_invite_join_manage_and_erase(members: Members, page: Page, stack: BrowserStack) -> None:
    email = f"joiner-{uuid.uuid4().hex[:8]}@northwind.example"
    admin = members.open(ADMIN, "/members")
    link = invite(admin, email, "Grace", "Newcomer")
    pending = stack.get(ADMIN, "/invitations").json()["items"]
    assert email in [invitation["email"] for invitation in pending]
    assert "code" not in pending[0]  # the API never shows a code again
    expect(admin.locator(f'[data-testid=invitations] tr[data-row="{email}"]')).to_be_visible()

    # The invitee opens the link, creates an account at the provider, sees what they join, and joins.
    parts = urlsplit(link)
    assert parts.path == "/join" and parts.fragment.startswith("code=")
    sign_up_at_provider(page, stack, email, path=f"{parts.path}#{parts.fragment}")
    page.get_by_role("button", name="Check the invitation").click()
    expect(page.get_by_test_id("invitation-preview")).to_contain_text(f"join {DEMO_ORGANISATION} as User")
    page.get_by_role("button", name=f"Join {DEMO_ORGANISATION}").click()
    enrol_totp(page)
    expect(page.get_by_test_id("organisation-name")).to_have_text(DEMO_ORGANISATION)
    expect(page.get_by_test_id("role")).to_have_text("User")
    assert "code=" not in page.url

    joined = member_by_email(stack, email)
    assert joined is not None and joined["role"] == "user" and joined["status"] == "active"
    admin.reload()
    row = admin.locator(f'[data-testid=members] tr[data-row="{email}"]')
    expect(row).to_contain_text("Grace Newcomer")

    row.get_by_role("combobox", name="Role of Grace Newcomer").click()
    admin.get_by_role("option", name="Admin", exact=True).click()
    expect(row.locator("td").nth(2)).to_have_text("Admin")
    assert member_by_email(stack, email)["role"] == "admin"  # type: ignore[index]

    row.get_by_role("button", name="Disable Grace Newcomer").click()
    expect(row).to_contain_text("Disabled")
    assert member_by_email(stack, email)["status"] == "disabled"  # type: ignore[index]
    row.get_by_role("button", name="Enable Grace Newcomer").click()
    expect(row).to_contain_text("Active")

    row.get_by_role("button", name="Reset MFA of Grace Newcomer").click()
    admin.get_by_role("dialog").get_by_role("button", name="Reset MFA").click()
    # Their sessions ended: the invitee's tab returns to sign-in at its next call.
    page.get_by_role("link", name="Licences").click()
    expect(page.get_by_test_id("signed-out-notice")).to_be_visible()

    row.get_by_role("button", name="Erase Grace Newcomer").click()
    admin.get_by_role("dialog").get_by_role("button", name="Erase").click()
    # Erasure runs as a job: the member loses access at once (disabled) and is then removed.
    deadline = time.monotonic() + 10
    while row.count() == 1 and "Disabled" not in row.inner_text():
        assert time.monotonic() < deadline, "the erased member still shows as active"
        time.sleep(0.2)
    erased = member_by_email(stack, email)
    assert erased is None or erased["status"] == "disabled"


def test_a_pending_invitation_is_revoked(members: Members, stack: BrowserStack) -> None:
    email = f"revoked-{uuid.uuid4().hex[:8]}@northwind.example"
    admin = members.open(ADMIN, "/members")
    invite(admin, email, "Rex", "Revoked")
    row = admin.locator(f'[data-testid=invitations] tr[data-row="{email}"]')
    row.get_by_role("button", name=f"Revoke the invitation of {email}").click()
    expect(row).to_have_count(0)
    assert email not in [item["email"] for item in stack.get(ADMIN, "/invitations").json()["items"]]
