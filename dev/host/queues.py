"""Queue trigger listener: QueueListener + QueueProcessor of the storage extension (§1.2–1.4).

One listener per queue-triggered function. Each tick: check the queue exists (never create it), get
up to batchSize messages invisible for 10 minutes, process them concurrently, and poll again at once
while messages keep coming (waiting only until in-flight <= newBatchThreshold), else back off from
100 ms to maxPollingInterval with randomised exponential steps; a same-host write ends the back-off.

A message that fails base64 decoding goes straight to `<queue>-poison` without invoking the function:
that is what the 5.x extension does (QueueServiceClientProvider's MessageDecodingFailed handler calls
HandlePoisonMessageAsync; azure-sdk-for-net PR #18326 "moves message to poison queue immediately as
retrying it doesn't make much sense"). The 4.x extension instead failed binding on every attempt.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError
from azure.functions.queue import QueueMessage as FuncQueueMessage
from azure.storage.queue import QueueMessage
from azure.storage.queue.aio import QueueClient

from dev.host.bindings import send_creating_queue
from dev.host.config import HostConfigError, QueueOptions
from dev.host.invoker import InvocationResult, Invoke, cancel_and_wait, finish_or_cancel
from dev.host.loader import FunctionSpec
from dev.host.logs import log_event
from dev.host.queue_watcher import QueueWatcher

# QueueListener hard-codes this; a longer run renews it on a timer at half the interval.
LISTENER_VISIBILITY_TIMEOUT = 600
POISON_SUFFIX = "-poison"
MIN_POLLING_INTERVAL = 0.1
_QUEUE_NAME = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")


def validate_queue_name(queue_name: str) -> str:
    """Storage queue naming rules, which the host checks when it indexes the bindings."""
    if not _QUEUE_NAME.match(queue_name):
        raise HostConfigError(
            f"invalid queue name {queue_name!r}: 3-63 characters of a-z, 0-9 and single hyphens"
        )
    return queue_name


def poison_queue_name(queue_name: str) -> str | None:
    """`<queue>-poison`, or None where the extension creates no poison queue."""
    name = queue_name + POISON_SUFFIX
    if queue_name.endswith(POISON_SUFFIX) or not _QUEUE_NAME.match(name):
        return None
    return name


_DOTNET_BASE64_WHITESPACE = str.maketrans("", "", " \t\r\n")


def decode_body(raw: str, encoding: str) -> bytes | None:
    """The body bytes, or None when base64 is expected and `raw` is not (Convert.FromBase64String rules)."""
    if encoding == "none":
        return raw.encode("utf-8")
    try:
        return base64.b64decode(raw.translate(_DOTNET_BASE64_WHITESPACE), validate=True)
    except (binascii.Error, ValueError):
        return None


def function_message(message: QueueMessage, body: bytes) -> FuncQueueMessage:
    """The `azure.functions.queue.QueueMessage` the worker builds from the trigger metadata (§1.4)."""
    return FuncQueueMessage(
        id=message.id,
        body=body,
        dequeue_count=message.dequeue_count,
        expiration_time=message.expires_on,
        insertion_time=message.inserted_on,
        time_next_visible=message.next_visible_on,
        pop_receipt=message.pop_receipt,
    )


def admin_message(message_id: str, text: str) -> FuncQueueMessage:
    """What an admin-endpoint invocation passes: the input as body, no storage metadata yet."""
    return FuncQueueMessage(
        id=message_id, body=text.encode("utf-8"), dequeue_count=0, insertion_time=datetime.now(UTC)
    )


class Backoff:
    """RandomizedExponentialBackoffStrategy(min=100 ms, max=maxPollingInterval, delta=min)."""

    def __init__(self, maximum: float, minimum: float = MIN_POLLING_INTERVAL) -> None:
        self._min = minimum
        self._max = maximum
        self._current = minimum
        self._exponent = 0

    def next_delay(self, succeeded: bool) -> float:
        if succeeded:
            self._current, self._exponent = self._min, 1
        elif self._current != self._max:
            interval = self._min
            if self._exponent > 0:
                interval += random.uniform(0.8, 1.2) * 2 ** (self._exponent - 1) * self._min
            if interval < self._max:
                self._current = interval
                self._exponent += 1
            else:
                self._current = self._max
        return self._current


@dataclass
class _Lease:
    """The message id and its latest pop receipt; every visibility update issues a new receipt."""

    message: QueueMessage
    pop_receipt: str


class QueueListener:
    def __init__(
        self,
        spec: FunctionSpec,
        *,
        queue: QueueClient,
        poison: QueueClient | None,
        options: QueueOptions,
        invoke: Invoke,
        watcher: QueueWatcher,
    ) -> None:
        self._spec = spec
        self._queue = queue
        self._poison = poison
        self._options = options
        self._invoke = invoke
        self._watcher = watcher
        self._queue_exists = False
        self._processing: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"queue-listener:{self._spec.name}")

    async def stop(self, grace: float) -> None:
        """Stop polling, let in-flight messages finish for `grace` seconds, then cancel them."""
        if self._task is not None:
            await cancel_and_wait(self._task)
        await finish_or_cancel(self._processing, grace)

    async def _run(self) -> None:
        backoff = Backoff(self._options.max_polling_interval)
        wake = self._watcher.event(self._queue.queue_name)
        found_since_delay = False
        while True:
            wake.clear()
            messages = await self._receive()
            for message in messages:
                task = asyncio.create_task(self._process(message))
                self._processing.add(task)
                task.add_done_callback(self._processing.discard)
            if messages:
                found_since_delay = True
                while len(self._processing) > self._options.new_batch_threshold:
                    await asyncio.wait(self._processing, return_when=asyncio.FIRST_COMPLETED)
                continue
            delay = backoff.next_delay(found_since_delay)
            found_since_delay = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), delay)

    async def _receive(self) -> list[QueueMessage]:
        try:
            if not self._queue_exists:
                await self._queue.get_queue_properties()
                self._queue_exists = True
            batch = self._options.batch_size
            pages = self._queue.receive_messages(
                messages_per_page=batch, max_messages=batch, visibility_timeout=LISTENER_VISIBILITY_TIMEOUT
            ).by_page()
            async for page in pages:  # exactly one GetMessages call
                return [message async for message in page]
            return []
        except ResourceNotFoundError:
            self._queue_exists = False  # missing or deleted: back off, never create
        except AzureError as exc:
            self._queue_exists = False
            log_event(
                logging.WARNING, "queue_poll_failed", function=self._spec.name, error_type=type(exc).__name__
            )
        return []

    async def _process(self, message: QueueMessage) -> None:
        lease = _Lease(message, message.pop_receipt or "")
        body = decode_body(str(message.content), self._options.message_encoding)
        if body is None:
            log_event(
                logging.WARNING,
                "message_decoding_failed",
                f"Message decoding has failed! Check MessageEncoding settings. MessageId={message.id}.",
                function=self._spec.name,
            )
            await self._move_to_poison(lease)
            return
        if message.dequeue_count is not None and message.dequeue_count > self._options.max_dequeue_count:
            await self._move_to_poison(lease)  # count grew through crashes or timeouts: never invoked
            return
        renewal = asyncio.create_task(self._renew_visibility(lease))
        try:
            result = await self._invoke(self._spec, function_message(message, body), "queue")
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
        await self._complete(lease, result)

    async def _complete(self, lease: _Lease, result: InvocationResult) -> None:
        if result.succeeded:
            await self._delete(lease)
        elif self._poison is None:
            pass  # no poison queue: leave it invisible to prevent a fast infinite loop (as the extension)
        elif (lease.message.dequeue_count or 0) >= self._options.max_dequeue_count:
            await self._move_to_poison(lease)
        else:
            await self._set_visibility(lease, int(self._options.visibility_timeout))

    async def _renew_visibility(self, lease: _Lease) -> None:
        while True:
            await asyncio.sleep(LISTENER_VISIBILITY_TIMEOUT / 2)
            await self._set_visibility(lease, LISTENER_VISIBILITY_TIMEOUT)

    async def _set_visibility(self, lease: _Lease, seconds: int) -> None:
        try:
            updated = await self._queue.update_message(
                lease.message.id, pop_receipt=lease.pop_receipt, visibility_timeout=seconds
            )
            lease.pop_receipt = updated.pop_receipt or lease.pop_receipt
        except (ResourceNotFoundError, HttpResponseError) as exc:
            log_event(
                logging.WARNING,
                "queue_update_failed",
                function=self._spec.name,
                error_type=type(exc).__name__,
            )

    async def _delete(self, lease: _Lease) -> None:
        # Already gone or receipt superseded: the extension logs these at Debug and moves on.
        with contextlib.suppress(ResourceNotFoundError, HttpResponseError):
            await self._queue.delete_message(lease.message.id, pop_receipt=lease.pop_receipt)

    async def _move_to_poison(self, lease: _Lease) -> None:
        if self._poison is None:
            return
        log_event(
            logging.WARNING,
            "poison",
            f"Message has reached MaxDequeueCount of {self._options.max_dequeue_count}. "
            f"Moving message to queue '{self._poison.queue_name}'.",
            function=self._spec.name,
            message_id=lease.message.id,
            dequeue_count=lease.message.dequeue_count,
        )
        # The raw text is copied: the extension re-encodes the decoded body, which gives the same text.
        await send_creating_queue(self._poison, str(lease.message.content))
        await self._delete(lease)
        self._watcher.notify(self._poison.queue_name)
