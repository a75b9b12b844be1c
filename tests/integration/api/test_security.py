"""Authentication, MFA, sessions, role escalation and audit, asserted through the API and the rows."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pyotp
import pytest

from dev.oidc import RunningIssuer
from shared.audit import UNATTRIBUTED, AuditFilter, AuditLog
from shared.auth.sessions import token_hash
from shared.identity.tokens import identity_key
from shared.members import IdentityIndex
from shared.services import Services
from shared.storage import OrgTable, TableName, TenantContext
from tests.integration.api.client import Actor, FakeClock, call
from tests.integration.api.conftest import MakeOrg, Org, People


def _forged(issuer: RunningIssuer) -> dict[str, str]:
    local = issuer.issuer
    claims = local.access_claims(subject="forger", email="forger@example.test")
    return {
        "other key": local.forge_with_other_key(claims),
        "alg none": local.forge_alg_none(claims),
        "hs256 with public key": local.forge_hs256_with_public_key(claims),
        "expired": local.mint_access_token(subject="s", lifetime=timedelta(seconds=-120)),
        "wrong issuer": local.mint_access_token(subject="s", issuer="http://127.0.0.1:1"),
        "wrong audience": local.mint_access_token(subject="s", audience="api://someone-else"),
        "id token": local.mint_id_token(subject="s", email="forger@example.test"),
        "garbage": "not.a.jwt",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "other key",
        "alg none",
        "hs256 with public key",
        "expired",
        "wrong issuer",
        "wrong audience",
        "id token",
        "garbage",
    ],
)
def test_forged_tokens_are_refused(issuer: RunningIssuer, services: Services, kind: str) -> None:
    token = _forged(issuer)[kind]
    for method, url in (("POST", "/api/v1/signup"), ("GET", "/api/v1/me")):
        response = call(
            method, url, headers={"authorization": f"Bearer {token}"}, body={} if method == "POST" else None
        )
        assert response.status == 401, (kind, url, response.body)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_of_another_member_is_refused(org_a: Org, org_b: Org) -> None:
    stolen = {**org_a.user.bearer, "x-session": org_b.user.session or ""}
    assert call("GET", "/api/v1/me", headers=stolen).status == 401
    assert call("GET", "/api/v1/me", headers=org_a.user.bearer).status == 401  # bearer alone is not enough


def test_sessions_are_stored_only_as_hashes(org_a: Org, services: Services) -> None:
    tenant = TenantContext(org_a.super_admin.call("GET", "/api/v1/organisation").json()["org_id"])
    table = OrgTable(services.storage, tenant, TableName.SESSIONS, tokens=services.page_signer)
    keys = {entity.row_key for entity in table.query()}
    assert token_hash(org_a.user.session or "") in keys
    assert org_a.user.session not in keys
    assert not any(org_a.user.session in str(entity.properties) for entity in table.query())


def test_totp_replay_is_refused(people: People, clock: FakeClock) -> None:
    actor = people.sign_up("Replay Ltd")
    code = actor.code(clock)
    assert call("POST", "/api/v1/session", headers=actor.bearer, body={"code": code}).status == 201
    replay = call("POST", "/api/v1/session", headers=actor.bearer, body={"code": code})
    assert (replay.status, replay.problem_type) == (401, "mfa-code-rejected")
    older = pyotp.TOTP(actor.totp_secret or "").at(clock() - timedelta(seconds=30))
    assert call("POST", "/api/v1/session", headers=actor.bearer, body={"code": older}).status == 401


def test_recovery_code_works_once(people: People) -> None:
    actor = people.sign_up("Recovery Ltd")
    code = actor.recovery_codes[0]
    assert call("POST", "/api/v1/session", headers=actor.bearer, body={"recovery_code": code}).status == 201
    assert call("POST", "/api/v1/session", headers=actor.bearer, body={"recovery_code": code}).status == 401


def test_five_failures_lock_mfa_for_15_minutes_with_security_events(
    people: People, clock: FakeClock, services: Services
) -> None:
    actor = people.sign_up("Lockout Ltd")
    with clock.travel():
        _lock_out(actor, clock)
        actions = [entry.action for entry in _audit(services, actor)]
    assert actions.count("security.mfa_failed") == 5
    assert actions.count("security.mfa_locked") == 1
    assert "security.mfa_locked_attempt" in actions


def _lock_out(actor: Actor, clock: FakeClock) -> None:
    wrong = f"{(int(actor.code(clock)) + 1) % 1_000_000:06d}"
    statuses = [
        call("POST", "/api/v1/session", headers=actor.bearer, body={"code": wrong}).status for _ in range(5)
    ]
    assert statuses == [401] * 5
    locked = call("POST", "/api/v1/session", headers=actor.bearer, body={"code": actor.code(clock)})
    assert (locked.status, locked.problem_type) == (429, "mfa-locked")
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    clock.advance(minutes=15, seconds=1)
    assert (
        call("POST", "/api/v1/session", headers=actor.bearer, body={"code": actor.code(clock)}).status == 201
    )


def _audit(services: Services, actor: Actor) -> list:
    tenant = (
        TenantContext(actor.call("GET", "/api/v1/organisation").json()["org_id"]) if actor.session else None
    )
    binding = IdentityIndex(services.storage, services.page_signer).find(_identity(actor))
    tenant = tenant or (binding.tenant if binding else UNATTRIBUTED)
    now = services.clock()
    return list(
        AuditLog(services.storage, tenant, services.page_signer).iter_entries(
            AuditFilter(since=now - timedelta(days=1), until=now)
        )
    )


def _identity(actor: Actor) -> str:
    claims = jwt.decode(actor.token, options={"verify_signature": False})
    return identity_key(claims["iss"], claims["sub"])


def test_enrolment_cannot_be_replaced_once_confirmed(org_a: Org) -> None:
    response = call("POST", "/api/v1/me/mfa/totp", headers=org_a.user.bearer)
    assert (response.status, response.problem_type) == (409, "mfa-already-enrolled")


def test_idle_timeout_and_absolute_lifetime(people: People, clock: FakeClock) -> None:
    actor = people.sign_up("Timeout Ltd")
    with clock.travel():
        _time_out(actor, people, clock)


def _time_out(actor: Actor, people: People, clock: FakeClock) -> None:
    clock.advance(minutes=59)
    assert actor.call("GET", "/api/v1/me").status == 200  # activity slides the idle expiry
    clock.advance(minutes=59)
    assert actor.call("GET", "/api/v1/me").status == 200
    clock.advance(minutes=61)
    assert actor.call("GET", "/api/v1/me").status == 401  # idle for over an hour
    people.open_session(actor)
    for _ in range(12):
        clock.advance(minutes=55)
        actor.call("GET", "/api/v1/me")
    assert actor.call("GET", "/api/v1/me").status == 401  # active, but past 12 hours


def test_logout_revokes_the_session(people: People) -> None:
    actor = people.sign_up("Logout Ltd")
    assert actor.call("DELETE", "/api/v1/session").status == 204
    assert actor.call("GET", "/api/v1/me").status == 401


def test_role_change_and_disabling_revoke_sessions(fresh_org: MakeOrg) -> None:
    org = fresh_org("Revocation Ltd")
    for target, change in ((org.user, {"role": "admin"}), (org.admin, {"status": "disabled"})):
        url = f"/api/v1/members/{target.member_id}"
        etag = org.super_admin.call("GET", url).headers["ETag"]
        changed = org.super_admin.call("PATCH", url, body=change, headers={"if-match": etag})
        assert changed.status == 200, changed.body
        assert target.call("GET", "/api/v1/me").status == 401


def test_stale_etag_is_412(fresh_org: MakeOrg) -> None:
    org = fresh_org("Etag Ltd")
    url = f"/api/v1/members/{org.user.member_id}"
    etag = org.admin.call("GET", url).headers["ETag"]
    assert org.admin.call("PATCH", url, body={"role": "admin"}, headers={"if-match": etag}).status == 200
    assert org.admin.call("PATCH", url, body={"role": "user"}, headers={"if-match": etag}).status == 412


def test_admin_cannot_grant_super_admin(fresh_org: MakeOrg, services: Services) -> None:
    org = fresh_org("Escalation Ltd")
    url = f"/api/v1/members/{org.user.member_id}"
    etag = org.admin.call("GET", url).headers["ETag"]
    escalated = org.admin.call("PATCH", url, body={"role": "super_admin"}, headers={"if-match": etag})
    assert (escalated.status, escalated.problem_type) == (403, "forbidden")
    invited = org.admin.call(
        "POST",
        "/api/v1/members",
        body={"email": "boss@example.test", "role": "super_admin", "first_name": "B", "last_name": "C"},
    )
    assert invited.status == 403
    assert org.user.call("GET", "/api/v1/me").json()["role"] == "user"
    events = [entry for entry in _audit(services, org.admin) if entry.action == "security.role_escalation"]
    assert len(events) == 2 and all(entry.actor_member_id == org.admin.member_id for entry in events)


def test_every_request_is_audited_without_secrets(fresh_org: MakeOrg, services: Services) -> None:
    org = fresh_org("Audit Ltd")
    org.user.call("GET", "/api/v1/members")  # refused: 403
    entries = _audit(services, org.user)
    denied = [
        entry for entry in entries if entry.action == "GET /api/v1/members" and entry.outcome == "denied"
    ]
    assert len(denied) == 1 and denied[0].actor_member_id == org.user.member_id and denied[0].status == 403
    assert denied[0].client_address == "203.0.113.7"
    rows = " ".join(entry.model_dump_json() for entry in entries)
    for secret in (org.user.token, org.user.session or "", org.user.totp_secret or "", org.user.email):
        assert secret not in rows


def test_audit_query_filters_and_pages_with_org_bound_tokens(fresh_org: MakeOrg, org_b: Org) -> None:
    org = fresh_org("Audit Query Ltd")
    for _ in range(3):
        org.user.call("GET", "/api/v1/me")
    first = org.admin.call(
        "GET", f"/api/v1/audit?action=GET%20/api/v1/me&page_size=2&actor={org.user.member_id}"
    )
    assert first.status == 200, first.body
    page = first.json()
    assert all(item["actor_member_id"] == org.user.member_id for item in page["items"])
    assert page["continuation"]
    foreign = org_b.admin.call(
        "GET",
        f"/api/v1/audit?action=GET%20/api/v1/me&page_size=2&actor={org.user.member_id}&continuation={page['continuation']}",
    )
    assert foreign.status == 400


def test_foreign_id_raises_a_security_event(fresh_org: MakeOrg, org_b: Org, services: Services) -> None:
    org = fresh_org("Snoop Ltd")
    assert org.admin.call("GET", f"/api/v1/members/{org_b.user.member_id}").status == 404
    events = [
        entry for entry in _audit(services, org.admin) if entry.action == "security.unknown_or_foreign_id"
    ]
    assert [entry.target for entry in events] == [f"member_id={org_b.user.member_id}"]


def test_invitation_binds_once_to_the_first_verified_identity(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Invite Ltd")
    first = people.identity("newcomer@example.test")
    invited = org.admin.call(
        "POST",
        "/api/v1/members",
        body={"email": first.email, "role": "user", "first_name": "N", "last_name": "C"},
    )
    code = {"code": invited.json()["code"]}
    second = people.identity("newcomer@example.test")
    assert call("POST", "/api/v1/invitations/accept", headers=first.bearer, body=code).status == 201
    assert call("POST", "/api/v1/me/mfa/totp", headers=first.bearer).status == 200
    assert call("POST", "/api/v1/invitations/accept", headers=second.bearer, body=code).status == 404
    refused = call("POST", "/api/v1/me/mfa/totp", headers=second.bearer)
    assert (refused.status, refused.problem_type) == (403, "not-a-member")
    unverified = people.issuer.issuer.mint_access_token(
        subject="x", email="other@example.test", email_verified=False
    )
    assert (
        call(
            "POST",
            "/api/v1/signup",
            headers={"authorization": f"Bearer {unverified}"},
            body={"organisation_name": "O", "first_name": "A", "last_name": "B"},
        ).status
        == 403
    )


@pytest.mark.parametrize(
    ("raw", "headers", "status"),
    [
        (b"x" * 70_000, {"content-type": "application/json"}, 413),
        (b"{not json", {"content-type": "application/json"}, 400),
        (b'{"code": "123456"}', {"content-type": "text/plain"}, 415),
        (b'{"code": 123456}', {"content-type": "application/json"}, 422),
        (b'{"code": "123456", "role": "super_admin"}', {"content-type": "application/json"}, 422),
        (b"[" * 5000 + b"]" * 5000, {"content-type": "application/json"}, 400),
    ],
)
def test_oversized_and_malformed_bodies(org_a: Org, raw: bytes, headers: dict[str, str], status: int) -> None:
    response = call("POST", "/api/v1/session", headers={**org_a.user.bearer, **headers}, raw=raw)
    assert response.status == status, response.body
    assert response.media_type == "application/problem+json"


def test_the_same_email_with_another_subject_is_another_person(org_a: Org, people: People) -> None:
    """R3: a person is issuer + subject; an email claim alone never reaches someone's account."""
    impostor = people.identity(org_a.admin.email)  # same email, new `sub`
    assert call("GET", "/api/v1/me", headers=impostor.bearer).status == 401
    signed_up = call(
        "POST",
        "/api/v1/signup",
        headers=impostor.bearer,
        body={"organisation_name": "Impostor Ltd", "first_name": "I", "last_name": "P"},
    )
    assert signed_up.status == 201  # a new organisation of its own, not a way into Contoso
    mine = org_a.admin.call("GET", "/api/v1/me").json()
    assert mine["role"] == "admin" and mine["email"] == org_a.admin.email


def test_role_cannot_be_raised_through_patch_me(fresh_org: MakeOrg) -> None:
    org = fresh_org("Escalation Ltd")
    me = org.user.call("GET", "/api/v1/me")
    patched = org.user.call(
        "PATCH", "/api/v1/me", body={"role": "super_admin"}, headers={"if-match": me.headers["ETag"]}
    )
    assert patched.status == 422  # role is not a field of the rectification body
    assert org.user.call("GET", "/api/v1/me").json()["role"] == "user"


def test_pyjwt_is_at_least_the_fixed_version() -> None:
    """R20: PyJWT ≥ 2.15.1 (security.md §0.5: alg binding for PyJWK keys fixed in 2.13, more in 2.15)."""
    from importlib.metadata import version  # noqa: PLC0415

    assert tuple(int(part) for part in version("PyJWT").split(".")[:3]) >= (2, 15, 1)
