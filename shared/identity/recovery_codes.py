"""One-time recovery codes, shown once at TOTP enrolment and stored only as hashes.

Each code is 16 base32 characters (80 random bits), shown as `xxxx-xxxx-xxxx-xxxx`. Plain SHA-256 is
the right hash here: slow hashes (scrypt, Argon2) exist to protect low-entropy passwords from
guessing, but guessing one 80-bit random value costs 2^79 hashes on average even with the table in
hand, so a slow hash would add cost to every sign-in and nothing to security. A domain-separation
prefix keeps these hashes from matching any other SHA-256 use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

CODE_COUNT = 10
CODE_BYTES = 10  # 80 bits -> 16 base32 characters, no padding
GROUP = 4
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_HASH_PREFIX = b"insight365/recovery-code/v1\n"


@dataclass(frozen=True)
class RecoveryCodes:
    codes: tuple[str, ...]  # shown to the user once, never stored
    hashes: tuple[str, ...]  # stored in the `mfa` row


def _format(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP)).lower()


def normalise(code: object) -> str | None:
    """The canonical form (upper-case, no hyphens or spaces) of a plausibly typed code, else None."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    canonical = code.replace("-", "").replace(" ", "").upper()
    if len(canonical) != CODE_BYTES * 8 // 5 or not set(canonical) <= _ALPHABET:
        return None
    return canonical


def hash_code(canonical: str) -> str:
    return hashlib.sha256(_HASH_PREFIX + canonical.encode("ascii")).hexdigest()


def generate() -> RecoveryCodes:
    raw = [base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii") for _ in range(CODE_COUNT)]
    return RecoveryCodes(codes=tuple(_format(code) for code in raw), hashes=tuple(map(hash_code, raw)))


def verify_and_consume(code: object, stored_hashes: Sequence[str]) -> tuple[str, ...] | None:
    """The hashes left after using `code`, or None if it matches none (used, mistyped or foreign).

    Every stored hash is compared in constant time, so timing reveals neither which one matched nor
    how much of it. The caller must store the result before answering, so the code works only once.
    """
    canonical = normalise(code)
    if canonical is None:
        return None
    candidate = hash_code(canonical).encode()
    matched: int | None = None
    for index, stored in enumerate(stored_hashes):
        if hmac.compare_digest(candidate, stored.encode()) and matched is None:
            matched = index
    if matched is None:
        return None
    return tuple(stored for index, stored in enumerate(stored_hashes) if index != matched)
