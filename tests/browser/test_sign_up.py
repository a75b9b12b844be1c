"""A brand-new person: signs up at the provider (the password policy's error shown next to the field),
creates an organisation, enrols TOTP from the key the app shows, keeps the recovery codes, opens a session
and lands on the empty overview of an organisation without a tenant."""

from __future__ import annotations

import time
import uuid

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.conftest import NEW_PASSWORD, BrowserStack
from tests.browser.test_navigation import SUPER_SCREENS


def test_a_new_customer_signs_up_and_enrols_totp(page: Page, stack: BrowserStack) -> None:
    email = f"founder-{uuid.uuid4().hex[:8]}@customer.example"
    page.goto(stack.app_url + "/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()
    page.locator("input[name=given_name]").fill("Grace")
    page.locator("input[name=family_name]").fill("Founder")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("short")
    page.get_by_role("button", name="Create account").click()

    expect(page.locator("input[name=password]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).not_to_be_empty()

    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Back in the app, signed in at the provider but a member of no organisation yet.
    expect(page.get_by_role("heading", name="Create your organisation")).to_be_visible()
    expect(page.locator("input[name=first_name]")).to_have_value("Grace")
    page.locator("input[name=organisation_name]").fill("Grace's Garage")
    page.get_by_role("button", name="Create organisation").click()

    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    totp = pyotp.TOTP(page.get_by_test_id("totp-secret").input_value().replace(" ", ""))
    step = int(time.time()) // 30
    page.get_by_label("Code from the app").fill(totp.at(step * 30))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    continue_button = page.get_by_role("button", name="Continue")
    expect(continue_button).to_be_disabled()
    page.get_by_label("I have saved these codes").check()
    continue_button.click()

    # A code is used once: the session opens with the next step's (the API accepts one step ahead).
    page.get_by_label("Code from your authenticator app").fill(totp.at((step + 1) * 30))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_test_id("organisation-name")).to_have_text("Grace's Garage")
    expect(page.get_by_role("region", name="No tenant connected yet")).to_be_visible()
    links = page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
    assert links == SUPER_SCREENS
