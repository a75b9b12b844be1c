"""Settings (super admins) start from what the API holds: the price of each of the tenant's licences and
of each licence right-sizing could move holders to, the inactivity threshold and the retention periods."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import SUPER, BrowserStack, Members


def test_settings_are_pre_filled_from_the_api(members: Members, stack: BrowserStack) -> None:
    prices = stack.get(SUPER, "/metadata/prices").json()["prices"]
    utilisation = stack.get(SUPER, "/insights/utilisation").json()
    skus = [sku for sku in utilisation["skus"] if not sku["free"]]
    held = {sku["sku_id"].lower() for sku in utilisation["skus"]}
    targets = [t for t in utilisation["rightsizing_targets"] if t["sku_id"].lower() not in held]
    groups = stack.get(SUPER, "/metadata/groups").json()
    retention = stack.get(SUPER, "/organisation").json()["retention"]

    page = members.open(SUPER, "/settings")

    rows = page.locator("[data-testid=prices] tbody tr")
    listed = {sku["sku_id"].lower() for sku in skus} | {t["sku_id"].lower() for t in targets}
    expect(rows).to_have_count(len(listed) + len(set(prices) - listed))
    # A licence right-sizing could move holders to, which the tenant does not hold, can be priced too.
    assert any(t["name"] == "Exchange Online (Plan 1)" for t in targets)
    for target in targets:
        row = rows.filter(has_text=target["name"])
        expect(row.first).to_contain_text("None (a right-sizing target)")
        price = prices.get(target["sku_id"].lower())
        currency = price["currency"] if price else "GBP"
        field = page.get_by_label(f"Monthly price of {target['name']} ({currency})")
        expect(field).to_have_value("" if price is None else f"{price['monthly']:g}")
    for sku in skus:
        price = prices.get(sku["sku_id"].lower())
        field = page.get_by_label(f"Monthly price of {sku['name']} ({price['currency'] if price else 'GBP'})")
        expect(field).to_have_value("" if price is None else f"{price['monthly']:g}")
    assert any(sku["sku_id"].lower() in prices for sku in skus), "the demo prices some of the tenant's SKUs"
    expect(page.get_by_label(f"{groups.get('inactivity_days') or 90} days")).to_be_checked()
    for name, days in retention.items():
        expect(page.locator(f"input[name={name}]")).to_have_value(str(days))
