"""Operators: Insight365 staff configured by setting, signed in with TOTP in the platform's partition,
refused on every customer route and every customer refused on theirs, audited in the platform log."""

from __future__ import annotations

import azure.functions as func
import pytest

from shared.http.adapter import Access, Api
from shared.settings import SettingsError, load_settings
from tests.conftest import TEST_SETTINGS
from tests.integration.api.client import Actor, FakeClock, call
from tests.integration.api.conftest import OPERATOR_SUBJECTS, Org, People

CUSTOMER_READS = (
    "/api/v1/me",
    "/api/v1/members",
    "/api/v1/audit",
    "/api/v1/organisation",
    "/api/v1/insights/utilisation",
    "/api/v1/insights/assurance",
    "/api/v1/reports",
    "/api/v1/reports/reclaimable-licences",
    "/api/v1/runs",
    "/api/v1/support-access",
)


def _audit(reader: Actor, url: str, request_id: str) -> list[dict[str, object]]:
    page = reader.call("GET", url + "?page_size=500")
    assert page.status == 200, page.body
    return [row for row in page.json()["items"] if row["request_id"] == request_id]


def test_an_operator_signs_in_with_totp_and_is_told_their_role(people: People) -> None:
    for role in OPERATOR_SUBJECTS:
        operator = people.operator(role)
        me = operator.call("GET", "/api/v1/platform/me")
        assert me.status == 200, me.body
        assert me.json() == {"operator_id": operator.member_id, "role": role}


def test_a_wrong_code_opens_no_platform_session_and_is_a_security_event(
    people: People, clock: FakeClock
) -> None:
    operator, officer = people.operator("operator"), people.operator("security_officer")
    refused = call("POST", "/api/v1/platform/session", headers=operator.bearer, body={"code": "000000"})
    assert refused.status == 401 and refused.problem_type == "mfa-code-rejected"
    rows = _audit(officer, "/api/v1/platform/audit", refused.headers["X-Request-Id"])
    assert {row["action"] for row in rows} == {"POST /api/v1/platform/session", "security.mfa_failed"}
    assert {row["actor_member_id"] for row in rows} == {operator.member_id}


def test_an_identity_that_is_not_configured_cannot_become_an_operator(people: People) -> None:
    stranger = people.identity("stranger@insight365.example")
    for url in ("/api/v1/platform/mfa/totp", "/api/v1/platform/session"):
        response = call("POST", url, headers=stranger.bearer, body={"code": "123456"})
        assert response.status == 403, (url, response.body)


def test_customers_of_every_role_are_refused_on_platform_routes(org_a: Org) -> None:
    for actor in (org_a.user, org_a.admin, org_a.super_admin):
        for method, url in (
            ("GET", "/api/v1/platform/me"),
            ("GET", "/api/v1/platform/support-requests"),
            ("POST", "/api/v1/platform/mfa/totp"),
        ):
            assert actor.call(method, url).status == 403, (actor.email, url)
    assert call("GET", "/api/v1/platform/me").status == 401


def test_a_customer_session_is_no_platform_session(people: People, org_a: Org) -> None:
    operator = people.operator()
    borrowed = call(
        "GET", "/api/v1/platform/me", headers={**operator.bearer, "x-session": org_a.user.session or ""}
    )
    assert borrowed.status == 401


def test_an_operator_is_refused_on_every_customer_route(people: People, org_a: Org) -> None:
    for role in OPERATOR_SUBJECTS:
        operator = people.operator(role)
        for url in CUSTOMER_READS:
            assert operator.call("GET", url).status == 403, (role, url)
        # Bearer-only customer routes too: an operator is never a customer.
        signup = operator.call(
            "POST",
            "/api/v1/signup",
            body={"organisation_name": "Staff Ltd", "first_name": "A", "last_name": "B"},
        )
        assert signup.status == 403
        assert operator.call("POST", "/api/v1/me/mfa/totp").status == 403


def test_only_a_security_officer_reads_the_platform_audit_log(people: People, org_a: Org) -> None:
    operator, officer = people.operator("operator"), people.operator("security_officer")
    assert operator.call("GET", "/api/v1/platform/audit").status == 403
    seen = operator.call("GET", "/api/v1/platform/me")
    rows = _audit(officer, "/api/v1/platform/audit", seen.headers["X-Request-Id"])
    assert [(row["action"], row["actor_member_id"], row["actor_role"], row["outcome"]) for row in rows] == [
        ("GET /api/v1/platform/me", operator.member_id, "operator", "allowed")
    ]
    # The refusal too, and none of it in any customer's log.
    refused = operator.call("GET", "/api/v1/platform/audit")
    assert [
        row["outcome"] for row in _audit(officer, "/api/v1/platform/audit", refused.headers["X-Request-Id"])
    ] == ["denied"]
    assert _audit(org_a.admin, "/api/v1/audit", seen.headers["X-Request-Id"]) == []


def test_a_customer_probing_the_platform_is_recorded_in_the_platform_log(people: People, org_a: Org) -> None:
    probe = org_a.super_admin.call("GET", "/api/v1/platform/support-requests")
    assert probe.status == 403
    rows = _audit(
        people.operator("security_officer"), "/api/v1/platform/audit", probe.headers["X-Request-Id"]
    )
    assert [(row["action"], row["outcome"]) for row in rows] == [
        ("GET /api/v1/platform/support-requests", "denied")
    ]


def test_logging_out_ends_the_platform_session(people: People) -> None:
    operator = people.operator()
    assert operator.call("DELETE", "/api/v1/platform/session").status == 204
    assert operator.call("GET", "/api/v1/platform/me").status == 401
    assert people.operator().call("GET", "/api/v1/platform/me").status == 200  # a new session works


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("someone@insight365.example:operator", "never an email"),
        ("abc:admin", "'operator' or 'security_officer'"),
        ("abc:operator,abc:security_officer", "listed twice"),
    ],
)
def test_operators_are_configured_by_subject_and_platform_role_only(value: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=complaint):
        load_settings({**TEST_SETTINGS, "INSIGHT365_PLATFORM_OPERATORS": value})


def test_an_operator_subject_may_hold_colons() -> None:
    settings = load_settings({**TEST_SETTINGS, "INSIGHT365_PLATFORM_OPERATORS": "urn:x:1:security_officer"})
    assert [(entry.subject, entry.role) for entry in settings.platform_operators] == [
        ("urn:x:1", "security_officer")
    ]


@pytest.mark.parametrize(
    ("method", "path", "access", "declaration"),
    [
        ("GET", "v1/staff-only", Access.OPERATOR, {}),  # platform access outside the platform's prefix
        ("GET", "v1/platform/customers", Access.ADMIN, {}),  # customer access inside it
        ("POST", "v1/insights/anything", Access.ADMIN, {"support_read": True}),  # support never writes
    ],
)
def test_the_planes_cannot_be_mixed_by_a_declaration(
    method: str, path: str, access: Access, declaration: dict[str, bool]
) -> None:
    with pytest.raises(ValueError):
        Api(func.Blueprint()).endpoint(method, path, access=access, **declaration)(lambda request: None)
