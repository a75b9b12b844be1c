"""A job's run is claimed by one instance at a time, and the next run starts where the last one ended."""

from __future__ import annotations

import secrets
from datetime import timedelta

from shared.operations.checkpoints import JobCheckpoint
from shared.services import Services
from tests.integration.api.client import FakeClock


def test_one_instance_claims_a_run_and_the_next_starts_where_it_ended(
    services: Services, clock: FakeClock
) -> None:
    job = f"test-{secrets.token_hex(4)}"
    first, second = (
        JobCheckpoint(services.storage, services.page_signer, job, lease=timedelta(minutes=10)) for _ in "ab"
    )
    now = clock()
    claim = first.claim(now)
    assert claim is not None and claim.since is None
    assert second.claim(now) is None  # the other instance, woken by the same timer, skips
    first.complete(claim, now)
    later = second.claim(now + timedelta(minutes=5))
    assert later is not None and later.since == now


def test_a_run_that_died_is_taken_over_when_its_lease_ends(services: Services, clock: FakeClock) -> None:
    job = f"test-{secrets.token_hex(4)}"
    checkpoint = JobCheckpoint(services.storage, services.page_signer, job, lease=timedelta(minutes=10))
    now = clock()
    dead = checkpoint.claim(now)
    assert dead is not None
    assert checkpoint.claim(now + timedelta(minutes=9)) is None
    taken = checkpoint.claim(now + timedelta(minutes=11))
    assert taken is not None
    checkpoint.complete(dead, now + timedelta(minutes=12))  # the dead run's late completion loses
    assert checkpoint.last_until() is None
