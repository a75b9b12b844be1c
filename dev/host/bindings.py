"""Invocation-time objects the worker creates (`func.Out`, `func.Context`) and the queue output binding.

Queue output (§1.5): the queue name is lower-cased, the queue is created if missing, a list is one
message per item, bodies are base64 (messageEncoding), and a listener in this host for that queue is
woken at once. Only called after the invocation succeeded.
"""

from __future__ import annotations

import base64
import contextlib
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

import azure.functions as func
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.functions._abc import RetryContext, TraceContext
from azure.storage.queue.aio import QueueClient

from dev.host.queue_watcher import QueueWatcher
from dev.host.storage import StorageClients

T = TypeVar("T")


class OutValue(func.Out[T], Generic[T]):
    """The worker's `Out` implementation: the function sets it, the host reads it after the call."""

    def __init__(self) -> None:
        self._value: T | None = None

    def set(self, val: T) -> None:
        self._value = val

    def get(self) -> T:
        return self._value  # type: ignore[return-value]  # None means "not set", as in the worker


# Worker threads record the running invocation id here so user threads' logs can be correlated.
WORKER_THREAD_LOCAL = threading.local()


class InvocationContext(func.Context):
    """The `context` argument: ids for correlating logs, as the worker's Context provides."""

    def __init__(self, invocation_id: str, function_name: str, function_directory: str) -> None:
        self._invocation_id = invocation_id
        self._function_name = function_name
        self._function_directory = function_directory

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def function_name(self) -> str:
        return self._function_name

    @property
    def function_directory(self) -> str:
        return self._function_directory

    @property
    def thread_local_storage(self) -> type[threading.local]:
        return WORKER_THREAD_LOCAL  # type: ignore[return-value]  # the worker's own annotation is wrong

    @property
    def trace_context(self) -> TraceContext:
        raise NotImplementedError("distributed tracing is not emulated by the local host")

    @property
    def retry_context(self) -> RetryContext:
        raise NotImplementedError("retry policies are not emulated by the local host")


def encode_body(text: str, encoding: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii") if encoding == "base64" else text


def _message_texts(value: Any) -> list[str]:
    """What QueueMessageOutConverter accepts: str, bytes, QueueMessage, or an iterable of str/QueueMessage."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode("utf-8")]
    if isinstance(value, func.QueueMessage):
        return [value.get_body().decode("utf-8")]
    if isinstance(value, Iterable):
        texts = []
        for item in value:
            if not isinstance(item, str | func.QueueMessage):
                raise TypeError(f"invalid data type in output queue message list: {type(item).__name__}")
            texts.extend(_message_texts(item))
        return texts
    raise TypeError(f"unsupported queue output value: {type(value).__name__}")


class QueueOutput:
    """Writes queue output bindings and notifies same-host listeners."""

    def __init__(self, clients: StorageClients, watcher: QueueWatcher, encoding: str) -> None:
        self._clients = clients
        self._watcher = watcher
        self._encoding = encoding

    async def write(self, binding: Mapping[str, Any], value: Any) -> None:
        queue_name = str(binding["queueName"]).lower()  # "must be lowercase. coerce here to be nice"
        queue = self._clients.queue_service(binding.get("connection")).get_queue_client(queue_name)
        for text in _message_texts(value):
            await send_creating_queue(queue, encode_body(text, self._encoding))
        self._watcher.notify(queue_name)


async def send_creating_queue(queue: QueueClient, raw_text: str) -> None:
    """AddMessageAndCreateIfNotExistsAsync: send, and create the queue on the first 404."""
    try:
        await queue.send_message(raw_text)
    except ResourceNotFoundError:
        with contextlib.suppress(ResourceExistsError):  # another writer created it first
            await queue.create_queue()
        await queue.send_message(raw_text)
