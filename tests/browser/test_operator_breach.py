"""The breach clock on an incident: a security officer flags a personal-data breach and the screen counts
down the 72 hours for telling the ICO; they record an organisation told (a wrong id is refused on the
form) and the ICO notified, each on the timeline. An operator sees the same clock and no breach button,
and the API refuses them too. A breach flagged 80 hours ago says by how long it is overdue."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shared.operations.incidents import IncidentBook, Opening
from shared.operations.notifications import build_notifier
from shared.services import get_services
from tests.browser import en_gb
from tests.browser.conftest import BREACH_OFFICER, SUPER, BrowserStack, enrol_totp, new_page
from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_operator_screens import as_operator, go, operator  # noqa: F401 - fixture
from tests.browser.test_operator_sign_in import sign_in_at_provider

BREACH_BUTTONS = ["Flag a personal-data breach", "Record organisation told", "Record the ICO notified"]


def open_incident(title: str, org_id: str) -> str:
    """An incident of this test's own, opened the way the detection job opens one."""
    services = get_services()
    book = IncidentBook(services.storage, services.page_signer, build_notifier(services.settings))
    opening = Opening(
        key=f"breach-clock|{uuid.uuid4().hex}",
        title=title,
        severity="high",
        org_ids=[org_id],
        source_id=uuid.uuid4().hex,
        detail="a report export reached the wrong recipient",
    )
    incident, _ = book.open_or_join(opening, datetime.now(UTC))
    return incident.incident_id


@pytest.fixture(scope="module")
def org_id(stack: BrowserStack) -> str:
    return str(stack.get(SUPER, "/organisation").json()["org_id"])


@pytest.fixture(scope="module")
def officer(browser: Browser, stack: BrowserStack) -> Iterator[Page]:
    """A security officer signed in at /operator, enrolling their authenticator on this first sign-in."""
    errors: list[str] = []
    page = new_page(browser, errors)
    sign_in_at_provider(page, stack, BREACH_OFFICER)
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    enrol_totp(page)
    expect(page.get_by_test_id("role")).to_have_text("Security officer")
    yield page
    page.context.close()
    assert not errors, f"the browser reported errors: {errors}"


def breach_section(page: Page) -> Any:
    return page.get_by_role("region", name="Personal-data breach")


def expect_no_breach_buttons(page: Page) -> None:
    for name in BREACH_BUTTONS:
        expect(page.get_by_role("button", name=name)).to_have_count(0)


def breach_fact(page: Page, term: str) -> Any:
    return page.get_by_test_id("breach-facts").locator(f'dt:text-is("{term}") + dd')


def test_a_security_officer_runs_the_clock_and_an_operator_only_sees_it(
    officer: Page,
    operator: Page,  # noqa: F811 - the fixture imported above
    stack: BrowserStack,
    org_id: str,
) -> None:
    incident_id = open_incident("Report export sent to the wrong address", org_id)
    path = f"/operator/incidents/{incident_id}"

    # Before the flag: both see that nothing is flagged; only the security officer has the button.
    go(operator, stack, path)
    expect(breach_section(operator)).to_contain_text("Not flagged")
    expect_no_breach_buttons(operator)
    go(officer, stack, path)
    expect(breach_section(officer)).to_contain_text("Not flagged")
    assert blocking_violations(officer) == []

    officer.get_by_role("button", name="Flag a personal-data breach").click()
    clock = officer.get_by_test_id("breach-clock")
    expect(clock).to_contain_text(re.compile(r"^(71 h [0-5]?\d min|72 h 0 min) left to tell the ICO"))
    breach = as_operator(stack, "GET", f"/platform/incidents/{incident_id}").json()["breach"]
    aware, deadline = (
        datetime.fromisoformat(breach["aware_at"]),
        datetime.fromisoformat(breach["ico_deadline"]),
    )
    assert deadline - aware == timedelta(hours=72)
    expect(breach_fact(officer, "Tell the ICO by")).to_have_text(en_gb.moment(breach["ico_deadline"]))
    expect(breach_fact(officer, "ICO notified")).to_have_text("Not yet")
    expect(officer.get_by_role("button", name="Flag a personal-data breach")).to_have_count(0)
    assert blocking_violations(officer) == []

    # An organisation told: a wrong id is refused on the form, the right one recorded with its time.
    told = officer.get_by_label("Organisation told")
    told.fill("not-an-organisation")
    officer.get_by_role("button", name="Record organisation told").click()
    expect(breach_section(officer)).to_contain_text("Enter the organisation's 32-character id.")
    told.fill(org_id)
    officer.get_by_role("button", name="Record organisation told").click()
    row = officer.get_by_test_id("organisations-told").locator("tbody tr")
    expect(row).to_have_count(1)
    recorded = as_operator(stack, "GET", f"/platform/incidents/{incident_id}").json()["breach"]
    expect(row.locator("td")).to_have_text([org_id, en_gb.moment(recorded["organisations_told"][org_id])])

    # The operator sees the running clock and who was told, and can change none of it: no buttons,
    # and the API refuses them.
    go(operator, stack, path)
    expect(operator.get_by_test_id("breach-clock")).to_contain_text("left to tell the ICO")
    expect(operator.get_by_test_id("organisations-told").locator("tbody tr")).to_have_count(1)
    expect_no_breach_buttons(operator)
    refused = as_operator(stack, "POST", f"/platform/incidents/{incident_id}/breach/ico")
    assert refused.status_code == 403, refused.text

    officer.get_by_role("button", name="Record the ICO notified").click()
    expect(clock).to_contain_text("ICO notified")
    notified = as_operator(stack, "GET", f"/platform/incidents/{incident_id}").json()
    expect(clock).to_contain_text(f"ICO notified {en_gb.moment(notified['breach']['ico_notified_at'])}")
    expect(clock).to_contain_text("before the deadline.")
    expect(officer.get_by_role("button", name="Record the ICO notified")).to_have_count(0)
    kinds = officer.get_by_test_id("timeline").locator("tbody tr td:nth-child(3)")
    expect(kinds).to_contain_text(["Personal-data breach flagged", "Organisation told", "ICO notified"])


def test_an_overdue_breach_says_by_how_long(
    officer: Page,
    operator: Page,  # noqa: F811 - the fixture imported above
    stack: BrowserStack,
    org_id: str,
) -> None:
    incident_id = open_incident("Mailbox rule forwarded member data", org_id)
    services = get_services()
    book = IncidentBook(services.storage, services.page_signer, build_notifier(services.settings))
    # Flagged 80 hours ago: the 72 hours ran out 8 hours ago.
    book.flag_breach(incident_id, "system", datetime.now(UTC) - timedelta(hours=80))

    for page in (officer, operator):
        go(page, stack, f"/operator/incidents/{incident_id}")
        expect(page.get_by_test_id("breach-clock")).to_contain_text(re.compile(r"^Overdue by 8 h \d+ min"))
    expect(officer.get_by_role("button", name="Record the ICO notified")).to_be_visible()
    expect_no_breach_buttons(operator)
