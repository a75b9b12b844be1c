"""Refresh: the runs with their per-dataset progress as the API reports them; "Refresh now" shows the
API's Retry-After when it is too soon."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import SUPER, BrowserStack, Members

DONE = ("complete", "unavailable")


def test_runs_show_the_api_progress_and_refresh_now_says_when(members: Members, stack: BrowserStack) -> None:
    run = stack.get(SUPER, "/runs").json()["items"][0]
    done = sum(1 for dataset in run["datasets"].values() if dataset["status"] in DONE)

    page = members.open(SUPER, "/refresh")

    card = page.locator(f'[data-run="{run["run_id"]}"]')
    expect(card).to_have_attribute("data-state", "published")
    expect(card.get_by_test_id("run-progress")).to_have_text(
        f"{done} of {len(run['datasets'])} datasets collected"
    )
    for name, dataset in run["datasets"].items():
        expect(card.locator(f'tr[data-dataset="{name}"] td').nth(1)).to_have_text(dataset["status"])
    # The run's warnings are codes; the card says them in words, right-sizing's once, pointing to Licences.
    assert any(code.startswith("rightsizing_") for code in run["warnings"])
    expect(
        card.get_by_text("Right-sizing could not recommend everything: the Licences screen says why.")
    ).to_be_visible()
    for code in run["warnings"]:
        expect(card.get_by_text(code, exact=True)).to_have_count(0)

    page.get_by_role("button", name="Refresh now").click()
    expect(page.get_by_test_id("refresh-outcome")).to_have_text(
        re.compile(r"You can refresh again in \d+ (minutes?|seconds?)\.$")
    )
