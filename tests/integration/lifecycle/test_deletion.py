"""Offboarding and erasure against Azurite: everything of the subject goes, nothing else does."""

from __future__ import annotations

import base64
import json

import pytest

from shared.integrations import secret_name_for
from shared.lifecycle import (
    deletion_request_state,
    request_member_erasure,
    request_offboarding,
    run_deletion,
)
from shared.lifecycle.deletion import StepFailedError
from shared.lifecycle.keys import LifecycleKeys
from shared.members import MemberRepository
from shared.messages import Deletion, InvalidMessageError
from shared.organisations import OrganisationRepository
from shared.secrets import SecretNotFoundError
from shared.storage import OrgTable, QueueName, TableName
from tests.integration.lifecycle.conftest import NOW, all_rows, org_footprint, seed_organisation


def _take_deletion_message(services, request_id: str) -> Deletion:
    """Receive our job from the shared deletion queue (other tests may have left theirs)."""
    queue = services.storage.queue_client(QueueName.DELETION)
    for message in queue.receive_messages(messages_per_page=32, visibility_timeout=5):
        body = Deletion.model_validate_json(base64.b64decode(message.content))
        if body.request_id == request_id:
            queue.delete_message(message)
            return body
    raise AssertionError("no deletion message was enqueued for the request")


class CrashError(Exception):
    pass


def crash_after(limit: int):
    deleted = 0

    def hook(count: int) -> None:
        nonlocal deleted
        deleted += count
        if deleted >= limit:
            raise CrashError

    return hook


def test_offboarding_removes_everything_of_the_organisation_and_nothing_else(services, secrets) -> None:
    a = seed_organisation(services, secrets)
    b = seed_organisation(services, secrets)
    before_b = org_footprint(services.storage, b.tenant)
    assert org_footprint(services.storage, a.tenant)["audit"] == 6

    request = request_offboarding(services, a.tenant, requested_by=a.people[0].member_id)
    assert request.state == "pending"
    assert (
        OrganisationRepository(services.storage, services.page_signer).get(a.tenant).status == "offboarding"
    )
    message = _take_deletion_message(services, request.request_id)

    receipt = run_deletion(services, message)

    assert org_footprint(services.storage, a.tenant) == {}
    for person in a.people:  # the identity index is keyed by a hash, so look for the keys too
        assert not any(row["PartitionKey"] == person.identity_key for _, row in all_rows(services.storage))
    with pytest.raises(SecretNotFoundError):
        secrets.get(secret_name_for(a.tenant))
    assert org_footprint(services.storage, b.tenant) == before_b
    assert secrets.get(secret_name_for(b.tenant)) == "client-secret-value"
    assert receipt.state == "done"
    # Every organisation table is swept, seeded or not; the seeded ones lose exactly what was seeded.
    assert {step: count for step, count in receipt.removed.items() if count} == {
        "sessions": 2,
        "identities": 2,
        "secret": 1,
        "blobs": 3,
        "invitations": 2,
        "mfa": 2,
        "integrations": 1,
        "metadata": 1,
        "runs": 1,
        "insights": 2,
        "audit": 6,
        "deletionrequests": 1,
        "members": 2,
        "organisation": 1,
    }
    state = deletion_request_state(services, request.request_id)
    assert state is not None and state.state == "done" and state.completed_at == NOW


def test_a_crashed_offboarding_resumes_on_redelivery_with_one_receipt(services, secrets) -> None:
    a = seed_organisation(services, secrets)
    request = request_offboarding(services, a.tenant, requested_by="x")
    message = _take_deletion_message(services, request.request_id)

    with pytest.raises(StepFailedError):
        run_deletion(services, message, hook=crash_after(7))
    halfway = deletion_request_state(services, request.request_id)
    assert halfway is not None and halfway.state == "running"
    assert org_footprint(services.storage, a.tenant) != {}

    first = run_deletion(services, message)
    again = run_deletion(services, message)  # a late duplicate delivery

    assert org_footprint(services.storage, a.tenant) == {}
    receipts = [row for table, row in all_rows(services.storage) if row.get("RowKey") == request.request_id]
    assert len(receipts) == 1
    assert first.removed == again.removed
    assert first.removed["members"] == 2 and first.removed["audit"] == 6 and first.removed["blobs"] == 3
    assert json.loads(receipts[0]["document"])["attempts"] == 2
    assert a.tenant.org_id not in json.dumps(receipts[0], default=str)


