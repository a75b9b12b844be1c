"""TOTP codes for the demo members, each sent at most once.

The API accepts a code for the current 30-second time-step or the next one (clock drift), and only for a
step later than the last one it accepted; every refused code counts towards the lock (5 refusals lock
TOTP for 15 minutes). A helper that signs in repeatedly must therefore remember the last step it used
for each secret and never send a code the API is bound to refuse: within one step it can use the current
code and then the next one, and after that it waits for the clock rather than guessing.

`StepLedger` keeps that memory in a small JSON file (mode 0600) keyed by a digest of the secret, never the
secret itself, so a re-seeded secret starts afresh. Reservations are serialised with an exclusive file
lock, so concurrent sign-ins of one member never pick the same step.

`python -m dev.totp <email>` prints a fresh code for a demo member, to type into the web app's sign-in;
it draws from the same ledger as `python -m dev.login`, so neither ever sends a code the other used.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyotp

from dev.seed import DEMO_FILE
from shared.identity.totp import DIGITS, DRIFT_STEPS, STEP_SECONDS

LEDGER_NAME = "demo-totp-steps.json"  # kept beside the demo members' file


def totp_secret(email: str, demo_file: Path = DEMO_FILE) -> str:
    """A seeded demo member's TOTP secret, from the demo file `dev.seed` writes."""
    members = json.loads(demo_file.read_text(encoding="utf-8")) if demo_file.exists() else {}
    if email not in members:
        raise SystemExit(f"{email} is not a seeded demo member (see {demo_file})")
    return str(members[email]["totp_secret"])


@dataclass(frozen=True)
class Reservation:
    """A time-step reserved for one sign-in; its code is accepted from `usable_at` (epoch seconds)."""

    secret: str
    step: int

    @property
    def usable_at(self) -> float:
        return float((self.step - DRIFT_STEPS) * STEP_SECONDS)

    @property
    def code(self) -> str:
        return pyotp.TOTP(self.secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(self.step)


class StepLedger:
    """The last time-step used per TOTP secret, in a file shared by every process that signs in."""

    def __init__(
        self, path: Path, clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._path = path
        self._clock = clock
        self._sleep = sleep

    @classmethod
    def beside(cls, demo_file: Path) -> StepLedger:
        """The ledger of the demo members in `demo_file`."""
        return cls(demo_file.with_name(LEDGER_NAME))

    @staticmethod
    def _key(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()[:32]

    @contextmanager
    def _steps(self) -> Iterator[dict[str, int]]:
        """The ledger's contents under an exclusive lock; changes are written back when the block ends."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "r+", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # released when the file is closed
            text = file.read()
            steps: dict[str, int] = json.loads(text) if text.strip() else {}
            yield steps
            file.seek(0)
            file.truncate()
            json.dump(steps, file)

    def reserve(self, secret: str) -> Reservation:
        """The earliest step after the last one used: the current step, or a later one to wait for."""
        current = int(self._clock()) // STEP_SECONDS
        with self._steps() as steps:
            step = max(current, steps.get(self._key(secret), current - 1) + 1)
            steps[self._key(secret)] = step
        return Reservation(secret=secret, step=step)

    def next_code(self, secret: str, *, program: str | None = None) -> str:
        """A code the API has not seen, returned once the API accepts it: waits (at most one step) if it
        must, saying so on stderr as `program` when given."""
        reservation = self.reserve(secret)
        wait = reservation.usable_at - self._clock()
        if wait > 0:
            if program is not None:
                print(f"{program}: waiting {wait:.0f} s for an unused TOTP code", file=sys.stderr)
            self._sleep(wait)
        return reservation.code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.totp", description="Print a fresh demo TOTP code.")
    parser.add_argument("email", help="a demo member, e.g. admin@northwind.example")
    email = parser.parse_args(argv).email
    code = StepLedger.beside(DEMO_FILE).next_code(totp_secret(email), program="dev.totp")
    print(code)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
