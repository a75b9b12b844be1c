"""Journey: a customer asks Insight365 for help with a figure; support asks for access, the customer's
super admin approves it, support reads the same figures (and can change nothing), the customer sees
every read in their audit log and revokes the grant, and support is shut out again."""

from __future__ import annotations

from tests.journeys.conftest import Person, Stack


def _published(stack: Stack, founder: Person) -> None:
    assert stack.connect_good_tenant(founder).status_code == 200
    refresh = founder.call("POST", "/integrations/m365/refresh")
    assert refresh.status_code == 202, refresh.text
    assert stack.wait_for_run(founder, refresh.json()["run_id"])["state"] == "published"


def _as_support(operator: Person, grant_id: str, method: str, path: str, **kwargs: object) -> int:
    return operator.call(method, path, headers={"X-Support-Grant": grant_id}, **kwargs).status_code


def test_support_reads_only_what_the_customer_approved_for_as_long_as_they_allow(stack: Stack) -> None:
    founder = stack.sign_up()
    _published(stack, founder)
    org_id = founder.get("/organisation").json()["org_id"]
    operator = stack.operator()

    # Before anyone asks, and while the request waits, support sees nothing of the customer's.
    assert operator.get("/insights/utilisation").status_code == 403
    asked = operator.call(
        "POST",
        "/platform/support-requests",
        json={
            "org_id": org_id,
            "reason": "Customer ticket 1207: licence totals look low",
            "duration_hours": 24,
        },
    )
    assert asked.status_code == 201, asked.text
    grant_id = asked.json()["grant_id"]
    assert _as_support(operator, grant_id, "GET", "/insights/utilisation") == 403

    # The customer's super admin sees the pending request with its reason, and approves it.
    pending = founder.get("/support-access").json()["items"]
    assert [(item["grant_id"], item["state"], item["reason"]) for item in pending] == [
        (grant_id, "pending", "Customer ticket 1207: licence totals look low")
    ]
    approved = founder.call("POST", f"/support-access/{grant_id}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "active", approved.text

    # Support reads the same figures the customer sees; nothing else, and changes nothing.
    seen = operator.get("/insights/utilisation", headers={"X-Support-Grant": grant_id})
    assert seen.status_code == 200 and seen.json() == founder.get("/insights/utilisation").json()
    report = operator.get("/reports/reclaimable-licences", headers={"X-Support-Grant": grant_id})
    assert report.status_code == 200 and report.json() == founder.get("/reports/reclaimable-licences").json()
    assert _as_support(operator, grant_id, "GET", "/members") == 403
    assert _as_support(operator, grant_id, "GET", "/audit") == 403
    assert (
        _as_support(operator, grant_id, "PATCH", "/organisation", json={"name": "Changed by support"}) == 403
    )
    assert _as_support(operator, grant_id, "POST", "/integrations/m365/refresh") == 403

    # The customer's audit log names every read and the refused write, with the grant.
    rows = founder.get("/audit", params={"page_size": 500}).json()["items"]
    under_grant = [(row["action"], row["status"]) for row in rows if row.get("support_grant_id") == grant_id]
    for expected in (
        ("POST /api/v1/platform/support-requests", 201),
        ("POST /api/v1/support-access/{grant_id}/approve", 200),
        ("GET /api/v1/insights/utilisation", 200),
        ("GET /api/v1/reports/{report_id}", 200),
        ("PATCH /api/v1/organisation", 403),
    ):
        assert expected in under_grant, expected

    # Revoked: shut out at once, and the customer sees it among past grants.
    assert founder.call("POST", f"/support-access/{grant_id}/revoke").json()["state"] == "revoked"
    assert _as_support(operator, grant_id, "GET", "/insights/utilisation") == 403
    assert [item["state"] for item in founder.get("/support-access").json()["items"]] == ["revoked"]
