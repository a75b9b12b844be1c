"""Journey: a customer reads the first figures, then sets prices, the inactivity threshold and groups, and
"refresh now" shows the figures those settings give, at once (the published run is recomputed from its
snapshot; no second collection is needed within the 15-minute limit)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.insights.engine import NO_DEPARTMENT
from tests.journeys.conftest import Person, Stack


def _replace(admin: Person, path: str, body: dict[str, Any]) -> None:
    etag = admin.get(path).headers.get("ETag")
    replaced = admin.call("PUT", path, json=body, headers={"If-Match": etag} if etag else {})
    assert replaced.status_code == 200, replaced.text


def _recompute(stack: Stack, admin: Person) -> str:
    accepted = admin.call("POST", "/integrations/m365/refresh")
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["action"] == "recompute"
    run = stack.wait_for_run(admin, accepted.json()["run_id"])
    assert run["state"] == "published", run
    return str(run["run_id"])


def _utilisation(admin: Person, run_id: str) -> dict[str, Any]:
    summary: dict[str, Any] = admin.get("/insights/utilisation").json()
    assert summary["run_id"] == run_id
    return summary


def test_new_prices_threshold_and_groups_show_after_refresh_now(stack: Stack):
    admin = stack.sign_up()
    assert stack.connect_good_tenant(admin).status_code == 200
    first = admin.call("POST", "/integrations/m365/refresh").json()["run_id"]
    assert stack.wait_for_run(admin, first)["state"] == "published"
    before = _utilisation(admin, first)
    assert before["threshold_days"] == 30
    # The SKU with the most seats wasted; no price yet, so its waste is counted in seats only.
    sku = max((s for s in before["skus"] if not s["free"]), key=lambda s: s["waste_seats"])
    assert sku["waste_seats"] > 0 and sku["monthly_waste"] is None

    # Nothing changed: no new figures to compute, and the collection limit holds.
    assert admin.call("POST", "/integrations/m365/refresh").status_code == 429

    _replace(admin, "/metadata/prices", {"prices": {sku["sku_id"]: {"currency": "GBP", "monthly": 12.5}}})
    priced = _utilisation(admin, _recompute(stack, admin))
    row = next(s for s in priced["skus"] if s["sku_id"] == sku["sku_id"])
    assert row["waste_seats"] == sku["waste_seats"]  # same snapshot, same seats
    assert row["monthly_price"] == {"currency": "GBP", "amount": 12.5}
    assert row["monthly_waste"]["amount"] == pytest.approx(sku["waste_seats"] * 12.5)

    _replace(admin, "/metadata/prices", {"prices": {sku["sku_id"]: {"currency": "GBP", "monthly": 25.0}}})
    repriced = _utilisation(admin, _recompute(stack, admin))
    row = next(s for s in repriced["skus"] if s["sku_id"] == sku["sku_id"])
    assert row["monthly_waste"]["amount"] == pytest.approx(sku["waste_seats"] * 25.0)

    _replace(admin, "/metadata/groups", {"departments": {}, "inactivity_days": 90})
    stricter = _utilisation(admin, _recompute(stack, admin))
    assert stricter["threshold_days"] == 90
    # Inactive now means 90 days without activity: the count the first run gave for 90 days.
    assert stricter["totals"]["inactive_accounts"] == before["inactive_licensed"]["90"]
    assert stricter["totals"]["inactive_accounts"] <= before["totals"]["inactive_accounts"]

    departments = {g["group"] for g in admin.get("/insights/adoption").json()["groups"]} - {NO_DEPARTMENT}
    assert len(departments) > 1, "the synthetic tenant has departments"
    mapping = dict.fromkeys(departments, "Everyone")
    _replace(admin, "/metadata/groups", {"departments": mapping, "inactivity_days": 90})
    regrouped_run = _recompute(stack, admin)
    adoption = admin.get("/insights/adoption").json()
    assert adoption["run_id"] == regrouped_run
    groups = {g["group"]: g for g in adoption["groups"]}
    assert set(groups) <= {"Everyone", NO_DEPARTMENT} and "Everyone" in groups
    assert groups["Everyone"]["suppressed"] is False and groups["Everyone"]["people"] >= 5
