"""Microsoft Secure Score, graded on its share of the maximum."""

from __future__ import annotations

from shared.insights.assurance import Outcome, TenantRule, graded, secure_score_summary
from shared.insights.checks.sources import declare
from shared.insights.state import TenantState
from shared.snapshot import Dataset

PASS_AT, WARN_AT = 70, 40  # % of the maximum score


def _secure_score(state: TenantState) -> Outcome:
    summary = secure_score_summary(state.scores)
    if summary is None:
        return Outcome("not_applicable", {}, "no Secure Score in this run", "data_unreadable")
    return Outcome(
        graded(summary.pct, PASS_AT, WARN_AT),
        {
            "current": summary.current,
            "maximum": summary.maximum,
            "pct": summary.pct,
            "change_7d": summary.change_7d,
            "change_30d": summary.change_30d,
        },
    )


SECURE_SCORE = TenantRule(
    declare(
        "secure-score",
        "Microsoft Secure Score",
        "low",
        rationale="Microsoft's own measure of the tenant's configuration, tracked over time.",
        remediation="Work through the improvement actions in Microsoft Defender › Secure Score.",
        requires=(Dataset.SECURE_SCORES,),
    ),
    _secure_score,
)
