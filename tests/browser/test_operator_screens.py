"""The operator screens show what the API holds: a real attack (twenty forged tokens from one address)
becomes an alert and an incident once the detection job runs; the operator sees the incidents in the
API's order, opens this one, acknowledges it, is told plainly when someone else changed it first (ETag),
moves it on and adds a note, each on the timeline; the alert with its evidence; platform health with
its limits; and a support request made on the form, which the customer's Support access screen
announces until it is decided."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from shared.operations.jobs import run_detections, run_monitoring
from shared.operations.notifications import build_notifier
from shared.services import get_services
from tests.browser import en_gb
from tests.browser.conftest import SUPER, BrowserStack, Members, new_page, screenshot
from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_operator_sign_in import sign_in_at_provider

BURST = 20  # the rejected-token-burst rule's threshold
RULE = "rejected-token-burst"


def as_operator(stack: BrowserStack, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {**stack.operator_headers(), **kwargs.pop("headers", {})}
    return stack.client.request(method, f"{stack.api}{path}", headers=headers, **kwargs)


def run_jobs() -> None:
    """The detection and monitoring timers' work, now (the same functions, on the app's storage)."""
    services = get_services()
    now = datetime.now(UTC)
    run_detections(services, build_notifier(services.settings), now)
    run_monitoring(services, build_notifier(services.settings), now)


@pytest.fixture(scope="module")
def alert(stack: BrowserStack) -> dict[str, Any]:
    """The alert the burst raised (with the incident it opened)."""
    for _ in range(BURST):
        refused = stack.client.get(f"{stack.api}/organisation", headers={"Authorization": "Bearer forged"})
        assert refused.status_code == 401
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run_jobs()  # a timer run holding the lease meanwhile finds the same burst
        alerts: list[dict[str, Any]] = as_operator(stack, "GET", "/platform/alerts").json()["items"]
        found = [item for item in alerts if item["rule_id"] == RULE and item.get("incident_id")]
        if found:
            return found[0]
        time.sleep(1)
    raise AssertionError("the burst raised no alert")


@pytest.fixture(scope="module")
def operator(browser: Browser, stack: BrowserStack) -> Iterator[Page]:
    """The support operator signed in at /operator in a tab of their own (a code from the authenticator
    enrolled over HTTP)."""
    stack.operator_headers()  # enrolled before the browser asks, so the browser asks for a code
    errors: list[str] = []
    page = new_page(browser, errors)
    sign_in_at_provider(page, stack, "support-operator@insight365.example")
    page.get_by_label("Code from your authenticator app").fill(stack.operator_totp())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("navigation", name="Main").wait_for()
    yield page
    page.context.close()
    assert not errors, f"the browser reported errors: {errors}"


def go(page: Page, stack: BrowserStack, path: str) -> Page:
    page.goto(stack.app_url + path)
    expect(page.locator("main h1").first).to_be_visible()
    return page


def fact(page: Page, term: str) -> Locator:
    return page.get_by_test_id("incident-facts").locator(f'dt:text-is("{term}") + dd')


def test_incidents_and_one_incident_worked(
    operator: Page, stack: BrowserStack, alert: dict[str, Any]
) -> None:
    incident_id = alert["incident_id"]
    listed = as_operator(stack, "GET", "/platform/incidents").json()["items"]
    page = go(operator, stack, "/operator")
    rows = page.locator("[data-testid=incidents] tbody tr")
    expect(rows).to_have_count(len(listed))
    assert blocking_violations(page) == []
    for index, incident in enumerate(listed):  # the API's order: open first, by priority
        expect(rows.nth(index)).to_have_attribute("data-row", incident["incident_id"])
    incident = next(item for item in listed if item["incident_id"] == incident_id)
    row = page.locator(f'[data-testid=incidents] tr[data-row="{incident_id}"]')
    expect(row.locator("td")).to_have_text(
        [
            incident["priority"],
            incident["severity"].capitalize(),
            incident["title"],
            "New",
            en_gb.moment(incident["opened_at"]),
            f"Due {en_gb.moment(incident['acknowledge_by'])}",
            "0",
        ]
    )

    row.get_by_role("link", name=incident["title"]).click()
    expect(page.locator("main h1")).to_have_text(incident["title"])
    expect(fact(page, "State")).to_have_text("New")
    expect(page.get_by_test_id("timeline").locator("tbody tr").first.locator("td").nth(2)).to_have_text(
        "Opened"
    )

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    acknowledged = as_operator(stack, "GET", f"/platform/incidents/{incident_id}")
    assert acknowledged.json()["acknowledged_at"] is not None
    expect(fact(page, "Acknowledged")).to_contain_text(en_gb.moment(acknowledged.json()["acknowledged_at"]))
    expect(page.get_by_test_id("timeline")).to_contain_text("Acknowledged")

    # Someone else moves it on while the page shows the version before: the page's change is refused,
    # said so in words, and the latest version shown.
    moved = as_operator(
        stack, "POST", f"/platform/incidents/{incident_id}/state",
        headers={"If-Match": acknowledged.headers["ETag"]}, json={"state": "triaged"},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    page.get_by_role("button", name="Move to triaged").click()
    expect(page.get_by_test_id("incident-conflict")).to_contain_text("Someone else changed this incident")
    expect(fact(page, "State")).to_have_text("Triaged")
    assert blocking_violations(page) == []
    assert as_operator(stack, "GET", f"/platform/incidents/{incident_id}").json()["state"] == "triaged"

    page.get_by_role("button", name="Move to contained").click()
    expect(fact(page, "State")).to_have_text("Contained")
    page.get_by_label("Note for the timeline").fill("Blocked the address at the gateway.")
    page.get_by_role("button", name="Add note").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("tbody tr").last.locator("td").nth(2)).to_have_text("Note")
    expect(timeline.locator("tbody tr").last.locator("td").nth(3)).to_have_text(
        "Blocked the address at the gateway."
    )
    recorded = as_operator(stack, "GET", f"/platform/incidents/{incident_id}").json()
    assert recorded["state"] == "contained"
    assert [entry["kind"] for entry in recorded["timeline"]][-3:] == [
        "state_changed",
        "state_changed",
        "note",
    ]
    expect(timeline.locator("tbody tr")).to_have_count(len(recorded["timeline"]))
    screenshot(page, "operator-incident")


def test_alerts_with_their_evidence(operator: Page, stack: BrowserStack, alert: dict[str, Any]) -> None:
    listed = as_operator(stack, "GET", "/platform/alerts").json()["items"]
    page = go(operator, stack, "/operator/alerts")
    rows = page.locator("[data-testid=alerts] tbody tr")
    expect(rows).to_have_count(len(listed))
    shown = next(item for item in listed if item["alert_id"] == alert["alert_id"])
    cells = page.locator(f'[data-testid=alerts] tr[data-row="{alert["alert_id"]}"] td')
    expect(cells.nth(0)).to_have_text(en_gb.moment(shown["last_seen"]))
    expect(cells.nth(1)).to_have_text(f"{shown['title']} ({RULE})")
    expect(cells.nth(2)).to_have_text("Medium")
    expect(cells.nth(3)).to_have_text("None")
    expect(cells.nth(4)).to_have_text(shown["subject"])
    expect(cells.nth(5)).to_contain_text(f"{en_gb.count(shown['event_count'])} events")
    expect(cells.nth(5)).to_contain_text(shown["event_ids"][-1])
    screenshot(page, "operator-alerts")
    assert blocking_violations(page) == []
    cells.nth(6).get_by_role("link", name="Open incident").click()
    expect(page).to_have_url(f"{stack.app_url}/operator/incidents/{alert['incident_id']}")


def test_platform_health_shows_the_limits(operator: Page, stack: BrowserStack, alert: dict[str, Any]) -> None:
    health = as_operator(stack, "GET", "/platform/health").json()
    page = go(operator, stack, "/operator/health")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Platform health")).to_have_attribute("aria-current", "page")
    expect(navigation.get_by_role("link", name="Incidents")).not_to_have_attribute("aria-current", "page")
    limits = page.locator("[data-testid=limits] tbody tr")
    expect(limits).to_have_count(len(health["limits"]))
    for limit in health["limits"]:
        cells = page.locator(f'[data-testid=limits] tr[data-row="{limit["limit_id"]}"] td')
        expect(cells.nth(0)).to_have_text(limit["title"])
        expect(cells.nth(1)).to_have_text(f"{en_gb.number(limit['threshold'])} {limit['unit']}")
    assert health["measured_until"] is not None
    expect(page.get_by_test_id("measured-until")).to_have_text(
        f"Measured until {en_gb.moment(health['measured_until'])}."
    )
    if health["breaches"]:
        expect(page.locator("[data-testid=breaches] tbody tr")).to_have_count(len(health["breaches"]))
    else:
        expect(page.get_by_role("region", name="No breaches")).to_be_visible()
    screenshot(page, "operator-health")
    assert blocking_violations(page) == []


def test_a_support_request_reaches_the_customer(
    operator: Page, stack: BrowserStack, members: Members
) -> None:
    org_id = stack.get(SUPER, "/organisation").json()["org_id"]
    reason = "Ticket 4800: the customer asks why Teams adoption dropped"
    page = go(operator, stack, "/operator/support-requests")
    page.get_by_role("button", name="Ask for access").click()
    expect(page.get_by_text("Enter the organisation's id")).to_be_visible()
    assert blocking_violations(page) == []  # the form with its mistakes in words
    page.get_by_label("Organisation id").fill(org_id)
    page.get_by_label("Reason").fill(reason)
    page.get_by_label("Hours of access, once approved").fill("3")
    page.get_by_role("button", name="Ask for access").click()
    first = page.locator("[data-testid=support-requests] tbody tr").first
    expect(first.locator("td").nth(2)).to_have_text(reason)
    grant_id = first.get_attribute("data-row")
    assert grant_id is not None
    try:
        recorded = as_operator(stack, "GET", f"/platform/support-requests/{grant_id}").json()
        assert (recorded["org_id"], recorded["duration_hours"], recorded["state"]) == (org_id, 3, "pending")
        expect(first.locator("td")).to_have_text(
            [en_gb.moment(recorded["requested_at"]), org_id, reason, "3", "Waiting for a decision",
             f"Lapses {en_gb.moment(recorded['request_expires_at'])}"]
        )  # fmt: skip

        customer = members.open(SUPER, "/support-access")
        expect(customer.get_by_test_id("support-waiting")).to_contain_text(
            "Insight365's support is waiting for a decision: 1 request"
        )
        screenshot(page, "operator-support-requests")
        assert blocking_violations(page) == []
        screenshot(customer, "support-access-waiting")
    finally:
        denied = stack.client.post(
            f"{stack.api}/support-access/{grant_id}/deny", headers=stack.headers(SUPER)
        )
        assert denied.status_code == 200, denied.text
    customer.reload()
    expect(customer.get_by_test_id("support-grants")).to_be_visible()
    expect(customer.get_by_test_id("support-waiting")).to_have_count(0)
    page.reload()
    expect(page.locator(f'[data-testid=support-requests] tr[data-row="{grant_id}"] td').nth(4)).to_have_text(
        "Denied"
    )
