"""Risk acceptances over the API: admin only, ETags on change, 12-month limit, only what fails, audited;
and the changes route."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.audit import AuditFilter, AuditLog
from shared.insights import ComputeSettings, InsightStore, compute
from shared.insights.acceptance import latest_expiry
from shared.services import Services
from shared.storage import OrgContainer, TenantContext
from tests.integration.api.conftest import Org, People
from tests.unit.insights.snapshot_builder import tenant, write_snapshot

ROUTE = "/api/v1/insights/assurance/acceptances"


@pytest.fixture(scope="module")
def published(people: People, services: Services) -> tuple[Org, TenantContext, dict[str, str]]:
    org = people.organisation("Acceptance Org")
    org_id = org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"]
    context = TenantContext(org_id)
    container = OrgContainer(services.storage, context)
    as_of = services.clock().date() - timedelta(days=1)
    write_snapshot(container, tenant(3, 150, as_of=as_of), "acc-run")
    run = compute(container, as_of=as_of, run_id="acc-run", settings=ComputeSettings(), now=services.clock())
    store = InsightStore.for_tenant(services.storage, context, services.page_signer, services.clock)
    store.publish(run)
    finding = next(iter(store.iter_report("assurance-findings") or ()))
    return org, context, finding


def _body(check_id: str, expires: str, subject_id: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "check_id": check_id,
        "reason": "known gap",
        "owner": "IT",
        "expires_on": expires,
    }
    if subject_id:
        body["subject_id"] = subject_id
    return body


def test_accept_change_and_revoke_with_etags_admin_only(
    published: tuple[Org, TenantContext, dict[str, str]], services: Services
) -> None:
    org, context, finding = published
    today = services.clock().date()
    body = _body(finding["check_id"], (today + timedelta(days=30)).isoformat(), finding["subject_id"])
    assert org.user.call("POST", ROUTE, body=body).status == 403
    assert org.user.call("GET", ROUTE).status == 403
    too_late = _body(finding["check_id"], (latest_expiry(today) + timedelta(days=1)).isoformat())
    assert org.admin.call("POST", ROUTE, body=too_late).status == 422
    assert (
        org.admin.call(
            "POST", ROUTE, body=_body(finding["check_id"], (today - timedelta(1)).isoformat())
        ).status
        == 422
    )
    assert org.admin.call("POST", ROUTE, body=_body("no-such-check", today.isoformat())).status == 422
    stranger = _body(finding["check_id"], today.isoformat(), "00000000-0000-4000-8000-000000000000")
    assert org.admin.call("POST", ROUTE, body=stranger).status == 409  # not a finding of the current run
    created = org.admin.call("POST", ROUTE, body=body)
    assert created.status == 201, created.body
    acceptance = created.json()
    assert acceptance["state"] == "active" and acceptance["subject_id"] == finding["subject_id"]
    assert org.admin.call("POST", ROUTE, body=body).status == 409  # one active acceptance per finding
    one = f"{ROUTE}/{acceptance['acceptance_id']}"
    etag = created.headers["ETag"]
    change = {"owner": "Security team"}
    assert org.admin.call("PATCH", one, body=change).status == 428
    assert org.admin.call("PATCH", one, body=change, headers={"If-Match": '"stale"'}).status == 412
    changed = org.admin.call("PATCH", one, body=change, headers={"If-Match": etag})
    assert changed.status == 200 and changed.json()["owner"] == "Security team"
    assert org.admin.call("POST", f"{one}/revoke", headers={"If-Match": etag}).status == 412  # old version
    revoked = org.admin.call("POST", f"{one}/revoke", headers={"If-Match": changed.headers["ETag"]})
    assert revoked.status == 200 and revoked.json()["state"] == "revoked"
    listed = org.admin.call("GET", ROUTE).json()["acceptances"]
    assert [a["state"] for a in listed if a["acceptance_id"] == acceptance["acceptance_id"]] == ["revoked"]
    log = AuditLog(services.storage, context, services.page_signer, clock=services.clock)
    targets = {(e.action, e.target) for e in log.iter_entries(AuditFilter()) if "acceptances" in e.action}
    expected = f"acceptance_id={acceptance['acceptance_id']},check_id={finding['check_id']}"
    assert {action.split(" ")[0] for action, target in targets if target == expected} == {"POST", "PATCH"}


def test_changes_route_serves_a_run_and_a_range(
    published: tuple[Org, TenantContext, dict[str, str]], services: Services
) -> None:
    org, _, _ = published
    assert org.user.call("GET", "/api/v1/insights/assurance/changes").status == 403
    current = org.admin.call("GET", "/api/v1/insights/assurance/changes")
    assert current.status == 200, current.body
    (run,) = current.json()["runs"]
    assert run["run_id"] == "acc-run" and run["rows"] == []
    day = run["as_of"]
    ranged = org.admin.call("GET", f"/api/v1/insights/assurance/changes?from={day}&to={day}")
    assert ranged.status == 200 and [r["run_id"] for r in ranged.json()["runs"]] == ["acc-run"]
    too_long = org.admin.call("GET", "/api/v1/insights/assurance/changes?from=2026-01-01&to=2026-03-01")
    assert too_long.status == 422
