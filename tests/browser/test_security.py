"""Security (admins): the posture and Secure Score the API computed, every check in its status group
with its baseline id, a failing check's evidence and the accounts the findings report lists for it, and
the waste × risk list."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, BrowserStack, Members, screenshot
from tests.browser.en_gb import cell, count, number, percent

STATUS_ORDER = ("fail", "warn", "pass", "not_applicable")
SEVERITY_ORDER = ("high", "medium", "low")


def test_security_shows_the_api_posture_checks_and_findings(members: Members, stack: BrowserStack) -> None:
    assurance = stack.get(ADMIN, "/insights/assurance").json()
    findings = stack.get(ADMIN, "/reports/assurance-findings").json()["rows"]
    waste_risk = stack.get(ADMIN, "/reports/waste-risk").json()["rows"]
    posture, score = assurance["posture"], assurance["secure_score"]

    page = members.open(ADMIN, "/security")

    expect(page.get_by_test_id("figure-posture-score")).to_have_text(f"{count(posture['score'])} / 100")
    expect(page.get_by_test_id("figure-secure-score")).to_have_text(
        f"{number(score['current'])} / {number(score['maximum'])}"
    )
    expect(page.locator("[data-figure=secure-score]")).to_contain_text(percent(score["pct"]))
    # Every check is in its status group, groups in order, high severity first within each.
    for status in STATUS_ORDER:
        expected = sorted(
            (check for check in assurance["checks"] if check["status"] == status),
            key=lambda check: SEVERITY_ORDER.index(check["severity"]),
        )
        shown = page.locator(f"[data-status-group={status}] [data-check]")
        expect(shown).to_have_count(len(expected))
        ids = [item.get_attribute("data-check") for item in shown.all()]
        assert [ids.index(check["id"]) for check in expected] == sorted(range(len(expected)))
        for check in expected:
            header = page.locator(f'[data-check="{check["id"]}"]').get_by_role("button")
            expect(header).to_contain_text(check["title"])
            if check["baseline"]:
                expect(header).to_contain_text(check["baseline"])

    screenshot(page, "security", full_page=False)

    failing = next(check for check in assurance["checks"] if check["status"] == "fail")
    item = page.locator(f'[data-check="{failing["id"]}"]')
    item.get_by_role("button").first.click()
    for name, value in failing["evidence"].items():
        expect(item.locator(f'[data-evidence="{name}"] dd')).to_have_text(cell(value))
    expect(item).to_contain_text(failing["remediation"])
    listed = [row for row in findings if row["check_id"] == failing["id"]]
    expect(item.get_by_test_id("findings-count")).to_contain_text(
        f"{count(len(listed))} rows" if len(listed) != 1 else "1 row"
    )

    expect(page.get_by_test_id("waste-risk-count")).to_contain_text(f"{count(len(waste_risk))} rows")
    first = page.locator("[data-section=waste-risk] [data-testid=report-table] tbody tr").first
    expect(first).to_contain_text(waste_risk[0]["user_principal_name"])
