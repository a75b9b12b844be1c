"""Support access the customer controls: an operator asks with a reason, only the organisation's super
admin approves, for at most 72 hours and read-only; revoked or expired, it is refused again; every step
is in the organisation's audit log and the platform's."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.platform.support import REQUEST_LIFETIME, SupportGrant
from shared.services import Services
from tests.integration.api.client import Actor, FakeClock, Response
from tests.integration.api.conftest import Org, People
from tests.integration.api.test_insights_and_reports import Published, _publish

READABLE = (
    "/api/v1/insights/utilisation",
    "/api/v1/insights/assurance",
    "/api/v1/insights/adoption/trend",
    "/api/v1/reports",
    "/api/v1/reports/reclaimable-licences",
    "/api/v1/reports/reclaimable-licences?format=csv",
)
# Everything else a member may do, reads and writes alike, stays closed under a grant.
CLOSED: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/api/v1/members", None),
    ("GET", "/api/v1/audit", None),
    ("GET", "/api/v1/organisation", None),
    ("GET", "/api/v1/me", None),
    ("GET", "/api/v1/support-access", None),
    ("GET", "/api/v1/integrations/m365", None),
    ("PATCH", "/api/v1/organisation", {"name": "Hijacked"}),
    ("PUT", "/api/v1/metadata/groups", {"inactivity_days": 45}),
    ("POST", "/api/v1/integrations/m365/refresh", None),
    (
        "POST",
        "/api/v1/members",
        {"email": "x@example.test", "role": "admin", "first_name": "X", "last_name": "Y"},
    ),
    ("DELETE", "/api/v1/organisation", {"confirm_name": "x"}),
)


@pytest.fixture(scope="module")
def published(people: People, services: Services) -> Published:
    return _publish(
        people.organisation("Lockbox Ltd"),
        services,
        services.clock().date() - timedelta(days=1),
        "lockbox-run",
        seed=5,
    )


@pytest.fixture
def org(published: Published, people: People) -> Org:
    return people.signed_in(published.org)


def _org_id(org: Org) -> str:
    return str(org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"])


def _ask(operator: Actor, org: Org, hours: int = 4) -> dict[str, Any]:
    asked = operator.call(
        "POST",
        "/api/v1/platform/support-requests",
        body={
            "org_id": _org_id(org),
            "reason": "Ticket 4711: utilisation figures look wrong",
            "duration_hours": hours,
        },
    )
    assert asked.status == 201, asked.body
    return dict(asked.json())


def _under(operator: Actor, grant_id: str, method: str, url: str, body: Any = None) -> Response:
    return operator.call(method, url, body=body, headers={"x-support-grant": grant_id})


def _decide(org: Org, grant_id: str, decision: str) -> Response:
    return org.super_admin.call("POST", f"/api/v1/support-access/{grant_id}/{decision}")


def _approved(operator: Actor, org: Org, hours: int = 4) -> str:
    grant_id = str(_ask(operator, org, hours)["grant_id"])
    approved = _decide(org, grant_id, "approve")
    assert approved.status == 200 and approved.json()["state"] == "active", approved.body
    return grant_id


def _revoke_everything_open(operator: Actor, org: Org) -> None:
    """Each test starts without an open grant of this operator (one open request per organisation)."""
    for grant in org.admin.call("GET", "/api/v1/support-access").json()["items"]:
        if grant["requested_by"] == operator.member_id and grant["state"] in ("pending", "active"):
            assert _decide(org, grant["grant_id"], "revoke").status == 200


@pytest.fixture
def operator(people: People, org: Org) -> Actor:
    actor = people.operator("operator")
    _revoke_everything_open(actor, org)
    return actor


def test_without_an_approved_grant_an_operator_reads_nothing(operator: Actor, org: Org) -> None:
    pending = _ask(operator, org)
    assert pending["state"] == "pending"
    for grant_id in ("", "0" * 32, pending["grant_id"], "../x"):
        for url in READABLE:
            assert _under(operator, grant_id, "GET", url).status == 403, (grant_id, url)


def test_only_the_organisations_super_admin_decides(operator: Actor, org: Org, org_b: Org) -> None:
    grant_id = _ask(operator, org)["grant_id"]
    listed = org.admin.call("GET", "/api/v1/support-access")
    assert listed.status == 200
    # Other tests of this organisation asked too, possibly at the same instant of the test clock.
    asked = [item for item in listed.json()["items"] if item["grant_id"] == grant_id]
    assert [(item["state"], item["reason"]) for item in asked] == [
        ("pending", "Ticket 4711: utilisation figures look wrong")
    ]
    assert org.user.call("GET", "/api/v1/support-access").status == 403
    assert org.admin.call("POST", f"/api/v1/support-access/{grant_id}/approve").status == 403
    # Another organisation's super admin does not even see it.
    assert _decide(org_b, grant_id, "approve").status == 404
    assert org_b.admin.call("GET", f"/api/v1/support-access/{grant_id}").status == 404
    assert operator.call("POST", f"/api/v1/support-access/{grant_id}/approve").status == 403
    assert _decide(org, grant_id, "approve").json()["state"] == "active"


def test_an_approved_grant_reads_what_the_organisation_sees_and_nothing_else(
    operator: Actor, org: Org, people: People
) -> None:
    grant_id = _approved(operator, org)
    for url in READABLE:
        assert _under(operator, grant_id, "GET", url).status == 200, url
    seen = _under(operator, grant_id, "GET", "/api/v1/insights/utilisation")
    assert seen.json() == org.admin.call("GET", "/api/v1/insights/utilisation").json()
    report = _under(operator, grant_id, "GET", "/api/v1/reports/reclaimable-licences").json()
    assert report == org.admin.call("GET", "/api/v1/reports/reclaimable-licences").json()
    for method, url, body in CLOSED:
        assert _under(operator, grant_id, method, url, body).status == 403, (method, url)
    assert org.super_admin.call("GET", "/api/v1/organisation").json()["name"] == "Lockbox Ltd"
    # Only the operator who asked: a colleague with the same grant id is refused.
    colleague = people.operator("security_officer")
    assert _under(colleague, grant_id, "GET", "/api/v1/insights/utilisation").status == 403
    # A grant needs the operator's platform session too.
    sessionless = operator.call(
        "GET", "/api/v1/insights/utilisation", headers={"x-support-grant": grant_id, "x-session": ""}
    )
    assert sessionless.status == 401


def test_revoking_ends_access_at_once(operator: Actor, org: Org) -> None:
    grant_id = _approved(operator, org)
    assert _under(operator, grant_id, "GET", "/api/v1/reports").status == 200
    revoked = _decide(org, grant_id, "revoke")
    assert revoked.status == 200 and revoked.json()["state"] == "revoked"
    assert _under(operator, grant_id, "GET", "/api/v1/reports").status == 403
    assert _decide(org, grant_id, "revoke").status == 409
    assert _decide(org, grant_id, "approve").status == 409


def test_a_denied_request_never_opens(operator: Actor, org: Org) -> None:
    grant_id = _ask(operator, org)["grant_id"]
    assert _decide(org, grant_id, "deny").json()["state"] == "denied"
    assert _decide(org, grant_id, "approve").status == 409
    assert _under(operator, grant_id, "GET", "/api/v1/reports").status == 403


def test_a_grant_expires_after_its_hours(operator: Actor, org: Org, clock: FakeClock) -> None:
    with clock.travel():
        grant_id = _approved(operator, org, hours=1)
        clock.advance(minutes=31)  # sessions idle out after 60 minutes: keep both alive on the way
        assert _under(operator, grant_id, "GET", "/api/v1/reports").status == 200
        assert org.super_admin.call("GET", f"/api/v1/support-access/{grant_id}").json()["state"] == "active"
        clock.advance(minutes=30)
        assert _under(operator, grant_id, "GET", "/api/v1/reports").status == 403
        assert org.super_admin.call("GET", f"/api/v1/support-access/{grant_id}").json()["state"] == "expired"
        assert _decide(org, grant_id, "revoke").status == 409


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"duration_hours": 73}, 422),
        ({"duration_hours": 0}, 422),
        ({"reason": "help"}, 422),
        ({"reason": "Ticket 1\u202e evil"}, 422),
        ({"org_id": "0" * 32}, 404),
        ({"org_id": "f" * 32}, 404),
        ({"org_id": "../etc"}, 422),
    ],
)
def test_a_request_names_an_active_organisation_a_reason_and_at_most_72_hours(
    operator: Actor, org: Org, change: dict[str, Any], status: int
) -> None:
    body = {"org_id": _org_id(org), "reason": "Ticket 4712: a report is empty", "duration_hours": 72} | change
    assert operator.call("POST", "/api/v1/platform/support-requests", body=body).status == status


def test_one_open_request_per_operator_and_organisation(operator: Actor, org: Org) -> None:
    _ask(operator, org)
    again = operator.call(
        "POST",
        "/api/v1/platform/support-requests",
        body={"org_id": _org_id(org), "reason": "Ticket 4713: once more please"},
    )
    assert again.status == 409


def test_every_step_is_in_both_audit_logs(operator: Actor, org: Org, people: People) -> None:
    officer = people.operator("security_officer")
    asked = operator.call(
        "POST",
        "/api/v1/platform/support-requests",
        body={"org_id": _org_id(org), "reason": "Ticket 4714: audit both sides", "duration_hours": 2},
    )
    grant_id = asked.json()["grant_id"]
    approved = _decide(org, grant_id, "approve")
    read = _under(operator, grant_id, "GET", "/api/v1/reports/reclaimable-licences?format=csv")
    write = _under(operator, grant_id, "PATCH", "/api/v1/organisation", {"name": "Nope"})
    revoked = _decide(org, grant_id, "revoke")
    after = _under(operator, grant_id, "GET", "/api/v1/reports")
    expected = {
        asked.headers["X-Request-Id"]: ("POST /api/v1/platform/support-requests", operator.member_id, 201),
        approved.headers["X-Request-Id"]: (
            "POST /api/v1/support-access/{grant_id}/approve",
            org.super_admin.member_id,
            200,
        ),
        read.headers["X-Request-Id"]: ("GET /api/v1/reports/{report_id}", operator.member_id, 200),
        write.headers["X-Request-Id"]: ("PATCH /api/v1/organisation", operator.member_id, 403),
        revoked.headers["X-Request-Id"]: (
            "POST /api/v1/support-access/{grant_id}/revoke",
            org.super_admin.member_id,
            200,
        ),
    }
    for reader, url in ((org.admin, "/api/v1/audit"), (officer, "/api/v1/platform/audit")):
        rows = reader.call("GET", f"{url}?page_size=500").json()["items"]
        found = {
            row["request_id"]: (row["action"], row["actor_member_id"], row["status"])
            for row in rows
            if row.get("support_grant_id") == grant_id
        }
        assert found == expected, url
    # After revocation the grant is nobody's: the refusal is the platform's business only.
    assert after.status == 403


def test_operators_list_every_request_with_its_state(operator: Actor, org: Org) -> None:
    grant_id = _approved(operator, org)
    listed = operator.call("GET", "/api/v1/platform/support-requests")
    assert listed.status == 200
    assert {item["grant_id"]: item["state"] for item in listed.json()["items"]}[grant_id] == "active"
    one = operator.call("GET", f"/api/v1/platform/support-requests/{grant_id}")
    assert one.status == 200 and one.json()["org_id"] == _org_id(org)
    assert operator.call("GET", f"/api/v1/platform/support-requests/{'0' * 32}").status == 404


def test_an_undecided_request_lapses() -> None:
    now = datetime(2026, 1, 5, 9, 0)
    grant = SupportGrant(
        grant_id="a" * 32,
        org_id="b" * 32,
        requested_by="c" * 32,
        requester_role="operator",
        reason="Ticket 4715: lapse",
        duration_hours=8,
        requested_at=now,
        request_expires_at=now + REQUEST_LIFETIME,
    )
    assert grant.state(now + REQUEST_LIFETIME - timedelta(seconds=1)) == "pending"
    assert grant.state(now + REQUEST_LIFETIME) == "expired"


@pytest.mark.parametrize("grant_id", ["a%23b", "x%3Fy", "..%2Fx", "\u0008bell", "A" * 32, "0" * 33])
def test_a_malformed_grant_id_is_not_found(org: Org, people: People, grant_id: str) -> None:
    for decision in ("approve", "deny", "revoke"):
        assert _decide(org, grant_id, decision).status == 404
    assert org.admin.call("GET", f"/api/v1/support-access/{grant_id}").status == 404
    operator = people.operator()
    assert operator.call("GET", f"/api/v1/platform/support-requests/{grant_id}").status == 404
