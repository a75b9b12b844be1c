"""What the sample app's functions observed, shared in-process with the tests (the host runs in a thread)."""

from __future__ import annotations

import threading
import time
from typing import Any


class Recorder:
    def __init__(self) -> None:
        self._events: list[tuple[str, dict[str, Any]]] = []
        self._changed = threading.Condition()

    def record(self, function: str, **observed: Any) -> None:
        with self._changed:
            self._events.append((function, observed))
            self._changed.notify_all()

    def events(self, function: str) -> list[dict[str, Any]]:
        with self._changed:
            return [observed for name, observed in self._events if name == function]

    def wait_for(self, function: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """At least `count` events of `function`, or AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [o for name, o in self._events if name == function]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{function}: {len(found)} of {count} invocations in {timeout}s")
                self._changed.wait(remaining)
            return found

    def clear(self) -> None:
        with self._changed:
            self._events.clear()


RECORDER = Recorder()
