"""The platform's own partition (operators' sessions, the platform audit log) is swept by retention too,
and so are the operations plane's alerts once the audit rows they point to are gone."""

from __future__ import annotations

import uuid
from datetime import timedelta

from shared.audit import AuditEntry, AuditLog
from shared.auth.sessions import SessionStore
from shared.lifecycle import run_retention, sweep_messages
from shared.messages import Retention
from shared.operations.alerts import AlertStore
from shared.operations.detections import RULES, Finding
from shared.operations.events import AuditEvent
from shared.storage import PLATFORM
from tests.integration.lifecycle.conftest import NOW, seed_organisation


def _operator_action(services, at, operator_id: str) -> str:
    request_id = uuid.uuid4().hex
    AuditLog(services.storage, PLATFORM, services.page_signer).append(
        AuditEntry(
            at=at,
            actor_member_id=operator_id,
            actor_role="operator",
            action="platform.incidents.list",
            target="",
            outcome="allowed",
            status=200,
            request_id=request_id,
            client_address="198.51.100.4",
        )
    )
    return request_id


def test_retention_sweeps_ended_operator_sessions_and_old_platform_audit_rows(services) -> None:
    operator_id = uuid.uuid4().hex
    sessions = SessionStore(services.storage, PLATFORM, services.page_signer)
    ended = sessions.open(operator_id, NOW - timedelta(days=2)).session
    live = sessions.open(operator_id, NOW - timedelta(minutes=5)).session
    old = _operator_action(services, NOW - timedelta(days=800), operator_id)
    recent = _operator_action(services, NOW - timedelta(days=3), operator_id)

    assert PLATFORM.org_id in {message.org_id for message in sweep_messages(services)}
    removed = run_retention(services, Retention(org_id=PLATFORM.org_id, requested_on=NOW.date()))

    left = {session.token_hash for session in sessions.list_member(operator_id)}
    assert ended.token_hash not in left and live.token_hash in left
    audited = {
        row["request_id"]
        for row in AuditLog(services.storage, PLATFORM, services.page_signer).iter_exported()
    }
    assert recent in audited and old not in audited
    assert removed["sessions"] >= 1 and removed["audit_rows"] >= 1


def _alert(services, last_seen, org_id: str) -> str:
    entry = AuditEntry(
        at=last_seen,
        actor_member_id=uuid.uuid4().hex,
        actor_role="admin",
        action="GET /api/v1/organisation/export",
        target="",
        outcome="allowed",
        status=200,
        request_id=uuid.uuid4().hex,
        client_address="198.51.100.7",
    )
    event = AuditEvent(event_id=f"{last_seen:%Y%m}|{uuid.uuid4().hex}", org_id=org_id, entry=entry)
    finding = Finding(RULES[0], org_id, f"member={entry.actor_member_id}", (event,), 1)
    alert, _ = AlertStore(services.storage, services.page_signer).record(finding, last_seen)
    return alert.alert_id


def test_the_platforms_sweep_removes_alerts_last_seen_before_the_audit_period(services, secrets) -> None:
    org_id = seed_organisation(services, secrets).tenant.org_id
    old = _alert(services, NOW - timedelta(days=731), org_id)
    kept = _alert(services, NOW - timedelta(days=729), org_id)

    # The organisation's own sweep leaves them: alerts are nobody's partition.
    assert run_retention(services, Retention(org_id=org_id, requested_on=NOW.date()))
    alerts = AlertStore(services.storage, services.page_signer)
    assert {old, kept} <= {alert.alert_id for alert in alerts.list_recent(limit=10_000)}

    removed = run_retention(services, Retention(org_id=PLATFORM.org_id, requested_on=NOW.date()))

    left = {alert.alert_id for alert in alerts.list_recent(limit=10_000)}
    assert kept in left and old not in left
    assert removed["alerts"] >= 1