def test_erasure_leaves_no_personal_data_and_pseudonymises_the_audit(services, secrets) -> None:
    org = seed_organisation(services, secrets)
    erased, other = org.people
    request = request_member_erasure(services, org.tenant, erased.member_id, requested_by=erased.member_id)
    members = MemberRepository(services.storage, org.tenant, services.page_signer)
    disabled = members.find(erased.member_id)
    assert disabled is not None and disabled.status == "disabled"
    sessions = OrgTable(services.storage, org.tenant, TableName.SESSIONS, tokens=services.page_signer)
    assert all(
        row.properties["revoked"]
        for row in sessions.query()
        if row.properties["member_id"] == erased.member_id
    )
    message = _take_deletion_message(services, request.request_id)

    with pytest.raises(StepFailedError):
        run_deletion(services, message, hook=crash_after(2))
    receipt = run_deletion(services, message)

    everything = json.dumps([row for _, row in all_rows(services.storage)], default=str).lower()
    container = services.storage.container_client(f"org-{org.tenant.org_id}")
    blobs = b"".join(container.download_blob(blob.name).readall() for blob in container.list_blobs()).lower()
    for value in erased.personal_values:
        assert value.lower() not in everything
        assert value.lower().encode() not in blobs
    assert erased.member_id not in everything
    assert erased.identity_key not in everything
    pseudonym = LifecycleKeys.from_services(services).member_pseudonym(org.tenant, erased.member_id)
    audit = [row for table, row in all_rows(services.storage) if table is TableName.AUDIT]
    acted = [row for row in audit if row["actor_member_id"] == pseudonym]
    assert len(acted) == 3 and all(row["client_address"] == "" for row in acted)
    targeted = [row for row in audit if row["actor_member_id"] == other.member_id]
    assert [row["target"] for row in targeted] == [f"members/{pseudonym}"] * 3
    assert all(row["detail"] == "invited [erased]" for row in targeted)
    assert all(row["client_address"] == "203.0.113.7" for row in targeted)
    # The other member keeps everything.
    for value in other.personal_values:
        assert value.lower() in everything
    assert members.find(other.member_id) is not None
    assert receipt.removed == {
        "sessions": 1,
        "identities": 1,
        "mfa": 1,
        "invitations": 1,
        "pseudonymised": 7,
        "member": 1,
    }
    assert erased.member_id not in receipt.model_dump_json()


def test_asking_twice_is_one_request(services, secrets) -> None:
    org = seed_organisation(services, secrets)
    member = org.people[0].member_id
    first = request_member_erasure(services, org.tenant, member, requested_by="admin")
    second = request_member_erasure(services, org.tenant, member, requested_by="admin")
    assert first.request_id == second.request_id
    run_deletion(services, _take_deletion_message(services, first.request_id))
    third = request_member_erasure(services, org.tenant, member, requested_by="admin")
    assert third.request_id == first.request_id and third.state == "done"
    assert deletion_request_state(services, "f" * 32) is None
    assert deletion_request_state(services, "../etc") is None


def test_a_message_with_a_forged_request_id_is_invalid(services, secrets) -> None:
    org = seed_organisation(services, secrets)
    forged = Deletion(org_id=org.tenant.org_id, request_id="a" * 32, subject="organisation")
    with pytest.raises(InvalidMessageError):
        run_deletion(services, forged)
    member_without_id = Deletion(
        org_id=org.tenant.org_id,
        request_id=LifecycleKeys.from_services(services).offboarding_request_id(org.tenant),
        subject="member",
    )
    with pytest.raises(InvalidMessageError):
        run_deletion(services, member_without_id)
    assert OrganisationRepository(services.storage, services.page_signer).find(org.tenant) is not None
