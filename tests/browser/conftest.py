"""The web app in real Chromium, on the stack `make run` assembles: Azurite, the local identity provider,
the Graph simulator, the app on the local Functions host, and the gateway serving the built app.

The demo organisation is seeded as `make run` seeds it (members bound to the provider's accounts, TOTP
enrolled), then its super admin connects the simulator's tenant, sets prices and refreshes through the
API, so every screen has published figures to show. The whole package shares that one stack; each test
gets a fresh browser context (its own sessionStorage), so sign-ins never leak between tests.

Chromium is Debian's (`/usr/bin/chromium`, installed by `make test` when missing): Playwright drives it
over CDP; its own browser download is never used. Screenshots go to `tests/browser/screenshots/` (not
committed).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright

from bench.web import (
    CHROMIUM,
    CHROMIUM_ARGS,
    GraphTenant,
    RunningApp,
    open_session,
    publish_first_refresh,
    running_app,
)
from dev.oidc.code_flow import demo_access_token
from dev.oidc.issuer import subject_for_email
from dev.oidc.provider import DEMO_PASSWORD, SeedAccount
from dev.totp import StepLedger, totp_secret
from tests.conftest import TEST_SETTINGS

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# A password that meets the provider's policy, for people the tests sign up.
NEW_PASSWORD = "Quiet-harbour-42"
SUPER = "super@northwind.example"
ADMIN = "admin@northwind.example"
USER = "user@northwind.example"
# Insight365's support operator, configured by their provider `sub` as the app's settings require.
OPERATOR = "support-operator@insight365.example"
# A security officer who enrols their authenticator in the browser (the operator area's first sign-in).
SECURITY_OFFICER = "security-officer@insight365.example"
# A second security officer, for the breach clock (test_operator_breach.py), who enrols on first sign-in.
BREACH_OFFICER = "breach-officer@insight365.example"


@dataclass
class BrowserStack:
    app: RunningApp
    ledger: StepLedger
    client: httpx.Client
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)
    _operator_secret: str = ""

    @property
    def app_url(self) -> str:
        return self.app.app_url

    @property
    def api(self) -> str:
        """The API through the gateway, where the app calls it."""
        return self.app.api

    @property
    def graph(self) -> GraphTenant:
        return self.app.graph

    def totp(self, email: str) -> str:
        """A code for a demo member the API has not seen yet (waiting for the next step if need be)."""
        reservation = self.ledger.reserve(totp_secret(email, self.app.demo_file))
        time.sleep(max(0.0, reservation.usable_at - time.time()))
        return reservation.code

    def headers(self, email: str) -> dict[str, str]:
        """Signed in over HTTP as a script would be: a token from the provider, then a session (one per
        member for the whole stack, so TOTP steps are left for the browser's sign-ins)."""
        if email not in self._headers:
            opened = open_session(self.client, self.app, email, self.ledger)
            self._headers[email] = {
                "Authorization": f"Bearer {opened['access_token']}",
                "X-Session": opened["session_token"],
            }
        return self._headers[email]

    def get(self, email: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(f"{self.api}{path}", headers=self.headers(email), **kwargs)

    def operator_headers(self) -> dict[str, str]:
        """The operator signed in at the platform over HTTP: TOTP enrolled there once, then a platform
        session (kept for the whole stack)."""
        if OPERATOR not in self._headers:
            bearer = {"Authorization": f"Bearer {demo_access_token(self.app.provider.issuer_url, OPERATOR)}"}
            started = self.client.post(f"{self.api}/platform/mfa/totp", headers=bearer)
            assert started.status_code in (200, 201), started.text
            secret = self._operator_secret = started.json()["secret"]
            for path in ("/platform/mfa/totp/confirm", "/platform/session"):
                reservation = self.ledger.reserve(secret)
                time.sleep(max(0.0, reservation.usable_at - time.time()))
                answered = self.client.post(
                    f"{self.api}{path}", headers=bearer, json={"code": reservation.code}
                )
                assert answered.status_code in (200, 201), answered.text
            self._headers[OPERATOR] = {**bearer, "X-Session": answered.json()["session_token"]}
        return self._headers[OPERATOR]

    def operator_totp(self) -> str:
        """A code the API has not seen yet from the operator's authenticator (enrolled over HTTP)."""
        self.operator_headers()
        reservation = self.ledger.reserve(self._operator_secret)
        time.sleep(max(0.0, reservation.usable_at - time.time()))
        return reservation.code


@pytest.fixture(scope="package")
def stack(storage_connection_string: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserStack]:
    folder = tmp_path_factory.mktemp("browser")
    with (
        running_app(
            storage_connection_string,
            folder,
            {
                **TEST_SETTINGS,
                "INSIGHT365_PLATFORM_OPERATORS": f"{subject_for_email(OPERATOR)}:operator,"
                f"{subject_for_email(SECURITY_OFFICER)}:security_officer,"
                f"{subject_for_email(BREACH_OFFICER)}:security_officer",
            },
            other_accounts=[
                SeedAccount(OPERATOR, "Sam", "Support", DEMO_PASSWORD),
                SeedAccount(SECURITY_OFFICER, "Ada", "Officer", DEMO_PASSWORD),
                SeedAccount(BREACH_OFFICER, "Grace", "Officer", DEMO_PASSWORD),
            ],
            rightsizing_plants=True,
        ) as app,
        httpx.Client(timeout=60, trust_env=False) as client,
    ):
        stack = BrowserStack(app, StepLedger(folder / "steps.json"), client)
        publish_first_refresh(client, app, stack.headers(SUPER))
        yield stack


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _watch_errors(page: Page, errors: list[str]) -> None:
    """Collect script errors and console errors (a CSP violation is one), except Chromium's line for
    each answer that is not 2xx: the app expects some (409 when TOTP is already enrolled)."""
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))


