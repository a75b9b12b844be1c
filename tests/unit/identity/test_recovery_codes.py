"""Recovery codes: high-entropy, stored hashed, each usable exactly once."""

from __future__ import annotations

import re

import pytest

from shared.identity import recovery_codes

FORMAT = re.compile(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}")


def test_ten_distinct_human_friendly_codes():
    issued = recovery_codes.generate()
    assert len(issued.codes) == len(set(issued.codes)) == 10
    assert all(FORMAT.fullmatch(code) for code in issued.codes)


def test_only_hashes_are_stored():
    issued = recovery_codes.generate()
    assert len(set(issued.hashes)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{64}", stored) for stored in issued.hashes)
    for code in issued.codes:
        canonical = code.replace("-", "").upper()
        assert all(code not in stored and canonical not in stored for stored in issued.hashes)


def test_codes_differ_between_enrolments():
    assert not set(recovery_codes.generate().codes) & set(recovery_codes.generate().codes)


def test_a_code_works_once():
    issued = recovery_codes.generate()
    remaining = recovery_codes.verify_and_consume(issued.codes[3], issued.hashes)
    assert remaining == issued.hashes[:3] + issued.hashes[4:]
    assert recovery_codes.verify_and_consume(issued.codes[3], remaining) is None


def test_every_code_can_be_used_once_until_none_remain():
    issued = recovery_codes.generate()
    remaining: tuple[str, ...] | None = issued.hashes
    for code in issued.codes:
        assert remaining is not None
        remaining = recovery_codes.verify_and_consume(code, remaining)
    assert remaining == ()


def test_typing_variants_are_accepted():
    issued = recovery_codes.generate()
    typed = issued.codes[0].upper().replace("-", " ")
    assert recovery_codes.verify_and_consume(typed, issued.hashes) is not None


def test_another_members_code_is_refused():
    mine, theirs = recovery_codes.generate(), recovery_codes.generate()
    assert recovery_codes.verify_and_consume(theirs.codes[0], mine.hashes) is None


@pytest.mark.parametrize(
    "code", ["", "abcd-efgh-ijkl", "abcd-efgh-ijkl-mnop-qrst", "abcd-efgh-ijkl-mno1", None, 7, "a" * 100]
)
def test_malformed_codes_are_refused(code: object):
    issued = recovery_codes.generate()
    assert recovery_codes.verify_and_consume(code, issued.hashes) is None
