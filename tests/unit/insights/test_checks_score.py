"""Secure Score check (checks/score.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.insights.models import ScorePoint
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.state_builder import AS_OF, tenant_state


@pytest.mark.parametrize(
    ("current", "status"), [(70.0, "pass"), (69.9, "warn"), (40.0, "warn"), (39.9, "fail")]
)
def test_secure_score_boundaries(current: float, status: str) -> None:
    # pct = current / max (here max 100): pass ≥ 70, warn ≥ 40, fail below
    scores = (ScorePoint(day=AS_OF, current=current, maximum=100.0),)
    assert verdict("secure-score", tenant_state(scores=scores)).result.status == status


def test_secure_score_trend_and_absence() -> None:
    scores = tuple(
        ScorePoint(day=AS_OF - timedelta(days=n), current=60.0 - n / 10, maximum=100.0) for n in range(40)
    )
    evidence = verdict("secure-score", tenant_state(scores=scores)).result.evidence
    assert evidence["change_7d"] == 0.7  # 60.0 − 59.3
    assert evidence["change_30d"] == 3.0  # 60.0 − 57.0
    absent = verdict("secure-score", tenant_state()).result
    assert (absent.status, absent.not_applicable) == ("not_applicable", "data_unreadable")
