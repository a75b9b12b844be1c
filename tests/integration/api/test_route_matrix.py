"""Every route × every caller (anonymous, bearer only, user, admin, super admin; the platform's operator
and security officer, and an operator under an approved support grant) × own and foreign ids.

Each allowed probe is chosen to be harmless and to give one exact status (e.g. an update without
If-Match answers 428), so the test proves authorisation passed without changing anything. A route
added without a probe fails `test_every_route_has_a_probe`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from shared.auth.caller import SUPPORT_READ_ROLE
from shared.auth.roles import Access, platform_role_satisfies, role_satisfies
from shared.http.adapter import Endpoint, endpoints
from shared.roles import PlatformRole, Role
from shared.runs import RunRecord, RunRepository
from shared.services import Services
from shared.storage import TenantContext
from tests.integration.api.client import Actor, call
from tests.integration.api.conftest import Org, People

ROLE_CALLERS = ("user", "admin", "super_admin")
# "support" is the operator sending `X-Support-Grant` with an active grant of the home organisation.
PLATFORM_CALLERS = ("operator", "security_officer", "support")
CALLERS = ("anonymous", "bearer", *ROLE_CALLERS, *PLATFORM_CALLERS)


@dataclass(frozen=True)
class Probe:
    allowed: int | dict[str, int]  # status for callers the route admits (per role where it differs)
    body: Any = None
    disposable: bool = False  # the call changes its caller (logout, erasure): use a fresh member
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> key into the id fixtures
    names: dict[str, str] = field(default_factory=dict)  # path parameter -> a global name (no organisation)

    def expected(self, caller: str) -> int:
        return self.allowed if isinstance(self.allowed, int) else self.allowed[caller]


INSIGHT_KINDS = ("utilisation", "adoption", "productivity", "assurance")
PROBES: dict[tuple[str, str], Probe] = {
    ("GET", "v1/health"): Probe(200),
    ("GET", "v1/openapi.json"): Probe(200),
    ("POST", "v1/signup"): Probe(409, body={"organisation_name": "X", "first_name": "A", "last_name": "B"}),
    ("POST", "v1/me/mfa/totp"): Probe(409),
    ("POST", "v1/me/mfa/totp/confirm"): Probe(409, body={"code": "000000"}),
    ("POST", "v1/session"): Probe(422, body={}),
    ("DELETE", "v1/session"): Probe(204, disposable=True),
    ("GET", "v1/me"): Probe(200),
    ("PATCH", "v1/me"): Probe(428, body={"first_name": "Changed"}),
    ("GET", "v1/me/export"): Probe(200),
    # The only super admin may not erase themselves (409); others may (202).
    ("DELETE", "v1/me"): Probe({"user": 202, "admin": 202, "super_admin": 409}, disposable=True),
    ("POST", "v1/me/consent"): Probe(422, body={"version": "not-a-version"}),
    ("GET", "v1/members"): Probe(200),
    ("POST", "v1/members"): Probe(422, body={}),
    ("GET", "v1/members/{member_id}"): Probe(200, ids={"member_id": "user_id"}),
    ("PATCH", "v1/members/{member_id}"): Probe(
        428, body={"status": "disabled"}, ids={"member_id": "user_id"}
    ),
    # Erasing the only super admin: an admin may not touch a super admin (403), a super admin may not
    # leave the organisation without one (409).
    ("DELETE", "v1/members/{member_id}"): Probe(
        {"admin": 403, "super_admin": 409}, ids={"member_id": "super_admin_id"}
    ),
    # Resetting a super admin's MFA: an admin may not (403), a super admin not their own (409).
    ("DELETE", "v1/members/{member_id}/mfa"): Probe(
        {"admin": 403, "super_admin": 409}, ids={"member_id": "super_admin_id"}
    ),
    ("GET", "v1/invitations"): Probe(200),
    ("POST", "v1/invitations/preview"): Probe(422, body={}),
    ("POST", "v1/invitations/accept"): Probe(422, body={}),
    # A super_admin invitation: an admin may not revoke it (403); the super admin, last of the callers,
    # does (204).
    ("DELETE", "v1/invitations/{invitation_id}"): Probe(
        {"admin": 403, "super_admin": 204}, ids={"invitation_id": "invitation_id"}
    ),
    ("GET", "v1/integrations/m365"): Probe(200),
    ("PUT", "v1/integrations/m365"): Probe(422, body={}),
    ("DELETE", "v1/integrations/m365"): Probe(204),
    ("POST", "v1/integrations/m365/refresh"): Probe(409),
    ("POST", "v1/integrations/m365/test"): Probe(409),
    ("GET", "v1/runs"): Probe(200),
    ("GET", "v1/runs/{run_id}"): Probe(200, ids={"run_id": "run_id"}),
    ("GET", "v1/metadata/prices"): Probe(200),
    ("PUT", "v1/metadata/prices"): Probe(422, body={"prices": 5}),
    ("GET", "v1/metadata/groups"): Probe(200),
    ("PUT", "v1/metadata/groups"): Probe(422, body={"inactivity_days": 45}),
    ("GET", "v1/audit"): Probe(200),
    ("GET", "v1/organisation"): Probe(200),
    ("PATCH", "v1/organisation"): Probe(428, body={"name": "Renamed"}),
    ("DELETE", "v1/organisation"): Probe(422, body={"confirm_name": "not the name"}),
    ("GET", "v1/deletion-requests/{request_id}"): Probe(200, ids={"request_id": "request_id"}),
    ("GET", "v1/organisation/export"): Probe(200),
    # Anonymous, read with a secret header: without it every id, own or foreign, answers 404.
    ("GET", "v1/deletion-receipts/{request_id}"): Probe(404, ids={"request_id": "request_id"}),
    # Nothing is published in these organisations: a summary answers 404, a trend an empty series.
    **{("GET", f"v1/insights/{kind}"): Probe(404) for kind in INSIGHT_KINDS},
    **{("GET", f"v1/insights/{kind}/trend"): Probe(200) for kind in INSIGHT_KINDS},
    ("GET", "v1/insights/utilisation/savings"): Probe(200),
    # Risk acceptances: none exist here, so one by id answers 404 (ids are random, never another's).
    ("GET", "v1/insights/assurance/acceptances"): Probe(200),
    ("POST", "v1/insights/assurance/acceptances"): Probe(422, body={}),
    **{
        (method, f"v1/insights/assurance/acceptances/{{acceptance_id}}{tail}"): Probe(
            404, body=body, names={"acceptance_id": "0" * 32}
        )
        for method, tail, body in (
            ("GET", "", None),
            ("PATCH", "", {"owner": "x"}),
            ("POST", "/revoke", None),
        )
    },
    ("GET", "v1/insights/assurance/changes"): Probe(404),
    ("GET", "v1/reports"): Probe(200),
    # A person-level report needs admin (403 for a user); report ids are global names, not org data.
    ("GET", "v1/reports/{report_id}"): Probe(
        {"user": 403, "admin": 404, "super_admin": 404}, names={"report_id": "reclaimable-licences"}
    ),
    # Support access, the customer's side: deciding a grant that is decided already answers 409.
    ("GET", "v1/support-access"): Probe(200),
    ("GET", "v1/support-access/{grant_id}"): Probe(200, ids={"grant_id": "grant_id"}),
    **{
        ("POST", f"v1/support-access/{{grant_id}}/{decision}"): Probe(
            409, ids={"grant_id": "closed_grant_id"}
        )
        for decision in ("approve", "deny", "revoke")
    },
    # The platform: operators are enrolled already (409).
    ("POST", "v1/platform/mfa/totp"): Probe(409),
    ("POST", "v1/platform/mfa/totp/confirm"): Probe(409, body={"code": "000000"}),
    ("POST", "v1/platform/session"): Probe(422, body={}),
    ("DELETE", "v1/platform/session"): Probe(204, disposable=True),
    ("GET", "v1/platform/me"): Probe(200),
    ("GET", "v1/platform/audit"): Probe(200),
    ("POST", "v1/platform/support-requests"): Probe(422, body={}),
    ("GET", "v1/platform/support-requests"): Probe(200),
    ("GET", "v1/platform/support-requests/{grant_id}"): Probe(200, ids={"grant_id": "grant_id"}),
    # Operations: no incident has this id (404); bodies are checked first (422).
    ("GET", "v1/platform/incidents"): Probe(200),
    ("GET", "v1/platform/alerts"): Probe(200),
    ("GET", "v1/platform/health"): Probe(200),
    **{
        (method, f"v1/platform/incidents/{{incident_id}}{action}"): Probe(
            status, body={} if status == 422 else None, names={"incident_id": "0" * 32}
        )
        for method, action, status in (
            ("GET", "", 404),
            ("POST", "/acknowledge", 404),
            ("POST", "/state", 422),
            ("POST", "/notes", 422),
            ("POST", "/breach", 404),
            ("POST", "/breach/organisations", 422),
            ("POST", "/breach/ico", 404),
        )
    },
}

# The app's own endpoints (other test modules may declare test endpoints in the same registry).
ENDPOINTS = {
    (endpoint.method, endpoint.path): endpoint
    for endpoint in endpoints()
    if endpoint.handler.__module__.startswith("functions.")
}


@dataclass
class World:
    """Two organisations; `ids[org]` are real ids of each, so foreign ids exist (in the other one)."""

    home: Org
    foreign: Org
    ids: dict[str, dict[str, str]]
    people: People
    operators: dict[str, Actor]  # by platform caller; "support" sends the home organisation's grant


def _grants(org: Org, people: People) -> dict[str, str]:
    """An approved grant of the operator, and a denied one of the security officer, in `org`."""
    org_id = _org_id(org)
    ids = {}
    for key, role, decision in (
        ("grant_id", "operator", "approve"),
        ("closed_grant_id", "security_officer", "deny"),
    ):
        asked = people.operator(role).call(
            "POST",
            "/api/v1/platform/support-requests",
            body={"org_id": org_id, "reason": "The route matrix probes support access", "duration_hours": 72},
        )
        assert asked.status == 201, asked.body
        ids[key] = asked.json()["grant_id"]
        decided = org.super_admin.call("POST", f"/api/v1/support-access/{ids[key]}/{decision}")
        assert decided.status == 200, decided.body
    return ids


def _ids(org: Org, services: Services, people: People) -> dict[str, str]:
    tenant = TenantContext(_org_id(org))
    now = services.clock()
    run = RunRepository(services.storage, tenant, services.page_signer).create_if_absent(
        RunRecord(
            run_id=f"manual-{secrets.token_hex(4)}",
            as_of=now.date(),
            trigger="member",
            created_at=now,
            updated_at=now,
        )
    )
    leaver = people.invite(org.super_admin, "user")
    erased = leaver.call("DELETE", "/api/v1/me")
    assert erased.status == 202, erased.body
    assert org.user.member_id and org.super_admin.member_id
    invitation = org.super_admin.call(
        "POST",
        "/api/v1/members",
        body={
            "email": f"boss-{secrets.token_hex(4)}@example.test",
            "role": "super_admin",
            "first_name": "B",
            "last_name": "C",
        },
    )
    assert invitation.status == 201, invitation.body
    return {
        "invitation_id": invitation.json()["invitation_id"],
        "user_id": org.user.member_id,
        "super_admin_id": org.super_admin.member_id,
        "run_id": run.run_id,
        "request_id": erased.json()["request_id"],
        **_grants(org, people),
    }


def _org_id(org: Org) -> str:
    return str(org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"])


@pytest.fixture(scope="module")
def world(people: People, services: Services) -> World:
    home, foreign = people.organisation("Matrix Home"), people.organisation("Matrix Foreign")
    ids = {"home": _ids(home, services, people), "foreign": _ids(foreign, services, people)}
    operators = {caller: people.operator(caller) for caller in ("operator", "security_officer")}
    return World(home, foreign, ids, people, {**operators, "support": operators["operator"]})


def _platform_caller(world: World, caller: str, probe: Probe, access: Access) -> dict[str, str]:
    role: PlatformRole = "operator" if caller == "support" else cast(PlatformRole, caller)
    actor = world.people.operator(role)
    if probe.disposable and platform_role_satisfies(role, access):
        actor = Actor(email=actor.email, token=actor.token, totp_secret=actor.totp_secret)
        opened = call(
            "POST",
            "/api/v1/platform/session",
            headers=actor.bearer,
            body={"code": actor.code(world.people.clock)},
        )
        assert opened.status == 201, opened.body
        actor.session = opened.json()["session_token"]
        world.people.clock.advance(seconds=30)
    grant = {"x-support-grant": world.ids["home"]["grant_id"]} if caller == "support" else {}
    return {**actor.headers, **grant}


def _caller(world: World, caller: str, probe: Probe, access: Access) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    if caller == "bearer":
        return world.home.user.bearer
    if caller in PLATFORM_CALLERS:
        return _platform_caller(world, caller, probe, access)
    actor: Actor = world.home.by_role(caller)
    if probe.disposable and role_satisfies(caller, access):
        actor = (
            world.people.invite(world.home.super_admin, caller)
            if caller != "super_admin"
            else _second_session(world)
        )
    return actor.headers


def _second_session(world: World) -> Actor:
    founder = world.home.super_admin
    extra = Actor(email=founder.email, token=founder.token, totp_secret=founder.totp_secret)
    world.people.open_session(extra)
    return extra


def _expected_of_platform_caller(caller: str, endpoint: Endpoint, probe: Probe) -> int:
    """Operators on their routes by platform role; on a customer's, only a support grant's reads."""
    if endpoint.access.is_platform:
        role: PlatformRole = "operator" if caller == "support" else cast(PlatformRole, caller)
        return probe.expected(role) if platform_role_satisfies(role, endpoint.access) else 403
    readable = endpoint.support_read and role_satisfies(SUPPORT_READ_ROLE, endpoint.access)
    return probe.expected(SUPPORT_READ_ROLE) if caller == "support" and readable else 403


def _expected(caller: str, endpoint: Endpoint, probe: Probe) -> int:
    access = endpoint.access
    if access is Access.ANONYMOUS:
        return probe.expected(caller)
    if caller == "anonymous":
        return 401
    if caller in PLATFORM_CALLERS:
        return _expected_of_platform_caller(caller, endpoint, probe)
    if caller == "bearer" and access.needs_session and not access.is_platform:
        return 401
    # A customer is refused on every platform route, whatever their role.
    allowed = not access.is_platform if caller == "bearer" else role_satisfies(cast(Role, caller), access)
    return probe.expected(caller) if allowed else 403


def _url(path: str, probe: Probe, ids: dict[str, str]) -> str:
    for name, key in probe.ids.items():
        path = path.replace("{" + name + "}", ids[key])
    for name, value in probe.names.items():
        path = path.replace("{" + name + "}", value)
    return "/api/" + path


def test_every_route_has_a_probe() -> None:
    assert set(ENDPOINTS) == set(PROBES)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path"), sorted(PROBES))
def test_route_answers_exactly(world: World, method: str, path: str, caller: str) -> None:
    probe, endpoint = PROBES[(method, path)], ENDPOINTS[(method, path)]
    response = call(
        method,
        _url(path, probe, world.ids["home"]),
        body=probe.body,
        headers=_caller(world, caller, probe, endpoint.access),
    )
    assert response.status == _expected(caller, endpoint, probe), response.body


@pytest.mark.parametrize("caller", ROLE_CALLERS)
@pytest.mark.parametrize(("method", "path"), sorted(key for key, probe in PROBES.items() if probe.ids))
def test_foreign_ids_answer_404(world: World, method: str, path: str, caller: str) -> None:
    probe, access = PROBES[(method, path)], ENDPOINTS[(method, path)].access
    response = call(
        method,
        _url(path, probe, world.ids["foreign"]),
        body=probe.body,
        headers=world.home.by_role(caller).headers,
    )
    if not role_satisfies(caller, access):
        assert response.status == 403
        return
    assert response.status == 404, response.body
    unknown = call(
        method,
        _url(path, probe, {key: "0" * 32 if key != "run_id" else "manual-none" for key in world.ids["home"]}),
        body=probe.body,
        headers=world.home.by_role(caller).headers,
    )
    assert (unknown.status, unknown.body.replace(unknown.headers["X-Request-Id"].encode(), b"")) == (
        404,
        response.body.replace(response.headers["X-Request-Id"].encode(), b""),
    )
