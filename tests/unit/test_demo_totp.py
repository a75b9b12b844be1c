"""`dev.totp.StepLedger`: every sign-in of a demo member gets a time-step the API has not seen yet."""

from __future__ import annotations

import json
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

from dev.totp import StepLedger
from shared.identity import totp

SECRET = pyotp.random_base32(32)
START = 1_800_000_000.0  # a step boundary: 60,000,000 × 30 s


def _accepted_by_api(code: str, at: float, last_used_step: int | None) -> int | None:
    return totp.verify(SECRET, code, now=datetime.fromtimestamp(at, UTC), last_used_step=last_used_step)


def test_sign_ins_within_one_step_use_the_current_code_then_the_next_then_wait(tmp_path: Path) -> None:
    ledger = StepLedger(tmp_path / "steps.json", clock=lambda: START + 5)
    first, second, third = (ledger.reserve(SECRET) for _ in range(3))

    assert [first.step, second.step, third.step] == [60_000_000, 60_000_001, 60_000_002]
    assert first.usable_at <= START + 5 and second.usable_at <= START + 5
    assert third.usable_at == START + 30  # wait for the next step rather than send a doomed code
    # Sent when usable, each code is accepted by the API's own rule, in order: nothing is ever refused.
    last_used: int | None = None
    for reservation in (first, second, third):
        last_used = _accepted_by_api(reservation.code, max(reservation.usable_at, START + 5), last_used)
        assert last_used == reservation.step


def test_a_later_sign_in_starts_from_the_current_step(tmp_path: Path) -> None:
    now = [START]
    ledger = StepLedger(tmp_path / "steps.json", clock=lambda: now[0])
    ledger.reserve(SECRET)
    now[0] = START + 600
    assert ledger.reserve(SECRET).step == int(START + 600) // 30


def test_secrets_are_independent_and_never_written_to_the_ledger(tmp_path: Path) -> None:
    path = tmp_path / "steps.json"
    ledger = StepLedger(path, clock=lambda: START)
    other = pyotp.random_base32(32)
    assert ledger.reserve(SECRET).step == ledger.reserve(other).step == 60_000_000
    text = path.read_text()
    assert SECRET not in text and other not in text
    assert len(json.loads(text)) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_concurrent_sign_ins_never_share_a_step(tmp_path: Path) -> None:
    ledger = StepLedger(tmp_path / "steps.json", clock=lambda: START)
    with ThreadPoolExecutor(max_workers=8) as pool:
        steps = list(pool.map(lambda _: ledger.reserve(SECRET).step, range(16)))
    assert sorted(steps) == list(range(60_000_000, 60_000_016))


def test_next_code_waits_for_the_step_it_reserved_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = [START + 5]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    ledger = StepLedger(tmp_path / "steps.json", clock=lambda: now[0], sleep=sleep)
    codes = [ledger.next_code(SECRET, program="dev.login") for _ in range(3)]

    assert slept == [25.0]  # the third code's step is accepted from START + 30
    assert "dev.login: waiting 25 s" in capsys.readouterr().err
    last_used: int | None = None
    for code in codes:
        last_used = _accepted_by_api(code, now[0], last_used)
        assert last_used is not None


def test_the_ledger_lives_beside_the_demo_file(tmp_path: Path) -> None:
    StepLedger.beside(tmp_path / "demo-members.json").reserve(SECRET)
    assert (tmp_path / "demo-totp-steps.json").exists()
