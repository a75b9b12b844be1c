"""Lock-out: 5 failures lock MFA for 15 minutes; the lock cannot be extended by more failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.identity.mfa_attempts import LOCKOUT, MAX_FAILURES, MfaAttempts

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def failed(times: int, state: MfaAttempts | None = None, at: datetime = NOW) -> MfaAttempts:
    state = state or MfaAttempts()
    for _ in range(times):
        state = state.register_failure(at)
    return state


def test_policy_is_five_failures_for_fifteen_minutes():
    assert MAX_FAILURES == 5
    assert timedelta(minutes=15) == LOCKOUT


def test_four_failures_do_not_lock():
    state = failed(4)
    assert state.failures == 4
    assert not state.is_locked(NOW)


def test_fifth_failure_locks_for_fifteen_minutes():
    state = failed(5)
    assert state.is_locked(NOW)
    assert state.is_locked(NOW + timedelta(minutes=14, seconds=59))
    assert not state.is_locked(NOW + timedelta(minutes=15))


def test_failures_while_locked_do_not_extend_the_lock():
    locked = failed(5)
    later = NOW + timedelta(minutes=10)
    assert failed(20, locked, at=later) == locked
    assert not failed(20, locked, at=later).is_locked(NOW + timedelta(minutes=15))


def test_after_the_lock_five_more_failures_are_needed():
    state = failed(5)
    after = NOW + timedelta(minutes=15)
    state = failed(4, state, at=after)
    assert not state.is_locked(after)
    assert failed(1, state, at=after).is_locked(after)


def test_success_resets_the_counter():
    state = failed(4).register_success()
    assert state == MfaAttempts()
    assert not failed(4, state).is_locked(NOW)
