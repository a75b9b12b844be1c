"""Licences: the per-SKU table shows the API's numbers; admins get the reclaimable list, whose CSV
download has the same rows as the JSON report; a user sees neither list nor download."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, USER, BrowserStack, Members, screenshot, sign_in

RECLAIMABLE = "/reports/reclaimable-licences"


def test_sku_table_matches_the_api_after_a_deep_link(page: Page, stack: BrowserStack) -> None:
    skus = stack.get(ADMIN, "/insights/utilisation").json()["skus"]

    sign_in(page, stack, ADMIN, path="/licences")  # signing in returns to the deep link

    assert page.url.endswith("/licences")
    expect(page.get_by_role("heading", name="Licences", level=1)).to_be_visible()
    for sku in skus:
        cells = page.locator(f'[data-testid=sku-table] tr[data-sku="{sku["sku_part_number"]}"] td')
        expect(cells.nth(0)).to_have_text(sku["name"])
        expect(cells.nth(1)).to_have_text(f"{sku['purchased']:,}")
        expect(cells.nth(3)).to_have_text(f"{sku['active']:,}")
        expect(cells.nth(4)).to_have_text(f"{sku['inactive']:,}")
        expect(cells.nth(5)).to_have_text(f"{sku['disabled']:,}")
        expect(cells.nth(6)).to_have_text(f"{sku['unassigned']:,}")
    # The seat chart's legend names each category once, not once per licence drawn.
    legend = page.get_by_role("listbox").filter(has=page.get_by_role("option", name="Unassigned", exact=True))
    expect(legend.get_by_role("option")).to_have_text(["Active", "Inactive", "Disabled", "Unassigned"])
    screenshot(page, "licences", full_page=False)


def test_csv_download_has_the_rows_of_the_json_report(members: Members, stack: BrowserStack) -> None:
    report = stack.get(ADMIN, RECLAIMABLE).json()
    page = members.open(ADMIN, "/licences")
    expect(page.get_by_test_id("reclaimable-count")).to_contain_text(
        f"{len(report['rows']):,} of {len(report['rows']):,} rows"
    )

    with page.expect_download() as started:
        page.get_by_role("button", name="Download CSV").click()
    download = started.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))

    assert len(rows) == len(report["rows"])
    key = ("user_principal_name", "sku_id", "reason", "seats")
    from_csv = [tuple(row[name] for name in key) for row in rows]
    from_json = [tuple("" if row[name] is None else str(row[name]) for name in key) for row in report["rows"]]
    assert from_csv == from_json


def test_a_user_sees_no_reclaimable_list(members: Members) -> None:
    page = members.open(USER, "/licences")
    expect(page.get_by_test_id("sku-table")).to_be_visible()
    expect(page.get_by_role("heading", name="Reclaimable licences")).to_have_count(0)
    expect(page.get_by_role("button", name="Download CSV")).to_have_count(0)
