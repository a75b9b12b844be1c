"""The savings ledger and right-sizing through the API: aggregates for every member, person-level rows for
admins only, each organisation seeing only its own ledger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.insights import ComputeSettings, InsightStore, compute
from shared.insights.ledger import record_savings
from shared.services import Services
from shared.storage import OrgContainer, TenantContext
from tests.integration.api.conftest import Org, People
from tests.unit.insights.snapshot_builder import tenant, write_snapshot
from tests.unit.insights.test_rightsizing import PRICES, settings

SPEC = {"rightsizing_plants": True}


def _publish_two_runs(org: Org, services: Services) -> tuple[date, date]:
    org_id = org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"]
    context = TenantContext(org_id)
    container = OrgContainer(services.storage, context)
    store = InsightStore.for_tenant(services.storage, context, services.page_signer, services.clock)
    second = services.clock().date() - timedelta(days=1)
    first = second - timedelta(days=7)
    prices: ComputeSettings = settings(PRICES)
    for day, run_id, extra in ((first, "first", {}), (second, "second", {"second_run": True})):
        write_snapshot(container, tenant(3, 400, as_of=day, **SPEC, **extra), run_id)
        run = compute(container, as_of=day, run_id=run_id, settings=prices, now=services.clock())
        record_savings(run, store)
        store.publish(run)
    return first, second


@pytest.fixture(scope="module")
def savings_org(people: People, services: Services) -> tuple[Org, date, date]:
    org = people.organisation("Savings Ledger")
    first, second = _publish_two_runs(org, services)
    return org, first, second


def test_every_member_reads_the_ledger_and_the_moves(savings_org: tuple[Org, date, date]) -> None:
    org, first, second = savings_org
    body = org.user.call("GET", "/api/v1/insights/utilisation/savings").json()
    assert body["entries"] > 0 and body["currency"] == "GBP"
    assert body["realised_total"]["amount"] == pytest.approx(sum(body["by_kind"].values()))
    assert {"reclaimed", "rightsized"} <= set(body["by_kind"])
    assert body["potential_now"]["currency"] == "GBP"
    moves = org.user.call("GET", "/api/v1/insights/utilisation").json()["rightsizing"]
    assert moves and all("could move from" in m["summary"] for m in moves)
    ranged = org.user.call("GET", f"/api/v1/insights/utilisation/savings?from={second}&to={second}").json()
    assert ranged["entries"] == body["entries"]  # realised by the second run
    before = org.user.call("GET", f"/api/v1/insights/utilisation/savings?from={first}&to={first}").json()
    assert before["entries"] == 0 and before["realised_total"] is None


def test_person_level_rows_need_admin(savings_org: tuple[Org, date, date]) -> None:
    org, _, _ = savings_org
    for report in ("realised-savings", "rightsizing-recommendations"):
        assert org.user.call("GET", f"/api/v1/reports/{report}").status == 403
        rows = org.admin.call("GET", f"/api/v1/reports/{report}").json()["rows"]
        assert rows and all(row["user_principal_name"] or row["kind"] == "seats_dropped" for row in rows)


def test_another_organisation_sees_no_ledger(savings_org: tuple[Org, date, date], people: People) -> None:
    other = people.organisation("Savings Elsewhere")
    body = other.user.call("GET", "/api/v1/insights/utilisation/savings").json()
    assert body["entries"] == 0 and body["months"] == []


def test_a_bad_range_is_422(savings_org: tuple[Org, date, date]) -> None:
    org, first, second = savings_org
    assert (
        org.user.call("GET", f"/api/v1/insights/utilisation/savings?from={second}&to={first}").status == 422
    )
    assert (
        org.user.call("GET", "/api/v1/insights/utilisation/savings?from=2020-01-01&to=2026-01-01").status
        == 422
    )
