"""A new organisation's super admin gets started: connects the simulator's tenant (the connection test's
result per permission, as the API stored it), watches the first refresh publish, prices a licence the
refresh found, sets the inactivity threshold and applies both; then tests and disconnects the tenant on
the Integration screen, and cannot erase themself while they are the last super admin."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserStack, new_organisation, read_again, session_headers

PRICE = 12.5


def test_a_new_organisation_gets_started_then_disconnects(page: Page, stack: BrowserStack) -> None:
    new_organisation(page, stack, "Fabrikam Fresh")
    headers = session_headers(page)

    def api(path: str) -> dict:  # type: ignore[type-arg]
        answer = stack.client.get(f"{stack.api}{path}", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    expect(page.get_by_role("region", name="No tenant connected yet")).to_be_visible()
    page.get_by_role("link", name="Get started").click()

    page.locator("input[name=tenant_id]").fill(stack.graph.tenant_id)
    page.locator("input[name=client_id]").fill(stack.graph.client_id)
    page.locator("input[name=client_secret]").fill(stack.graph.client_secret)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("connected-tenant")).to_contain_text(stack.graph.tenant_id)
    for check in api("/integrations/m365")["permissions"]:
        expect(
            page.locator(f'[data-testid=permissions] tr[data-row="{check["permission"]}"] td').nth(3)
        ).to_have_text(check["status"])
    assert "client_secret" not in api("/integrations/m365")  # write-only
    page.get_by_role("button", name="Next").click()

    page.get_by_role("button", name="Start the first refresh").click()
    expect(page.locator("[data-run]")).to_have_attribute("data-state", "published", timeout=180_000)
    page.get_by_role("button", name="Next").click()

    sku = next(sku for sku in api("/insights/utilisation")["skus"] if not sku["free"] and sku["purchased"])
    price = page.get_by_label(f"Monthly price of {sku['name']} (GBP)")
    expect(price).to_have_value("")
    price.fill(str(PRICE))
    with read_again(page, "/metadata/prices"):
        page.get_by_role("button", name="Save prices").click()
    expect(page.get_by_test_id("prices-saved")).to_be_visible()
    assert api("/metadata/prices")["prices"][sku["sku_id"].lower()] == {"currency": "GBP", "monthly": PRICE}
    page.get_by_role("button", name="Next").click()

    page.get_by_label("60 days").check()
    with read_again(page, "/metadata/groups"):
        page.get_by_role("button", name="Save threshold").click()
    expect(page.get_by_test_id("groups-saved")).to_be_visible()
    assert api("/metadata/groups")["inactivity_days"] == 60
    page.get_by_role("button", name="Next").click()

    page.get_by_role("button", name="Apply the settings").click()
    expect(page.get_by_test_id("get-started-done")).to_contain_text("All set.", timeout=60_000)
    recomputed = api("/insights/utilisation")
    assert recomputed["threshold_days"] == 60
    priced = next(item for item in recomputed["skus"] if item["sku_id"] == sku["sku_id"])
    assert priced["monthly_waste"] is None or priced["monthly_waste"]["currency"] == "GBP"

    page.get_by_role("link", name="Integration").click()
    expect(page.get_by_test_id("integration-status")).to_have_attribute("data-status", "connected")
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_test_id("test-result")).to_contain_text("The connection works")
    page.get_by_role("button", name="Disconnect").click()
    page.get_by_role("dialog").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("region", name="No tenant connected yet")).to_be_visible()
    assert api("/integrations/m365")["status"] == "disconnected"

    # The last super admin cannot leave: the API's problem, in its own words.
    page.get_by_role("link", name="My account").click()
    page.get_by_role("button", name="Erase me").click()
    page.get_by_role("dialog").get_by_role("button", name="Erase me").click()
    expect(page.locator("[data-section=your-data] [data-state=error]")).to_be_visible()
    assert api("/me")["status"] == "active"
