"""Licences: the Microsoft 365 Copilot card shows the utilisation payload's Copilot section — seats, use in
the last 7/28/90 days per app, unused seats and their cost — to every role (aggregates only)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import USER, BrowserStack, Members, screenshot
from tests.browser.en_gb import money


def test_the_copilot_card_shows_the_apis_figures(members: Members, stack: BrowserStack) -> None:
    copilot = stack.get(USER, "/insights/utilisation").json()["copilot"]
    assert copilot["state"] == "measured" and copilot["assigned"] > 0

    page = members.open(USER, "/licences")
    card = page.get_by_test_id("copilot-card")
    expect(card.get_by_role("heading", name="Microsoft 365 Copilot")).to_be_visible()
    expect(card).to_have_attribute("data-state", "measured")
    expect(card.get_by_test_id("figure-copilot-assigned")).to_have_text(f"{copilot['assigned']:,}")
    expect(card.get_by_test_id("figure-copilot-inactive")).to_have_text(f"{copilot['inactive_seats']:,}")
    expect(card.get_by_test_id("copilot-inactive-cost")).to_have_text(money(copilot["monthly_cost_inactive"]))
    for surface in copilot["surfaces"]:
        cells = card.locator(f'[data-testid=copilot-surfaces] tr[data-surface="{surface["surface"]}"] td')
        expect(cells.nth(0)).to_have_text(surface["title"])
        expect(cells.nth(1)).to_have_text(f"{surface['active_7']:,}")
        expect(cells.nth(2)).to_have_text(f"{surface['active_28']:,}")
        expect(cells.nth(3)).to_have_text(f"{surface['active_90']:,}")
    screenshot(page, "licences-copilot", full_page=True)
