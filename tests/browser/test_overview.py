"""The overview shows the same figures the API returns for the demo organisation, in en-GB words."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, USER, BrowserStack, Members, screenshot
from tests.browser.en_gb import count, money, percent


def test_admin_overview_matches_the_api(members: Members, stack: BrowserStack) -> None:
    utilisation = stack.get(ADMIN, "/insights/utilisation").json()
    adoption = stack.get(ADMIN, "/insights/adoption").json()
    assurance = stack.get(ADMIN, "/insights/assurance").json()
    totals = utilisation["totals"]

    page = members.open(ADMIN)

    expect(page.get_by_test_id("figure-utilisation")).to_have_text(percent(totals["utilisation_pct"]))
    expect(page.get_by_test_id("figure-monthly-waste")).to_have_text(money(totals["monthly_waste"]))
    expect(page.get_by_test_id("figure-reclaimable")).to_have_text(count(totals["reclaimable_assignments"]))
    expect(page.get_by_test_id("figure-posture-score")).to_have_text(f"{assurance['posture']['score']} / 100")
    for workload in adoption["workloads"]:
        expect(page.get_by_test_id(f"figure-adoption-{workload['workload']}")).to_have_text(
            percent(workload["adoption_pct"])
        )
    renewal = next(event for event in utilisation["renewals"] if event["event"] == "renewal")
    expect(page.get_by_test_id("renewal-reclaimable")).to_have_text(count(renewal["reclaimable_seats"]))
    # Right-sizing's reasons are the Licences screen's to explain (in its card), not the overview's.
    rightsizing = [w["message"] for w in utilisation["warnings"] if w["code"].startswith("rightsizing_")]
    assert rightsizing, "the demo's right-sizing says why a rule did not run"
    others = [w["message"] for w in utilisation["warnings"] if not w["code"].startswith("rightsizing_")]
    for message in others[:1]:
        expect(page.get_by_text(message, exact=True)).to_have_count(1)
    for message in rightsizing:
        expect(page.get_by_text(message, exact=True)).to_have_count(0)
    screenshot(page, "overview")


def test_user_overview_has_no_posture_score(members: Members) -> None:
    page = members.open(USER)
    expect(page.get_by_test_id("figure-utilisation")).to_be_visible()
    expect(page.get_by_test_id("figure-posture-score")).to_have_count(0)
