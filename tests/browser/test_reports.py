"""Reports: the catalogue is the API's for the role (a user never sees a person-level report), the
preview shows the report's rows, and the CSV download has the JSON report's rows."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, USER, BrowserStack, Members
from tests.browser.en_gb import cell


def test_catalogue_preview_and_csv_match_the_api(members: Members, stack: BrowserStack) -> None:
    for email in (USER, ADMIN):
        catalogue = [report["id"] for report in stack.get(email, "/reports").json()["items"]]
        page = members.open(email, "/reports")
        shown = page.locator("[data-testid=catalogue] [data-report]")
        expect(shown).to_have_count(len(catalogue))
        assert [item.get_attribute("data-report") for item in shown.all()] == catalogue
    user_catalogue = stack.get(USER, "/reports").json()["items"]
    assert not [report for report in user_catalogue if report["person_level"]]

    report = stack.get(USER, "/reports/sku-utilisation").json()
    page = members.open(USER, "/reports?report=sku-utilisation")
    expect(page.get_by_test_id("preview-count")).to_contain_text(f"{len(report['rows'])} row")
    first = page.locator("[data-section=preview] [data-testid=report-table] tbody tr").first
    expect(first.locator("td")).to_have_text([cell(report["rows"][0][name]) for name in report["columns"]])

    with page.expect_download() as started:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(started.value.path().read_text(encoding="utf-8-sig"))))
    assert [row["sku_id"] for row in rows] == [row["sku_id"] for row in report["rows"]]
    assert list(rows[0]) == report["columns"]


def test_a_user_cannot_preview_a_person_level_report(members: Members) -> None:
    page = members.open(USER, "/reports?report=reclaimable-licences")
    expect(page.get_by_role("heading", name="Choose a report")).to_be_visible()
