"""QueueSender against Azurite: base64 messages the Functions host can read; the 64 KiB limit."""

from __future__ import annotations

import base64
import json

import pytest
from azure.storage.queue import QueueClient, TextBase64DecodePolicy
from pydantic import BaseModel

from shared.storage import MAX_MESSAGE_BYTES, MessageTooLargeError, QueueName, QueueSender, StorageClients


class RefreshTenant(BaseModel):
    type: str = "refresh-tenant"
    version: int = 1
    org_id: str
    note: str = ""


@pytest.fixture
def refresh_queue(storage_connection_string: str, clients: StorageClients) -> QueueClient:
    queue = QueueClient.from_connection_string(
        storage_connection_string,
        QueueName.REFRESH_TENANT.value,
        message_decode_policy=TextBase64DecodePolicy(),
    )
    QueueSender(clients, QueueName.REFRESH_TENANT).create()
    queue.clear_messages()
    return queue


def test_messages_are_base64_json_as_the_functions_host_expects(
    storage_connection_string: str, clients: StorageClients, refresh_queue: QueueClient
) -> None:
    message = RefreshTenant(org_id="0" * 32, note="é ✓")
    message_id = QueueSender(clients, QueueName.REFRESH_TENANT).send(message)

    received = refresh_queue.peek_messages(max_messages=32)
    assert [item.id for item in received] == [message_id]
    assert RefreshTenant.model_validate_json(received[0].content) == message

    plain = QueueClient.from_connection_string(storage_connection_string, QueueName.REFRESH_TENANT.value)
    raw = plain.peek_messages()[0].content
    assert raw != message.model_dump_json()
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    assert base64.b64decode(raw, validate=True).decode() == message.model_dump_json()


def test_oversized_messages_are_rejected_before_sending(
    clients: StorageClients, refresh_queue: QueueClient
) -> None:
    sender = QueueSender(clients, QueueName.REFRESH_TENANT)
    overhead = len(RefreshTenant(org_id="0" * 32).model_dump_json())
    # 50 KiB of text is under 64 KiB raw but over it once base64-encoded.
    with pytest.raises(MessageTooLargeError):
        sender.send(RefreshTenant(org_id="0" * 32, note="x" * (50 * 1024)))
    assert refresh_queue.peek_messages() == []
    largest = MAX_MESSAGE_BYTES // 4 * 3 - overhead
    sender.send(RefreshTenant(org_id="0" * 32, note="x" * largest))
    with pytest.raises(MessageTooLargeError):
        sender.send(RefreshTenant(org_id="0" * 32, note="x" * (largest + 1)))
    assert len(refresh_queue.peek_messages(max_messages=32)) == 1


def test_the_first_send_creates_a_missing_queue(
    storage_connection_string: str, clients: StorageClients
) -> None:
    clients.queue.delete_queue(QueueName.DELETION.value)
    QueueSender(clients, QueueName.DELETION).send(RefreshTenant(org_id="0" * 32))
    queue = QueueClient.from_connection_string(
        storage_connection_string, QueueName.DELETION.value, message_decode_policy=TextBase64DecodePolicy()
    )
    received = queue.receive_message()
    assert received is not None
    assert RefreshTenant.model_validate_json(received.content).org_id == "0" * 32
