"""The host's SharedQueueWatcher: a write to a queue by this host ends its listener's back-off at once."""

from __future__ import annotations

import asyncio


class QueueWatcher:
    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def event(self, queue_name: str) -> asyncio.Event:
        return self._events.setdefault(queue_name, asyncio.Event())

    def notify(self, queue_name: str) -> None:
        self.event(queue_name).set()
