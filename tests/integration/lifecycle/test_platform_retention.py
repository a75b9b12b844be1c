"""The platform's own partition (operators' sessions, the platform audit log) is swept by retention too."""

from __future__ import annotations

import uuid
from datetime import timedelta

from shared.audit import AuditEntry, AuditLog
from shared.auth.sessions import SessionStore
from shared.lifecycle import run_retention, sweep_messages
from shared.messages import Retention
from shared.storage import PLATFORM
from tests.integration.lifecycle.conftest import NOW


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
