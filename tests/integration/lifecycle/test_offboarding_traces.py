"""Offboarding leaves no trace of the organisation (queues, poison queues, secret store, late writes), a
failing attempt is visible on the receipt and retried, and receipts open with their secrets only."""

from __future__ import annotations

import base64
import json
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceExistsError

from shared.lifecycle import handle_deletion, open_receipt, request_member_erasure, request_offboarding
from shared.lifecycle.deletion import retry_delay
from shared.lifecycle.following import ReceiptLockedError
from shared.messages import RefreshTenant
from shared.services import Services
from shared.storage import QueueName, StorageClients, TableName, TenantContext
from tests.integration.lifecycle.conftest import NOW, audit_row, org_footprint, seed_organisation
from tests.integration.lifecycle.test_deletion import _take_deletion_message, crash_after


def _send_raw(clients: StorageClients, queue: str, text: str) -> None:
    client = clients.queue.get_queue_client(queue)
    with suppress(ResourceExistsError):
        client.create_queue()
    client.send_message(base64.b64encode(text.encode()).decode())


def _texts(clients: StorageClients, queue: str) -> list[str]:
    client = clients.queue.get_queue_client(queue)
    return [base64.b64decode(m.content).decode() for m in client.peek_messages(max_messages=32)]


def _refresh(tenant: TenantContext) -> str:
    return RefreshTenant(
        org_id=tenant.org_id, run_id="r1", as_of=NOW.date(), trigger="member"
    ).model_dump_json()


def test_offboarding_sweeps_every_queue_and_poison_queue_of_the_organisation(
    services: Services, secrets
) -> None:
    gone = seed_organisation(services, secrets)
    kept = seed_organisation(services, secrets)
    for queue in ("refresh-tenant-poison", "compute-insights", "deletion-poison", "retention-poison"):
        _send_raw(services.storage, queue, _refresh(gone.tenant))
        _send_raw(services.storage, queue, _refresh(kept.tenant))
    _send_raw(services.storage, "refresh-tenant-poison", f"not json at all {gone.tenant.org_id}")
    request = request_offboarding(services, gone.tenant, requested_by="x")

    receipt = handle_deletion(services, _take_deletion_message(services, request.request_id))

    assert receipt is not None and receipt.state == "done"
    assert receipt.removed["queue_messages"] == 5
    for queue in ("refresh-tenant-poison", "compute-insights", "deletion-poison", "retention-poison"):
        texts = _texts(services.storage, queue)  # the others are visible again at once
        assert not any(gone.tenant.org_id in text for text in texts)
        assert any(kept.tenant.org_id in text for text in texts)
    secrets_file = Path(services.settings.local_secrets_path).read_text()
    assert gone.tenant.org_id not in secrets_file and kept.tenant.org_id in secrets_file


def test_rows_written_while_the_job_runs_are_swept_too(services: Services, secrets) -> None:
    org = seed_organisation(services, secrets)
    request = request_offboarding(services, org.tenant, requested_by="x")
    message = _take_deletion_message(services, request.request_id)
    written: list[str] = []

    def late_audit_row(_count: int) -> None:
        # The offboarding request's own audit row lands after the audit step ran.
        if not written and "audit" in progress_steps():
            written.append(audit_row(services, org.tenant, NOW, "late", "late"))

    def progress_steps() -> list[str]:
        state = json.loads(
            services.storage.table_client(TableName.RECEIPTS).get_entity("deletion", request.request_id)[
                "document"
            ]
        )
        return list(state["steps_done"])

    receipt = handle_deletion(services, message, hook=late_audit_row)

    assert written and receipt is not None and receipt.removed["late_rows"] == 1
    assert org_footprint(services.storage, org.tenant) == {}


def test_a_failing_attempt_is_on_the_receipt_and_retried(services: Services, secrets) -> None:
    org = seed_organisation(services, secrets)
    request = request_offboarding(services, org.tenant, requested_by="x")
    message = _take_deletion_message(services, request.request_id)
    queue = services.storage.queue_client(QueueName.DELETION)
    before = queue.get_queue_properties().approximate_message_count or 0

    assert handle_deletion(services, message, hook=crash_after(3)) is None

    failed = open_receipt(services, request.request_id, request.receipt_secret)
    assert failed is not None and failed.state == "failed"
    assert failed.error == "step 'identities' failed: CrashError"
    assert failed.next_attempt_at == NOW + timedelta(minutes=1)
    assert org.tenant.org_id not in (failed.error or "")
    assert queue.get_queue_properties().approximate_message_count == before + 1  # the delayed retry

    done = handle_deletion(services, message)  # the retry, delivered
    assert done is not None and done.state == "done" and done.error is None and done.attempts == 2
    assert org_footprint(services.storage, org.tenant) == {}


def test_retries_back_off_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 6, 7, 50)] == [1, 2, 4, 32, 60, 60]


def test_every_requester_gets_a_secret_and_wrong_ones_lock_the_receipt(services: Services, secrets) -> None:
    org = seed_organisation(services, secrets)
    member = org.people[0].member_id
    first = request_member_erasure(services, org.tenant, member, requested_by=member)
    second = request_member_erasure(services, org.tenant, member, requested_by="admin")
    assert first.request_id == second.request_id and first.receipt_secret != second.receipt_secret
    for secret in (first.receipt_secret, second.receipt_secret):
        opened = open_receipt(services, first.request_id, secret)
        assert opened is not None and opened.subject == "member"
    assert open_receipt(services, "f" * 32, first.receipt_secret) is None
    assert open_receipt(services, first.request_id, "") is None
    for _ in range(5):
        assert open_receipt(services, first.request_id, "wrong") is None
    with pytest.raises(ReceiptLockedError) as locked:
        open_receipt(services, first.request_id, first.receipt_secret)
    assert locked.value.until == NOW + timedelta(minutes=15)
    stored = json.dumps(
        [dict(row) for row in services.storage.table_client(TableName.RECEIPTS).list_entities()], default=str
    )
    assert first.receipt_secret not in stored and second.receipt_secret not in stored
