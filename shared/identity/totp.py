"""TOTP (RFC 6238) as most authenticator apps implement it: SHA-1, 6 digits, 30-second steps.

ASVS 6.5.1 (each code usable once): `verify` accepts a code for the current step or one step either
side (clock drift between phone and server), and only for a step later than the last one accepted,
so a code seen over a shoulder or replayed from a log is refused, and so is any older code.
ASVS 6.5.3 (CSPRNG seed): `new_secret` draws 160 bits from `secrets`, RFC 4226's recommended length.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

from shared.identity.clock import require_aware

ISSUER_NAME = "Insight365"
DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1
SECRET_BASE32_CHARS = 32  # 32 base32 characters = 160 bits
_ASCII_DIGITS = frozenset("0123456789")


def new_secret() -> str:
    """A new base32 TOTP secret from the OS CSPRNG (pyotp uses `secrets`)."""
    return pyotp.random_base32(length=SECRET_BASE32_CHARS)


def provisioning_uri(secret: str, account_label: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app scans (issuer "Insight365")."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account_label, issuer_name=ISSUER_NAME
    )


def parse_code(code: object) -> str | None:
    """The code if it is exactly six ASCII digits, else None.

    `str.isdigit` is not enough: it accepts other scripts' digits ("٣") and superscripts ("²").
    No trimming or separators: the client sends what the user typed, cleaned up on its side.
    """
    if isinstance(code, str) and len(code) == DIGITS and set(code) <= _ASCII_DIGITS:
        return code
    return None


def time_step(now: datetime) -> int:
    return int(require_aware(now).timestamp()) // STEP_SECONDS


def verify(secret: str, code: object, *, now: datetime, last_used_step: int | None) -> int | None:
    """The time-step the code belongs to if it is valid and unused, else None.

    Store the returned step as the new `last_used_step`. Every candidate step is compared, with a
    constant-time comparison, so the answer's timing says nothing about which digits were right.
    """
    candidate = parse_code(code)
    if candidate is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    accepted: int | None = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        matches = hmac.compare_digest(expected.encode(), candidate.encode())
        if matches and accepted is None and (last_used_step is None or step > last_used_step):
            accepted = step
    return accepted
