"""`QueueSender`: enqueue pydantic message models the way the Functions queue trigger reads them."""

from __future__ import annotations

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
