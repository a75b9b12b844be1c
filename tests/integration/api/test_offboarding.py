"""Offboarding through the API: access stops at once, the receipt is readable by its id and secret only."""

from __future__ import annotations

import base64
import gzip
import json

from shared.lifecycle import handle_deletion
from shared.messages import Deletion
from shared.services import Services
from shared.storage import QueueName
from tests.integration.api.client import Actor, call
from tests.integration.api.conftest import MakeOrg, People

RECEIPTS = "/api/v1/deletion-receipts"
SECRET_HEADER = "x-receipt-secret"


def _offboard(actor: Actor, name: str) -> dict[str, str]:
    answered = actor.call("DELETE", "/api/v1/organisation", body={"confirm_name": name})
    assert answered.status == 202, answered.body
    body: dict[str, str] = answered.json()
    return body


def _receipt(request_id: str, secret: str | None) -> tuple[int, dict[str, object]]:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    answered = call("GET", f"{RECEIPTS}/{request_id}", headers=headers)
    return answered.status, answered.json()


def _run_job(services: Services, request_id: str) -> None:
    queue = services.storage.queue_client(QueueName.DELETION)
    for message in queue.receive_messages(messages_per_page=32, visibility_timeout=5):
        body = Deletion.model_validate_json(base64.b64decode(message.content))
        if body.request_id == request_id:
            queue.delete_message(message)
            handle_deletion(services, body)
            return
    raise AssertionError("no deletion message was enqueued")


def test_offboarding_refuses_every_session_at_once(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Offboarded at once")
    neighbour = fresh_org("Carries on")
    _offboard(org.super_admin, org.name)

    for actor in (org.super_admin, org.admin, org.user):
        read = actor.call("GET", "/api/v1/organisation")
        assert read.status == 403 and read.problem_type == "organisation-offboarded", read.body
    write = org.super_admin.call(
        "PUT", "/api/v1/metadata/prices", body={"prices": {}}, headers={"if-match": "*"}
    )
    assert write.status == 403 and write.problem_type == "organisation-offboarded"
    invite = org.admin.call(
        "POST", "/api/v1/members", body={"email": "late@example.test", "role": "user", "first_name": "L",
                                         "last_name": "Ate"},
    )  # fmt: skip
    assert invite.status == 403
    # No new session either: the bearer-only route is refused for a member of an offboarded organisation.
    people.clock.advance(seconds=30)
    reopened = call(
        "POST", "/api/v1/session", headers=org.user.bearer, body={"code": org.user.code(people.clock)}
    )
    assert reopened.status == 403 and reopened.problem_type == "organisation-offboarded"
    # Another organisation is untouched.
    assert neighbour.user.call("GET", "/api/v1/organisation").status == 200
    assert neighbour.super_admin.call("GET", "/api/v1/organisation/export").status == 200


def test_the_receipt_is_read_with_its_secret_and_never_enumerated(
    fresh_org: MakeOrg, services: Services
) -> None:
    org = fresh_org("Receipt holder")
    members = len(org.super_admin.call("GET", "/api/v1/members").json()["items"])
    accepted = _offboard(org.super_admin, org.name)
    request_id, secret = accepted["request_id"], accepted["receipt_secret"]
    assert len(secret) >= 40

    status, pending = _receipt(request_id, secret)
    assert status == 200 and pending["state"] == "pending" and pending["subject"] == "organisation"

    wrong = _receipt(request_id, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    unknown = _receipt("f" * 32, secret)
    missing = _receipt(request_id, None)
    malformed = _receipt("NOT-AN-ID", secret)
    for status, problem in (wrong, unknown, missing, malformed):
        assert status == 404 and problem["type"] == "urn:insight365:problem:not-found"
        assert problem["detail"] == unknown[1]["detail"]

    _run_job(services, request_id)
    status, done = _receipt(request_id, secret)
    assert status == 200 and done["state"] == "done" and done["completed_at"]
    removed = done["removed"]
    assert isinstance(removed, dict) and removed["members"] >= members and removed["organisation"] == 1
    text = json.dumps(done)
    for actor in (org.super_admin, org.admin, org.user):
        assert actor.email not in text and str(actor.member_id) not in text


def test_wrong_secrets_lock_the_receipt_for_a_while(fresh_org: MakeOrg, people: People) -> None:
    org = fresh_org("Receipt guesser")
    accepted = _offboard(org.super_admin, org.name)
    request_id, secret = accepted["request_id"], accepted["receipt_secret"]
    for _ in range(5):
        assert _receipt(request_id, "guess-" + "x" * 40)[0] == 404
    locked = call("GET", f"{RECEIPTS}/{request_id}", headers={SECRET_HEADER: secret})
    assert locked.status == 429 and int(locked.headers["Retry-After"]) > 0
    with people.clock.travel():
        people.clock.advance(minutes=16)
        assert _receipt(request_id, secret)[0] == 200


def test_self_erasure_is_followed_by_its_receipt(fresh_org: MakeOrg, services: Services) -> None:
    org = fresh_org("Self erasure")
    answered = org.user.call("DELETE", "/api/v1/me")
    assert answered.status == 202, answered.body
    request_id, secret = answered.json()["request_id"], answered.json()["receipt_secret"]
    assert org.user.call("GET", "/api/v1/me").status == 401  # the session ended with the request
    _run_job(services, request_id)
    status, done = _receipt(request_id, secret)
    assert status == 200 and done["state"] == "done" and done["subject"] == "member"
    removed = done["removed"]
    assert isinstance(removed, dict)
    assert (removed["member"], removed["identities"], removed["mfa"]) == (1, 1, 1)


def test_the_organisation_export_holds_its_insights_reports_and_audit(fresh_org: MakeOrg) -> None:
    org = fresh_org("Exporter")
    for actor in (org.admin, org.user):
        assert actor.call("GET", "/api/v1/organisation/export").status == 403
    answered = org.super_admin.call("GET", "/api/v1/organisation/export")
    assert answered.status == 200, answered.body
    assert answered.headers["Content-Disposition"].startswith("attachment;")
    lines = [json.loads(line) for line in gzip.decompress(answered.body).splitlines()]
    assert lines[0]["kind"] == "export" and lines[0]["organisation"]["name"] == org.name
    kinds = {line["kind"] for line in lines}
    assert {"export", "member", "audit"} <= kinds
    members = {line["member"]["email"] for line in lines if line["kind"] == "member"}
    assert members == {org.super_admin.email, org.admin.email, org.user.email}
    audit = [line["audit"] for line in lines if line["kind"] == "audit"]
    assert any(row["action"] == "POST /api/v1/members" for row in audit)
    assert lines[-1] == {"kind": "end", "lines": len(lines) - 1}
    # The export is itself audited.
    page = org.super_admin.call("GET", "/api/v1/audit?page_size=5").json()
    assert page["items"][0]["action"] == "GET /api/v1/organisation/export"
