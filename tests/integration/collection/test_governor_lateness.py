"""A worker that wakes late for its slot (a busy event loop, a paused instance) gives the slot up and
reserves another, against Azurite: sent late, its request would land inside the next requests' window
and Graph would answer 429 although every slot was spaced right (the fleet bench's 429s)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from shared.graph import GovernorConfig, QuotaGovernor
from shared.graph.quota import APP_ROW, PARTITION, SIGN_IN_ACTIVITY, SIGN_IN_REQUEST
from shared.storage import PageTokenSigner, SharedTable, StorageClients, TableName

TOKENS = PageTokenSigner(b"k" * 32)
CONFIG = GovernorConfig(scale=60, margin=0.1)  # signInActivity: 10 a second, slots 0.11 s apart
WINDOW = SIGN_IN_ACTIVITY.seconds / CONFIG.scale


class PausingClock:
    """Wall time, plus a pause of `pause` seconds during the first wait for a slot in the future."""

    def __init__(self, pause: float) -> None:
        self.offset = 0.0
        self.pause = pause

    def __call__(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if seconds > 0 and self.pause:
            self.offset, self.pause = self.offset + self.pause, 0.0


def _schedule(clients: StorageClients, app: str) -> float:
    """When the app's signInActivity schedule has its next free slot."""
    row = SharedTable(clients, TableName.QUOTAS, tokens=TOKENS).partition(PARTITION).get(APP_ROW + app)
    return float(row.properties[SIGN_IN_ACTIVITY.name])


def test_a_slot_woken_for_too_late_is_given_up_and_another_taken(clients: StorageClients):
    app, tenant = str(uuid.uuid4()), str(uuid.uuid4())
    clock = PausingClock(pause=WINDOW / 2)  # far more than the margin's slack of 0.1 s
    governor = QuotaGovernor(clients, TOKENS, CONFIG, clock=clock, sleep=clock.sleep)

    async def two_requests() -> float:
        await governor.acquire(SIGN_IN_REQUEST, app, tenant)  # the schedule is free: now
        await governor.acquire(SIGN_IN_REQUEST, app, tenant)  # the next slot; the worker wakes late
        return clock()

    sent = asyncio.run(two_requests())

    assert governor.stats.missed == 1 and governor.stats.permits == 2
    # The second request went on a slot reserved after the pause, not on the one it woke too late for.
    assert _schedule(clients, app) >= sent + governor.interval(SIGN_IN_ACTIVITY) - CONFIG.margin * WINDOW


def test_a_worker_on_time_keeps_its_slot(clients: StorageClients):
    app, tenant = str(uuid.uuid4()), str(uuid.uuid4())
    clock = PausingClock(pause=0.0)
    governor = QuotaGovernor(clients, TOKENS, CONFIG, clock=clock, sleep=clock.sleep)

    async def requests() -> None:
        for _ in range(3):
            await governor.acquire(SIGN_IN_REQUEST, app, tenant)

    asyncio.run(requests())

    assert governor.stats.missed == 0 and governor.stats.permits == 3


class SlowStorageGovernor(QuotaGovernor):
    """Each reservation write takes `write_seconds`: slow storage, or a storage account far away."""

    write_seconds = 0.04  # two writes a reservation: more than the 0.05 s a worker may be late

    def _reserve(self, *args: Any) -> None:
        time.sleep(self.write_seconds)
        super()._reserve(*args)


def test_on_an_idle_schedule_a_slow_reservation_is_not_late_for_its_own_slot(clients: StorageClients):
    """A slot of an idle schedule is reserved as far ahead as a reservation takes: otherwise it is past
    by the time the worker holds it, every reservation is missed, and the worker never sends."""
    app, tenant = str(uuid.uuid4()), str(uuid.uuid4())
    governor = SlowStorageGovernor(clients, TOKENS, CONFIG)

    async def idle_requests() -> None:
        for _ in range(3):
            await governor.acquire(SIGN_IN_REQUEST, app, tenant)
            await asyncio.sleep(2 * governor.interval(SIGN_IN_ACTIVITY))  # the schedule falls idle

    asyncio.run(asyncio.wait_for(idle_requests(), timeout=30))

    assert governor.stats.permits == 3
    assert governor.stats.missed <= 1  # the first, before the governor knows how long a reservation takes
