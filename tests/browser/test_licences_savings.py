"""Licences: the right-sizing card ("N accounts could move from X to Y, saving £Z a month", or in plain words
why nothing is recommended) and the savings card (potential against realised, this month, in total, per
month) show the API's figures to every role; only admins get the person-level reports behind them.

The browser stack's tenant has the simulator's planted right-sizing candidates and one refresh, so the
ledger has potential but nothing realised yet (realising needs a later refresh that finds a licence gone,
which the ledger's integration and journey tests plant)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ADMIN, USER, BrowserStack, Members, screenshot
from tests.browser.en_gb import count, money

RECOMMENDATIONS = "rightsizing-recommendations"
REALISED = "realised-savings"
NOTHING_REALISED = "No savings realised yet: they appear when a later refresh finds a listed licence gone."


def one(amount: dict[str, Any] | None) -> str:
    return "Not available" if amount is None else money([amount])


def month(iso_month: str) -> str:
    return f"{date.fromisoformat(f'{iso_month}-01'):%B %Y}"


def expect_rightsizing_card(page: Page, utilisation: dict[str, Any]) -> Locator:
    card = page.get_by_test_id("rightsizing-card")
    expect(card.get_by_role("heading", name="Right-sizing")).to_be_visible()
    moves = utilisation["rightsizing"]
    assert moves, "the browser stack's tenant has planted right-sizing candidates"
    sentences = card.get_by_test_id("rightsizing-move")
    expect(sentences).to_have_count(len(moves))
    for n, move in enumerate(moves):  # most money first, as the API lists them
        noun = "account" if move["accounts"] == 1 else "accounts"
        expect(sentences.nth(n)).to_have_text(
            f"{count(move['accounts'])} {noun} could move from {move['from_name']} to {move['to_name']}, "
            f"saving {one(move['monthly_saving'])} a month"
        )
    # Each reason a rule recommended nothing is explained in the card, not in the screen's warnings list.
    codes = [w["code"] for w in utilisation["warnings"] if w["code"].startswith("rightsizing_")]
    names = {sku["sku_id"]: sku["name"] for sku in utilisation["skus"]}
    for code in codes:
        explanation = card.locator(f'[data-warnings~="{code}"]')
        expect(explanation).to_be_visible()
        if code.startswith("rightsizing_no_priced_target:"):  # names the licence its holders hold
            expect(explanation).to_contain_text(names[code.rsplit(":", 1)[1]])
        expect(page.locator(f'[data-warning="{code}"]')).to_have_count(0)
    for warning in utilisation["warnings"]:  # the screen's list keeps every other warning
        if warning["code"] not in codes:
            expect(page.locator(f'[data-warning="{warning["code"]}"]')).to_be_visible()
    return card


def expect_savings_card(page: Page, ledger: dict[str, Any]) -> Locator:
    card = page.get_by_test_id("savings-card")
    expect(card.get_by_role("heading", name="Savings", exact=True)).to_be_visible()
    expect(card.get_by_test_id("figure-savings-potential")).to_have_text(one(ledger["potential_now"]))
    assert ledger["entries"] == 0 and ledger["realised_total"] is None, "one refresh realises nothing"
    expect(card.get_by_test_id("figure-savings-this-month")).to_have_text("£0.00")
    expect(card.get_by_test_id("figure-savings-total")).to_have_text("£0.00")
    expect(card.get_by_text(NOTHING_REALISED)).to_be_visible()
    expect(card.get_by_test_id("savings-by-kind")).to_have_count(0)
    assert ledger["months"], "the published refresh's month has its potential"
    for row in ledger["months"]:
        cells = card.locator(f'[data-testid=savings-months] tr[data-month="{row["month"]}"] td')
        expect(cells.nth(0)).to_have_text(month(row["month"]))
        expect(cells.nth(1)).to_have_text(one(row["potential"]))
        expect(cells.nth(2)).to_have_text("£0.00")
        expect(cells.nth(3)).to_have_text(count(row["entries"]))
    return card


def test_a_user_sees_the_moves_and_the_savings_but_no_person_level_report(
    members: Members, stack: BrowserStack
) -> None:
    utilisation = stack.get(USER, "/insights/utilisation").json()
    ledger = stack.get(USER, "/insights/utilisation/savings").json()
    assert stack.get(USER, f"/reports/{RECOMMENDATIONS}").status_code == 403

    page = members.open(USER, "/licences")
    rightsizing = expect_rightsizing_card(page, utilisation)
    savings = expect_savings_card(page, ledger)

    for card in (rightsizing, savings):
        expect(card.get_by_role("link")).to_have_count(0)
        expect(card.get_by_role("button", name="Download")).to_have_count(0)
    screenshot(page, "licences-savings-user", full_page=True)


def test_an_admin_opens_and_downloads_the_recommendations_behind_the_moves(
    members: Members, stack: BrowserStack
) -> None:
    utilisation = stack.get(ADMIN, "/insights/utilisation").json()
    ledger = stack.get(ADMIN, "/insights/utilisation/savings").json()
    report = stack.get(ADMIN, f"/reports/{RECOMMENDATIONS}").json()
    # The moves are the report's rows counted: every account the sentences add up is a row to act on.
    assert len(report["rows"]) == sum(move["accounts"] for move in utilisation["rightsizing"])

    page = members.open(ADMIN, "/licences")
    card = expect_rightsizing_card(page, utilisation)
    expect_savings_card(page, ledger)
    expect(
        page.get_by_test_id("savings-card").get_by_role("link", name="Open the realised savings in Reports")
    ).to_be_visible()

    with page.expect_download() as started:
        card.get_by_role("button", name="Download the right-sizing recommendations (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(started.value.path().read_text(encoding="utf-8-sig"))))
    key = ("user_principal_name", "sku_id", "rule")
    assert [tuple(row[name] for name in key) for row in rows] == [
        tuple(str(row[name]) for name in key) for row in report["rows"]
    ]
    screenshot(page, "licences-savings-admin", full_page=True)

    card.get_by_role("link", name="Open the right-sizing recommendations in Reports").click()
    expect(page).to_have_url(f"{stack.app_url}/reports?report={RECOMMENDATIONS}")
    preview = page.locator("[data-section=preview]")
    expect(preview.get_by_role("heading", name="Right-sizing recommendations")).to_be_visible()
    expect(preview.get_by_test_id("preview-count")).to_contain_text(count(len(report["rows"])))
