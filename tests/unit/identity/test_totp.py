"""TOTP: RFC 6238 vectors, the ±1 step window, replay refusal and the strict code format."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.identity import totp

# RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
NOW = datetime(2026, 3, 1, 9, 0, 10, tzinfo=UTC)


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


@pytest.mark.parametrize(
    ("unix_time", "eight_digit_code"),
    [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")],
)
def test_rfc6238_vectors(unix_time: int, eight_digit_code: str):
    """Six digits are the low six of RFC 6238's eight-digit SHA-1 values."""
    moment = datetime.fromtimestamp(unix_time, UTC)
    step = totp.verify(RFC_SECRET, eight_digit_code[-6:], now=moment, last_used_step=None)
    assert step == unix_time // 30


def test_new_secret_is_160_random_bits():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(base64.b32decode(secret)) == 20 for secret in secrets)


def test_provisioning_uri_names_issuer_and_account():
    secret = totp.new_secret()
    uri = urlsplit(totp.provisioning_uri(secret, "ada@example.test"))
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Insight365:ada@example.test"
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Insight365"]
    assert query.get("digits", ["6"]) == ["6"]
    assert query.get("period", ["30"]) == ["30"]
    assert query.get("algorithm", ["SHA1"]) == ["SHA1"]


@pytest.mark.parametrize("offset_steps", [-1, 0, 1])
def test_current_and_adjacent_steps_are_accepted(offset_steps: int):
    secret = totp.new_secret()
    code = code_at(secret, NOW + timedelta(seconds=30 * offset_steps))
    assert totp.verify(secret, code, now=NOW, last_used_step=None) == totp.time_step(NOW) + offset_steps


@pytest.mark.parametrize("offset_steps", [-3, -2, 2, 3])
def test_steps_outside_the_window_are_refused(offset_steps: int):
    secret = totp.new_secret()
    code = code_at(secret, NOW + timedelta(seconds=30 * offset_steps))
    assert totp.verify(secret, code, now=NOW, last_used_step=None) is None


def test_a_used_step_cannot_be_replayed():
    secret = totp.new_secret()
    code = code_at(secret, NOW)
    step = totp.verify(secret, code, now=NOW, last_used_step=None)
    assert step is not None
    assert totp.verify(secret, code, now=NOW, last_used_step=step) is None
    assert totp.verify(secret, code, now=NOW + timedelta(seconds=25), last_used_step=step) is None


def test_an_older_step_is_refused_after_a_newer_one():
    secret = totp.new_secret()
    current = totp.time_step(NOW)
    previous_code = code_at(secret, NOW - timedelta(seconds=30))
    assert totp.verify(secret, previous_code, now=NOW, last_used_step=current) is None
    next_code = code_at(secret, NOW + timedelta(seconds=30))
    assert (
        totp.verify(secret, next_code, now=NOW + timedelta(seconds=30), last_used_step=current) == current + 1
    )


def test_wrong_secret_is_refused():
    code = code_at(totp.new_secret(), NOW)
    other = totp.new_secret()
    if code_at(other, NOW) != code:  # one chance in a million that two secrets agree
        assert totp.verify(other, code, now=NOW, last_used_step=None) is None


def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        totp.verify(totp.new_secret(), "123456", now=datetime(2026, 3, 1), last_used_step=None)


@pytest.mark.parametrize(
    "code",
    [
        "12345",
        "1234567",
        " 123456",
        "123456 ",
        "123456\n",
        "12 345",
        "123-456",
        "١٢٣٤٥٦",
        "１２３４５６",
        "12345²",
        "",
        None,
        123456,
    ],
)
def test_malformed_codes_are_refused(code: object):
    assert totp.parse_code(code) is None


@given(st.text(max_size=12))
def test_parser_accepts_exactly_six_ascii_digits(text: str):
    expected = len(text) == 6 and all("0" <= char <= "9" for char in text)
    assert (totp.parse_code(text) == text) is expected
    if not expected:
        assert totp.verify(RFC_SECRET, text, now=NOW, last_used_step=None) is None


@given(st.from_regex(r"\A[0-9]{6}\Z"))
def test_parser_accepts_every_six_digit_string(code: str):
    assert totp.parse_code(code) == code
