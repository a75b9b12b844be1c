"""Assurance: identity security checks as declarations, their evaluation, and the 0–100 posture score.

A check is one declaration (`shared/insights/checks/`): its metadata (`CheckInfo`: id, title, severity,
every baseline id it implements, rationale, remediation with the admin-centre path, the licence, Graph
permission and Graph data it needs) plus either

- a per-account rule (`AccountRule`): which subjects it looks at, the predicate that makes one an
  offender, and a grading rule over the offenders; the published count is `len(offenders)` and the
  `assurance-findings` rows are exactly the offenders, from the same pass; or
- a whole-tenant rule (`TenantRule`): one evaluation of the tenant's configuration.

A check whose data is missing from the run is `not_applicable`, with which of three causes applies (see
`NotApplicable`): never a pass, and an API failure is never called a missing licence.

Posture score (also in the README, "Posture score"):

    score = round_half_up(100 × Σ wᵢ·sᵢ / Σ wᵢ), over the checks whose verdict is not `not_applicable`
    wᵢ = 3 (high), 2 (medium), 1 (low)         sᵢ = 1 (pass), 0.5 (warn), 0 (fail)

and `None` when no check applies. An accepted check (`shared.insights.acceptance`) scores its verdict:
accepting a risk never changes the score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, TypeVar

from shared.graph.errors import PERMISSION_DENIED
from shared.insights.models import (
    CheckResult,
    CheckStatus,
    NotApplicableCause,
    Posture,
    ScorePoint,
    SecureScoreSummary,
    Severity,
)
from shared.insights.rounding import exact, half_up, pct, stat
from shared.insights.state import RoleHolder, TenantState
from shared.snapshot import Dataset

SEVERITY_WEIGHT: dict[str, int] = {"high": 3, "medium": 2, "low": 1}
STATUS_SCORE: dict[str, Fraction] = {"pass": Fraction(1), "warn": Fraction(1, 2), "fail": Fraction(0)}
POSTURE_FORMULA = (
    "round half-up(100 × Σ w·s / Σ w) over applicable checks; w = 3 high, 2 medium, 1 low; "
    "s = 1 pass, 0.5 warn, 0 fail; an accepted check scores its verdict"
)

Subject = TypeVar("Subject", int, RoleHolder)  # an account (its table index) or a role holder


@dataclass(frozen=True, slots=True)
class CheckInfo:
    id: str
    title: str
    severity: Severity
    baselines: tuple[str, ...]  # every baseline id it implements: MS.AAD.x.yvN, EIDSCA.xxNN, CIS.M365.x.y.z
    rationale: str
    remediation: str  # what to do, with the admin-centre path
    requires: tuple[Dataset, ...]  # the snapshot datasets it reads
    permissions: tuple[str, ...]  # least-privileged Graph application permissions those datasets need
    graph: tuple[str, ...]  # the Graph requests behind them
    licence: str | None = None  # the licence the data needs, if any (e.g. "Microsoft Entra ID P1")


@dataclass(frozen=True, slots=True)
class Outcome:
    status: CheckStatus
    evidence: dict[str, Any]
    reason: str | None = None
    cause: NotApplicableCause | None = None  # why, when a rule itself finds it cannot judge


@dataclass(frozen=True)  # no slots: a parametrised generic sets __orig_class__ on its instances
class AccountRule(Generic[Subject]):
    """A per-account check: `offends` picks the offenders among `subjects`; `grade` turns them (and the
    state's population counts) into the verdict; `detail` is the finding's one line about an offender."""

    info: CheckInfo
    subjects: Callable[[TenantState], Iterable[Subject]]
    offends: Callable[[TenantState, Subject], bool]
    grade: Callable[[TenantState, Sequence[Subject]], Outcome]
    detail: Callable[[TenantState, Subject], str]

    def offenders(self, state: TenantState) -> list[Subject]:
        return [s for s in self.subjects(state) if self.offends(state, s)]

    def describe(self, state: TenantState, subject: Any) -> str:
        """The finding's line about one of this rule's own offenders."""
        return self.detail(state, subject)


@dataclass(frozen=True, slots=True)
class TenantRule:
    """A whole-tenant check: one evaluation of the tenant's configuration."""

    info: CheckInfo
    evaluate: Callable[[TenantState], Outcome]


Check = AccountRule[int] | AccountRule[RoleHolder] | TenantRule


@dataclass(frozen=True, slots=True)
class Assessed:
    """One check's verdict and the offenders it was graded on (empty for a whole-tenant check)."""

    check: Check
    result: CheckResult
    offenders: Sequence[int | RoleHolder]


def graded(value: float | None, pass_at: float, warn_at: float) -> CheckStatus:
    """pass at or above `pass_at`, warn at or above `warn_at`, else fail; warn when there is no value."""
    if value is None:
        return "warn"
    return "pass" if value >= pass_at else "warn" if value >= warn_at else "fail"


def none_allowed(offenders: int) -> CheckStatus:
    return "fail" if offenders else "pass"


def share_graded(offenders: int, whole: int, warn_up_to_pct: float = 5) -> tuple[CheckStatus, float | None]:
    """pass with no offender, warn while they are at most `warn_up_to_pct` % of `whole`, else fail."""
    share = pct(offenders, whole)
    if not offenders:
        return "pass", share
    return ("warn" if (share or 0) <= warn_up_to_pct else "fail"), share


# --- not applicable: which cause, in plain words ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotApplicable:
    cause: NotApplicableCause
    reason: str


def not_applicable(info: CheckInfo, state: TenantState) -> NotApplicable | None:
    """Why the check cannot be evaluated in this run, or None when all its data is there.

    - `not_licensed`: Graph answered that the tenant lacks the licence the data needs (the collector's
      "unavailable", from 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant);
    - `permission_not_granted`: Graph answered 403 Authorization_RequestDenied: the app lacks the
      permission (learn.microsoft.com/graph/resolve-auth-errors);
    - `data_unreadable`: any other failure, or the dataset is absent from the run.
    """
    for dataset in info.requires:
        status = state.statuses.get(dataset.value, "missing")
        if status == "complete":
            continue
        error = state.errors.get(dataset.value)
        if status == "unavailable":
            licence = info.licence or "a licence the tenant does not have"
            return NotApplicable("not_licensed", f"not licensed: {dataset.value} needs {licence}")
        if error and f"403 {PERMISSION_DENIED}" in error:
            granted = " and ".join(info.permissions) or "a permission"
            return NotApplicable(
                "permission_not_granted",
                f"permission not granted: reading {dataset.value} needs {granted} ({error})",
            )
        detail = f" ({error})" if error else ""
        return NotApplicable(
            "data_unreadable", f"data could not be read: the {dataset.value} dataset is {status}{detail}"
        )
    return None


# --- evaluation -------------------------------------------------------------------------------------------


def _result(info: CheckInfo, outcome: Outcome) -> CheckResult:
    return CheckResult(
        id=info.id,
        title=info.title,
        severity=info.severity,
        status=outcome.status,
        reason=outcome.reason,
        evidence=outcome.evidence,
        remediation=info.remediation,
        baseline=info.baselines[0] if info.baselines else None,
        requires=[d.value for d in info.requires],
        not_applicable=outcome.cause,
        baselines=list(info.baselines),
        rationale=info.rationale,
        licence=info.licence,
        permissions=list(info.permissions),
        graph=list(info.graph),
    )


def assess(check: Check, state: TenantState) -> Assessed:
    missing = not_applicable(check.info, state)
    if missing is not None:
        outcome = Outcome("not_applicable", {}, missing.reason, missing.cause)
        return Assessed(check, _result(check.info, outcome), ())
    if isinstance(check, TenantRule):
        return Assessed(check, _result(check.info, check.evaluate(state)), ())
    return _assess_accounts(check, state)


def _assess_accounts(check: AccountRule[Any], state: TenantState) -> Assessed:
    offenders = check.offenders(state)
    return Assessed(check, _result(check.info, check.grade(state, offenders)), offenders)


def assess_all(checks: Iterable[Check], state: TenantState) -> list[Assessed]:
    return [assess(check, state) for check in checks]


def findings(
    state: TenantState, assessed: Iterable[Assessed]
) -> Iterator[tuple[CheckResult, int | RoleHolder, str]]:
    """(check, offender, detail) for every offender of a failing or warning per-account check: high
    severity first (declaration order within a severity), each check's offenders by user principal name."""
    ranked = sorted(
        (a for a in assessed if a.result.status in ("fail", "warn") and a.offenders),
        key=lambda a: -SEVERITY_WEIGHT[a.result.severity],
    )
    for item in ranked:
        rule = item.check
        assert isinstance(rule, AccountRule)  # only per-account rules have offenders
        for subject in sorted(item.offenders, key=state.sort_name):
            yield item.result, subject, rule.describe(state, subject)


def posture(results: Iterable[CheckResult]) -> Posture:
    """round(100 × Σ w·s / Σ w) over applicable checks (see the module docstring and the README)."""
    counts = {status: 0 for status in ("pass", "warn", "fail", "not_applicable", "accepted")}
    weighted, weights = Fraction(0), 0
    for result in results:
        counts[result.status] += 1
        verdict = result.verdict or result.status
        if verdict == "not_applicable":
            continue
        weight = SEVERITY_WEIGHT[result.severity]
        weights += weight
        weighted += weight * STATUS_SCORE[verdict]
    score = int(half_up(100 * weighted / weights, 0)) if weights else None
    return Posture(score=score, formula=POSTURE_FORMULA, counts=counts)


def secure_score_summary(points: tuple[ScorePoint, ...]) -> SecureScoreSummary | None:
    if not points:
        return None
    latest = points[0]

    def change(days: int) -> float | None:
        target = latest.day.toordinal() - days
        earlier = next((p for p in points if p.day.toordinal() <= target), None)
        return stat(exact(latest.current) - exact(earlier.current)) if earlier else None

    return SecureScoreSummary(
        current=latest.current,
        maximum=latest.maximum,
        pct=pct(exact(latest.current), exact(latest.maximum)),
        change_7d=change(7),
        change_30d=change(30),
        history=list(reversed(points)),
    )