def new_page(browser: Browser, errors: list[str]) -> Page:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", accept_downloads=True)
    page = context.new_page()
    _watch_errors(page, errors)
    return page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (nobody signed in); any browser error fails the test."""
    errors: list[str] = []
    page = new_page(browser, errors)
    yield page
    page.context.close()
    assert not errors, f"the browser reported errors: {errors}"


@dataclass
class Members:
    """One signed-in tab per demo member, kept for the whole package: the app keeps its tokens in the
    tab's sessionStorage, so opening another address there needs no new sign-in (nor a TOTP step)."""

    browser: Browser
    stack: BrowserStack
    errors: list[str] = field(default_factory=list)
    tabs: dict[str, Page] = field(default_factory=dict)

    def open(self, email: str, path: str = "/") -> Page:
        if email not in self.tabs:
            self.tabs[email] = new_page(self.browser, self.errors)
            sign_in(self.tabs[email], self.stack, email, path)
        else:
            self.tabs[email].goto(self.stack.app_url + path)
            self.tabs[email].get_by_role("navigation", name="Main").wait_for()
        return self.tabs[email]


@pytest.fixture(scope="package")
def signed_in_tabs(browser: Browser, stack: BrowserStack) -> Iterator[Members]:
    members = Members(browser, stack)
    yield members
    for tab in members.tabs.values():
        tab.context.close()


@pytest.fixture
def members(signed_in_tabs: Members) -> Iterator[Members]:
    """The signed-in tabs; browser errors during the test fail it."""
    signed_in_tabs.errors.clear()
    yield signed_in_tabs
    assert not signed_in_tabs.errors, f"the browser reported errors: {signed_in_tabs.errors}"


def read_again(page: Page, path: str) -> AbstractContextManager[Any]:
    """Around a save: the app reading `path` (under `/api/v1`) again, as it does for the saved document
    (its form remounts with what was stored, so a confirmation must outlive the remount)."""
    return page.expect_response(lambda response: _is_read_of(response, f"/api/v1{path}"))


def _is_read_of(response: Response, path: str) -> bool:
    return response.request.method == "GET" and urlsplit(response.url).path == path


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def sign_in(page: Page, stack: BrowserStack, email: str, path: str = "/") -> None:
    """Sign in the way a person does: the app's start page, the provider's form, then a TOTP code."""
    page.goto(stack.app_url + path)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(stack.totp(email))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("navigation", name="Main").wait_for()


def sign_up_at_provider(page: Page, stack: BrowserStack, email: str, path: str = "/") -> None:
    """A brand-new person: the app's start page (`path` may be an invitation link), the provider's
    "Create an account" page, and back in the app signed in at the provider."""
    page.goto(stack.app_url + path)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()
    page.locator("input[name=given_name]").fill("Grace")
    page.locator("input[name=family_name]").fill("Newcomer")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()


def enrol_totp(page: Page) -> pyotp.TOTP:
    """The app's first-time MFA step: the key it shows, a first code, the recovery codes kept, then the
    session opened with the next time-step's code (a code is used once). Returns the authenticator."""
    totp = pyotp.TOTP(page.get_by_test_id("totp-secret").input_value().replace(" ", ""))
    step = int(time.time()) // 30
    page.get_by_label("Code from the app").fill(totp.at(step * 30))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("I have saved these codes").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(totp.at((step + 1) * 30))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("navigation", name="Main").wait_for()
    return totp


def new_organisation(page: Page, stack: BrowserStack, name: str) -> str:
    """Sign up a new person who creates the organisation `name`; they end on its overview. Their email."""
    email = f"founder-{uuid.uuid4().hex[:8]}@customer.example"
    sign_up_at_provider(page, stack, email)
    page.locator("input[name=organisation_name]").fill(name)
    page.get_by_role("button", name="Create organisation").click()
    enrol_totp(page)
    return email


def session_headers(page: Page) -> dict[str, str]:
    """The headers the app in `page` sends: lets a test read the API as that person."""
    stored = page.evaluate(
        """() => {
            const session = JSON.parse(sessionStorage.getItem("insight365.session"));
            const key = Object.keys(sessionStorage).find((name) => name.startsWith("oidc.user:"));
            return { session: session.token, access: JSON.parse(sessionStorage.getItem(key)).access_token };
        }"""
    )
    return {"Authorization": f"Bearer {stored['access']}", "X-Session": stored["session"]}
