"""My account, for someone who joined by typing an invitation code: the profile the API holds, rectified;
consent; the export downloaded; and erasure of their own account."""

from __future__ import annotations

import json
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    ADMIN,
    BrowserStack,
    enrol_totp,
    read_again,
    session_headers,
    sign_up_at_provider,
)


def test_my_account_rectify_export_and_erase(page: Page, stack: BrowserStack) -> None:
    email = f"typist-{uuid.uuid4().hex[:8]}@northwind.example"
    invited = stack.client.post(
        f"{stack.api}/members",
        headers=stack.headers(ADMIN),
        json={"email": email, "role": "user", "first_name": "Tess", "last_name": "Typist"},
    )
    assert invited.status_code == 201, invited.text

    sign_up_at_provider(page, stack, email)
    page.get_by_role("button", name="I have an invitation code").click()
    page.locator("input[name=invitation_code]").fill(invited.json()["code"])
    page.get_by_role("button", name="Check the invitation").click()
    page.get_by_role("button", name="Join Northwind Traders (demo)").click()
    enrol_totp(page)
    headers = session_headers(page)

    def me() -> dict:  # type: ignore[type-arg]
        return stack.client.get(f"{stack.api}/me", headers=headers).json()  # type: ignore[no-any-return]

    page.get_by_role("link", name="My account").click()
    profile = me()
    expect(page.locator("input[name=first_name]")).to_have_value(profile["first_name"])
    expect(page.locator("input[name=last_name]")).to_have_value(profile["last_name"])

    page.locator("input[name=last_name]").fill("Typist-Smith")
    with read_again(page, "/me"):  # the saved profile is read again (a new ETag) ...
        page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_test_id("profile-saved")).to_be_visible()  # ... and the form still says it saved
    expect(page.locator("input[name=last_name]")).to_have_value("Typist-Smith")
    assert me()["last_name"] == "Typist-Smith"

    version = profile["privacy_notice_version"]
    if not any(consent["version"] == version for consent in profile["consents"]):
        page.get_by_role("button", name=f"Accept privacy notice {version}").click()
    expect(page.get_by_test_id("consent-state")).to_have_text(f"You accepted privacy notice {version}.")
    assert version in [consent["version"] for consent in me()["consents"]]

    with page.expect_download() as started:
        page.get_by_role("button", name="Download my data").click()
    exported = json.loads(started.value.path().read_text(encoding="utf-8"))
    assert exported["profile"]["email"] == email
    assert exported["profile"]["last_name"] == "Typist-Smith"

    page.get_by_role("button", name="Erase me").click()
    page.get_by_role("dialog").get_by_role("button", name="Erase me").click()
    expect(page.get_by_test_id("erasure-requested")).to_be_visible()
    listed = stack.get(ADMIN, "/members", params={"page_size": 200}).json()["items"]
    assert [member["status"] for member in listed if member["email"] == email] in ([], ["disabled"])
