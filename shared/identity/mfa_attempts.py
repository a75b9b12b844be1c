"""Lock-out after repeated MFA failures: 5 failures lock MFA for 15 minutes.

A pure state machine over the `mfa` row's counter and lock time: the caller loads the state, asks
`is_locked` before checking any code, stores what `register_failure`/`register_success` return, and
raises a security event when a failure returns a locked state. Failures while locked do not extend
the lock, so an attacker cannot keep a user locked out for longer than one period per five guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shared.identity.clock import require_aware

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class MfaAttempts:
    failures: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and require_aware(now) < self.locked_until

    def register_failure(self, now: datetime) -> MfaAttempts:
        if self.is_locked(now):
            return self
        failures = self.failures + 1
        if failures >= MAX_FAILURES:
            # The counter restarts with the lock, so the next lock needs five more failures.
            return MfaAttempts(failures=0, locked_until=now + LOCKOUT)
        return replace(self, failures=failures)

    def register_success(self) -> MfaAttempts:
        return MfaAttempts()
