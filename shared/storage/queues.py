"""`QueueSender`: enqueue pydantic message models the way the Functions queue trigger reads them."""

from __future__ import annotations

import base64
import binascii
from contextlib import suppress

from pydantic import BaseModel

from shared.storage.clients import StorageClients
from shared.storage.errors import AlreadyExistsError, MessageTooLargeError, NotFoundError, translate_errors
from shared.storage.names import QueueName

# The service limit applies to the message text as sent, i.e. after base64 (4 bytes per 3).
MAX_MESSAGE_BYTES = 64 * 1024


def encoded_size(text: str) -> int:
    """The size of `text` once UTF-8 and base64 encoded, as the queue service counts it."""
    return 4 * -(-len(text.encode()) // 3)


class QueueSender:
    """Sends messages to one queue as base64-encoded JSON, creating the queue on first use."""

    def __init__(self, clients: StorageClients, queue: QueueName) -> None:
        self._queue = queue
        self._client = clients.queue_client(queue)

    @property
    def queue(self) -> QueueName:
        return self._queue

    def send(self, message: BaseModel, *, visibility_timeout: int | None = None) -> str:
        """Enqueue `message` (visible after `visibility_timeout` seconds); returns the message id."""
        text = message.model_dump_json()
        if encoded_size(text) > MAX_MESSAGE_BYTES:
            raise MessageTooLargeError(
                f"a {type(message).__name__} message is {encoded_size(text)} bytes encoded, "
                f"over the queue limit of {MAX_MESSAGE_BYTES}; put the payload in a blob and send its name"
            )
        operation = f"send message to queue {self._queue.value}"
        try:
            with translate_errors(operation):
                return str(self._client.send_message(text, visibility_timeout=visibility_timeout).id)
        except NotFoundError:
            # The queue trigger does not create its queue; the first sender does, then retries once.
            self.create()
            with translate_errors(operation):
                return str(self._client.send_message(text, visibility_timeout=visibility_timeout).id)

    def create(self) -> None:
        """Create the queue if it does not exist (idempotent)."""
        with suppress(AlreadyExistsError), translate_errors(f"create queue {self._queue.value}"):
            self._client.create_queue()


POISON_SUFFIX = "-poison"
SWEEP_VISIBILITY_SECONDS = 120  # messages set aside while a sweep runs; it finishes long before
_SWEEP_BATCH = 32  # the most one receive returns


def _message_text(raw: str) -> str:
    """A message as the trigger reads it (base64 of UTF-8) and as stored, for searching both."""
    try:
        decoded = base64.b64decode(raw, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        decoded = ""
    return f"{decoded}\n{raw}"


def sweep_queue(clients: StorageClients, queue_name: str, needle: str, *, limit: int = 100_000) -> int:
    """Delete every visible message of `queue_name` whose text contains `needle`; returns how many.

    Messages are received (there is no other way to get a pop receipt), the matching ones deleted and
    the others made visible again at the end. Receiving counts as a delivery: a live queue's other
    messages are each charged one dequeue. Messages invisible at the time (in flight, or sent with a
    delay) cannot be seen by anyone and are left to their own consumer.
    """
    client = clients.queue.get_queue_client(queue_name)  # raw text: no decoding policy
    deleted = 0
    set_aside: list[tuple[str, str]] = []  # (message id, pop receipt)
    try:
        with translate_errors(f"sweep queue {queue_name}"):
            while deleted + len(set_aside) < limit:
                batch = list(
                    client.receive_messages(
                        messages_per_page=_SWEEP_BATCH,
                        max_messages=_SWEEP_BATCH,
                        visibility_timeout=SWEEP_VISIBILITY_SECONDS,
                    )
                )
                if not batch:
                    break
                for message in batch:
                    if needle in _message_text(str(message.content)):
                        client.delete_message(message.id, message.pop_receipt)
                        deleted += 1
                    else:
                        set_aside.append((message.id, str(message.pop_receipt)))
    except NotFoundError:
        return deleted  # no such queue: nothing in it
    finally:
        for message_id, pop_receipt in set_aside:
            with suppress(NotFoundError), translate_errors(f"release message in queue {queue_name}"):
                client.update_message(message_id, pop_receipt, visibility_timeout=0)
    return deleted
