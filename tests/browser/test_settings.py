"""Settings (super admins) start from what the API holds: the price of each of the tenant's licences,
the inactivity threshold and the retention periods."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import SUPER, BrowserStack, Members


def test_settings_are_pre_filled_from_the_api(members: Members, stack: BrowserStack) -> None:
    prices = stack.get(SUPER, "/metadata/prices").json()["prices"]
    skus = [sku for sku in stack.get(SUPER, "/insights/utilisation").json()["skus"] if not sku["free"]]
    groups = stack.get(SUPER, "/metadata/groups").json()
    retention = stack.get(SUPER, "/organisation").json()["retention"]

    page = members.open(SUPER, "/settings")

    rows = page.locator("[data-testid=prices] tbody tr")
    expect(rows).to_have_count(len(skus) + len(set(prices) - {sku["sku_id"].lower() for sku in skus}))
    for sku in skus:
        price = prices.get(sku["sku_id"].lower())
        field = page.get_by_label(f"Monthly price of {sku['name']} ({price['currency'] if price else 'GBP'})")
        expect(field).to_have_value("" if price is None else f"{price['monthly']:g}")
    assert any(sku["sku_id"].lower() in prices for sku in skus), "the demo prices some of the tenant's SKUs"
    expect(page.get_by_label(f"{groups.get('inactivity_days') or 90} days")).to_be_checked()
    for name, days in retention.items():
        expect(page.locator(f"input[name={name}]")).to_have_value(str(days))
