"""TEST-ONLY: evaluate one check on a hand-made state, and the findings rows it would publish."""

from __future__ import annotations

from shared.insights.assurance import Assessed, assess, findings
from shared.insights.checks import CHECKS_BY_ID
from shared.insights.state import TenantState


def verdict(check_id: str, state: TenantState) -> Assessed:
    """The check's result, asserting the invariant every per-account check keeps: its published
    findings are exactly its offenders, one row each."""
    assessed = assess(CHECKS_BY_ID[check_id], state)
    rows = list(findings(state, [assessed]))
    if assessed.result.status in ("fail", "warn"):
        assert len(rows) == len(assessed.offenders)
        assert len({state.sort_name(subject) for _, subject, _ in rows}) == len(rows)
    else:
        assert rows == []
    return assessed
