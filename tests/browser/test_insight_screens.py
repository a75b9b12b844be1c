"""Adoption and Productivity show the API's figures: per workload over 7, 30 and 90 days, apps by
platform, groups (suppressed ones said to be so), and productivity medians and p90s."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import USER, BrowserStack, Members
from tests.browser.en_gb import count, number, percent

ADOPTION_SUPPRESSED = "Suppressed: fewer than 5 people"
PRODUCTIVITY_SUPPRESSED = "Suppressed: fewer than 5 active users"


def row_cells(page: Page, table: str, key: str) -> list[str]:
    return page.locator(f'[data-testid={table}] tr[data-row="{key}"] td').all_inner_texts()


def test_adoption_matches_the_api_in_each_period(members: Members, stack: BrowserStack) -> None:
    adoption = stack.get(USER, "/insights/adoption").json()
    page = members.open(USER, "/adoption")

    for days in (30, 7, 90):
        page.get_by_role("tab", name=f"{days} days").click()
        for workload in adoption["workloads"]:
            cells = page.locator(f'[data-testid=workloads] tr[data-row="{workload["workload"]}"] td')
            expect(cells.nth(1)).to_have_text(count(workload["licensed"]))
            expect(cells.nth(2)).to_have_text(count(workload[f"active_{days}"]))
            expect(cells.nth(3)).to_have_text(percent(workload["adoption_pct"]))
    for platform, people in adoption["apps_by_platform"].items():
        assert row_cells(page, "apps-by-platform", platform) == [platform, count(people)]

    assert adoption["groups_available"], "the simulator's tenant has departments and names"
    titles = [workload["workload"] for workload in adoption["workloads"]]
    for group in adoption["groups"]:
        cells = row_cells(page, "adoption-groups", group["group"])
        assert cells[1] == count(group["people"])
        if group["suppressed"]:
            assert cells[2:] == [ADOPTION_SUPPRESSED] * len(titles)
        else:
            assert cells[2:] == [percent(group["workloads"][key]["adoption_pct"]) for key in titles]
    assert any(group["suppressed"] for group in adoption["groups"]), "the tenant has a group under 5 people"


def test_productivity_matches_the_api(members: Members, stack: BrowserStack) -> None:
    productivity = stack.get(USER, "/insights/productivity").json()
    page = members.open(USER, "/productivity")

    def shown(value: float | None) -> str:
        return "Not available" if value is None else number(value)

    for metric in productivity["metrics"]:
        cells = page.locator(f'[data-testid=metrics] tr[data-row="{metric["metric"]}"] td')
        expect(cells.nth(0)).to_have_text(metric["title"])
        expect(cells.nth(3)).to_have_text(count(metric["active_users"]))
        expect(cells.nth(6)).to_have_text(shown(metric["median"]))
        expect(cells.nth(7)).to_have_text(shown(metric["p90"]))

    metric = productivity["metrics"][0]["metric"]
    for group in productivity["groups"]:
        cells = page.locator(f'[data-testid=productivity-groups] tr[data-row="{group["group"]}"] td')
        expect(cells.nth(1)).to_have_text(count(group["active_users"]))
        if group["suppressed"]:
            expect(cells.nth(2)).to_have_text(PRODUCTIVITY_SUPPRESSED)
        elif metric in group["metrics"]:
            expect(cells.nth(2)).to_have_text(shown(group["metrics"][metric]["median"]))
            expect(cells.nth(3)).to_have_text(shown(group["metrics"][metric]["p90"]))
