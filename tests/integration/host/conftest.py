"""Fixtures for the local host's tests: a host on the sample app with only the functions a test needs."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueClient, QueueServiceClient, TextBase64EncodePolicy

from dev.host import RunningHost, run_host_in_thread
from tests.integration.host.recorder import RECORDER

SAMPLE_APP = Path(__file__).parent / "sample_app"
SAMPLE_FUNCTIONS = (
    "always_fails", "echo_queue", "fanout", "returns_value", "yearly_timer", "get_item", "new_item",
    "products", "codes", "files", "echo", "sync_hello", "async_hello", "slow", "boom",
)  # fmt: skip
HTTP_FUNCTIONS = frozenset(SAMPLE_FUNCTIONS[5:])
YEARLY = "0 0 0 1 1 *"


class Storage:
    """Test-side view of Azurite through the Python storage SDK (default: no message encoding)."""

    def __init__(self, connection_string: str) -> None:
        self.queues = QueueServiceClient.from_connection_string(connection_string)
        self.blobs = BlobServiceClient.from_connection_string(connection_string)
        self.connection_string = connection_string

    def queue(self, name: str) -> QueueClient:
        return self.queues.get_queue_client(name)

    def send_base64(self, queue_name: str, text: str) -> None:
        """As producers for a Functions app must send: base64 (TextBase64EncodePolicy)."""
        with QueueClient.from_connection_string(
            self.connection_string, queue_name, message_encode_policy=TextBase64EncodePolicy()
        ) as client:
            with contextlib.suppress(ResourceExistsError):
                client.create_queue()
            client.send_message(text)

    def raw_messages(self, queue_name: str) -> list[str]:
        """Message texts exactly as stored (peek, up to 32), or [] when the queue does not exist."""
        try:
            return [str(m.content) for m in self.queue(queue_name).peek_messages(max_messages=32)]
        except ResourceNotFoundError:
            return []

    def wait_for_messages(self, queue_name: str, count: int, timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(found := self.raw_messages(queue_name)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{queue_name}: {len(found)} of {count} messages after {timeout}s")
            time.sleep(0.05)
        return found


@pytest.fixture
def storage(storage_connection_string: str) -> Iterator[Storage]:
    view = Storage(storage_connection_string)
    yield view
    view.queues.close()
    view.blobs.close()


@pytest.fixture
def names() -> dict[str, str]:
    """Unique queue names and host id per test: tests share one Azurite."""
    suffix = uuid.uuid4().hex[:10]
    return {
        "FAILING_QUEUE": f"failing-{suffix}",
        "ECHO_QUEUE": f"echo-{suffix}",
        "FANOUT_QUEUE": f"fanout-{suffix}",
        "OUT_QUEUE": f"Fanout-Out-{suffix}",  # mixed case: the output binding lower-cases it
        "RETURNS_QUEUE": f"returns-{suffix}",
        "AzureFunctionsWebHost__hostid": f"test-host-{suffix}",
    }


StartHost = Callable[..., RunningHost]


@pytest.fixture
def start_host(storage_connection_string: str, names: dict[str, str]) -> Iterator[StartHost]:
    """start_host(*enabled_functions, **extra_settings): every other sample function is disabled."""
    RECORDER.clear()
    with ExitStack() as stack:

        def start(*enabled: str, **extra: str) -> RunningHost:
            settings = {
                "AzureWebJobsStorage": storage_connection_string,
                "YEARLY_SCHEDULE": YEARLY,
                "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT": "1024",
                **names,
                **{
                    f"AzureWebJobs.{name}.Disabled": "true"
                    for name in SAMPLE_FUNCTIONS
                    if name not in enabled
                },
                **extra,
            }
            return stack.enter_context(run_host_in_thread(SAMPLE_APP, settings))

        yield start


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every host thread, worker thread and executor thread is gone when a test ends."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while leaked := [t.name for t in threading.enumerate() if t not in before and t.is_alive()]:
        if time.monotonic() > deadline:
            raise AssertionError(f"threads leaked by the test: {leaked}")
        time.sleep(0.05)
