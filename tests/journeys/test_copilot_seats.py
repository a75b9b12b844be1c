"""Journey: finance asks "who has a Copilot seat and does not use it?". After the first refresh the
utilisation figures carry a Copilot section any member can read, and an admin's reclaimable-licences report
names the people whose Copilot seat sits unused; a `user` sees the figures but not the people."""

from __future__ import annotations

from typing import Any

from tests.journeys.conftest import Person, Stack

THRESHOLD = 30


def _copilot(person: Person) -> dict[str, Any]:
    summary = person.get("/insights/utilisation")
    assert summary.status_code == 200, summary.text
    section: dict[str, Any] = summary.json()["copilot"]
    return section


def test_copilot_seats_and_the_people_who_leave_theirs_unused(stack: Stack):
    admin = stack.sign_up()
    assert stack.connect_good_tenant(admin).status_code == 200
    tenant = stack.simulator.tenant
    truth = tenant.ground_truth
    prices = {"prices": {tenant.copilot_sku: {"currency": "GBP", "monthly": 24.6}}}
    assert admin.call("PUT", "/metadata/prices", json=prices).status_code == 200
    run_id = admin.call("POST", "/integrations/m365/refresh").json()["run_id"]
    assert stack.wait_for_run(admin, run_id)["state"] == "published"

    copilot = _copilot(admin)
    assert copilot["state"] == "measured" and copilot["message"] is None
    assert copilot["assigned"] == copilot["reported_users"] == truth.copilot_holders > 0
    surfaces = {s["surface"]: s for s in copilot["surfaces"]}
    assert surfaces["any"]["active_28"] == truth.copilot_active["any"][28]
    assert surfaces["copilot_chat"]["active_7"] == truth.copilot_active["copilot_chat"][7]
    assert copilot["inactive_seats"] == truth.copilot_idle
    # The synthetic tenant's Copilot seats are a trial: unused, they still cost nothing today.
    assert copilot["monthly_cost_inactive"] == [{"currency": "GBP", "amount": 0.0}]
    assert len(copilot["trend"]) == 90

    report = admin.get("/reports/reclaimable-licences")
    assert report.status_code == 200, report.text
    unused = {r["user_principal_name"] for r in report.json()["rows"] if r["reason"] == "copilot_inactive"}
    expected = {
        a.upn
        for a in tenant.accounts()
        if a.copilot is not None
        and a.enabled
        and (last := a.activity.last_any()) is not None
        and last <= THRESHOLD
        and (a.copilot.last_age is None or a.copilot.last_age > THRESHOLD)
    }
    assert unused == expected

    reader = stack.join(admin, "user")
    assert _copilot(reader) == copilot  # the same aggregates for every role
    assert reader.get("/reports/reclaimable-licences").status_code == 403  # people: admins only
