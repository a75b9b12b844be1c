"""Assurance: identity security checks as data-driven rules, and the 0–100 posture score.

Each check is a row of `CHECKS`: an id, title, severity, baseline reference (CISA SCuBA `MS.AAD.*` where one
exists), remediation text, the datasets it reads, and a small pure function of `AssuranceFacts` (counts
folded from the snapshot in the engine's single streaming pass). A check whose dataset is missing from the
run is `not_applicable`, with the reason (usually the licence the data needs), never silently passed.

Posture score (also in the README, "Posture score"):

    score = round_half_up(100 × Σ wᵢ·sᵢ / Σ wᵢ), over the checks whose status is not `not_applicable`
    wᵢ = 3 (high), 2 (medium), 1 (low)         sᵢ = 1 (pass), 0.5 (warn), 0 (fail)

and `None` when no check applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from shared.insights.models import CheckResult, CheckStatus, Posture, ScorePoint, SecureScoreSummary, Severity
from shared.insights.rounding import exact, half_up, money, pct, stat
from shared.snapshot import Dataset

SEVERITY_WEIGHT: dict[str, int] = {"high": 3, "medium": 2, "low": 1}
STATUS_SCORE: dict[str, Fraction] = {"pass": Fraction(1), "warn": Fraction(1, 2), "fail": Fraction(0)}
POSTURE_FORMULA = (
    "round half-up(100 × Σ w·s / Σ w) over applicable checks; w = 3 high, 2 medium, 1 low; "
    "s = 1 pass, 0.5 warn, 0 fail"
)
GA_MIN, GA_MAX = 2, 8  # MS.AAD.7.1v1
STALE_DAYS = 90

# Why a dataset can be absent from a run, for `not_applicable` reasons.
UNAVAILABLE_REASONS = {
    Dataset.SIGN_IN_ACTIVITY: "needs Microsoft Entra ID P1 or P2 (sign-in activity) and AuditLog.Read.All",
    Dataset.CONDITIONAL_ACCESS_POLICIES: "needs Microsoft Entra ID P1 (Conditional Access), Policy.Read.All",
    Dataset.REGISTRATION_DETAILS: "needs Microsoft Entra ID P1 or P2 and AuditLog.Read.All",
    Dataset.SECURE_SCORES: "needs SecurityEvents.Read.All",
    Dataset.ROLE_ASSIGNMENTS: "needs RoleManagement.Read.Directory",
}


@dataclass(frozen=True, slots=True)
class CaPolicy:
    state: str
    include_users: tuple[str, ...]
    exclude_users: tuple[str, ...]
    include_applications: tuple[str, ...]
    client_app_types: tuple[str, ...]
    built_in_controls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AssuranceFacts:
    statuses: Mapping[str, str]  # dataset → complete | failed | unavailable | missing
    enabled_accounts: int = 0
    enabled_members: int = 0
    registration_rows: int = 0
    mfa_registered: int = 0
    mfa_registered_enabled_members: int = 0
    admins: int = 0
    admins_without_mfa: int = 0
    global_admins: int = 0
    privileged_without_ga: int = 0
    synced_admins: int = 0
    inactive_licensed_admins_90: int = 0
    stale_enabled_90: int = 0
    guests_enabled: int = 0
    guests_stale: int = 0
    guests_stale_licensed: int = 0
    licensed_enabled: int = 0
    licensed_without_mfa: int = 0
    waste_currency: str | None = None
    inactive_admin_monthly_cost: float = 0.0
    stale_guest_monthly_cost: float = 0.0
    ca_policies: tuple[CaPolicy, ...] = ()
    secure_scores: tuple[ScorePoint, ...] = ()  # newest first


@dataclass(frozen=True, slots=True)
class Outcome:
    status: CheckStatus
    evidence: dict[str, Any]
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    severity: Severity
    baseline: str | None
    remediation: str
    requires: tuple[Dataset, ...]
    evaluate: Callable[[AssuranceFacts], Outcome]


def _graded(value: float | None, pass_at: float, warn_at: float) -> CheckStatus:
    if value is None:
        return "warn"
    return "pass" if value >= pass_at else "warn" if value >= warn_at else "fail"


# --- the checks (pure functions of the facts) ------------------------------------------------------------


def mfa_registration(f: AssuranceFacts) -> Outcome:
    coverage = pct(f.mfa_registered_enabled_members, f.enabled_members)
    return Outcome(
        _graded(coverage, 95, 80),
        {
            "enabled_members": f.enabled_members,
            "registered_enabled_members": f.mfa_registered_enabled_members,
            "coverage_pct": coverage,
            "registered_all_accounts": f.mfa_registered,
            "registration_rows": f.registration_rows,
        },
    )


def admins_without_mfa(f: AssuranceFacts) -> Outcome:
    return Outcome(
        "fail" if f.admins_without_mfa else "pass",
        {"admins": f.admins, "admins_without_mfa": f.admins_without_mfa},
    )


def global_admin_count(f: AssuranceFacts) -> Outcome:
    ok = GA_MIN <= f.global_admins <= GA_MAX
    return Outcome(
        "pass" if ok else "fail",
        {"global_admins": f.global_admins, "minimum": GA_MIN, "maximum": GA_MAX},
        None if ok else ("too few: no break-glass cover" if f.global_admins < GA_MIN else "too many"),
    )


def global_admin_ratio(f: AssuranceFacts) -> Outcome:
    ok = GA_MIN <= f.global_admins <= GA_MAX and f.global_admins <= f.privileged_without_ga
    ratio = stat(Fraction(f.global_admins, f.privileged_without_ga)) if f.privileged_without_ga else None
    return Outcome(
        "pass" if ok else "fail",
        {"global_admins": f.global_admins, "other_privileged_users": f.privileged_without_ga, "ratio": ratio},
    )


def synced_admins(f: AssuranceFacts) -> Outcome:
    return Outcome(
        "fail" if f.synced_admins else "pass", {"admins": f.admins, "synced_admins": f.synced_admins}
    )


def _targets_everyone(p: CaPolicy) -> bool:
    return (
        p.state == "enabled"
        and "all" in {u.lower() for u in p.include_users}
        and "all" in {a.lower() for a in p.include_applications}
    )


def legacy_auth_blocked(f: AssuranceFacts) -> Outcome:
    legacy = {"exchangeactivesync", "other"}
    blocking = [
        p
        for p in f.ca_policies
        if _targets_everyone(p)
        and legacy <= {c.lower() for c in p.client_app_types}
        and "block" in {c.lower() for c in p.built_in_controls}
    ]
    return Outcome(
        "pass" if blocking else "fail",
        {"policies": len(f.ca_policies), "blocking_policies": len(blocking)},
    )


def mfa_required_for_all(f: AssuranceFacts) -> Outcome:
    requiring = [
        p
        for p in f.ca_policies
        if _targets_everyone(p)
        and "mfa" in {c.lower() for c in p.built_in_controls}
        and (not p.client_app_types or "all" in {c.lower() for c in p.client_app_types})
    ]
    return Outcome(
        "pass" if requiring else "fail",
        {"policies": len(f.ca_policies), "requiring_policies": len(requiring)},
    )


def stale_enabled_accounts(f: AssuranceFacts) -> Outcome:
    share = pct(f.stale_enabled_90, f.enabled_accounts)
    status: CheckStatus = "pass" if not f.stale_enabled_90 else "warn" if (share or 0) <= 5 else "fail"
    return Outcome(
        status,
        {"enabled_accounts": f.enabled_accounts, "stale_enabled_90": f.stale_enabled_90, "stale_pct": share},
    )


def stale_guests(f: AssuranceFacts) -> Outcome:
    status: CheckStatus = "fail" if f.guests_stale_licensed else "warn" if f.guests_stale else "pass"
    return Outcome(
        status,
        {
            "enabled_guests": f.guests_enabled,
            "stale_guests": f.guests_stale,
            "stale_licensed_guests": f.guests_stale_licensed,
            "monthly_cost": money(f.stale_guest_monthly_cost) if f.waste_currency else None,
            "currency": f.waste_currency,
        },
    )


def inactive_licensed_admins(f: AssuranceFacts) -> Outcome:
    return Outcome(
        "fail" if f.inactive_licensed_admins_90 else "pass",
        {
            "admins": f.admins,
            "inactive_licensed_admins_90": f.inactive_licensed_admins_90,
            "monthly_cost": money(f.inactive_admin_monthly_cost) if f.waste_currency else None,
            "currency": f.waste_currency,
        },
    )


def licensed_without_mfa(f: AssuranceFacts) -> Outcome:
    share = pct(f.licensed_without_mfa, f.licensed_enabled)
    status: CheckStatus = "pass" if not f.licensed_without_mfa else "warn" if (share or 0) <= 5 else "fail"
    return Outcome(
        status,
        {
            "licensed_enabled": f.licensed_enabled,
            "licensed_without_mfa": f.licensed_without_mfa,
            "pct": share,
        },
    )


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


def secure_score(f: AssuranceFacts) -> Outcome:
    summary = secure_score_summary(f.secure_scores)
    if summary is None:
        return Outcome("not_applicable", {}, "no Secure Score in this run")
    return Outcome(
        _graded(summary.pct, 70, 40),
        {
            "current": summary.current,
            "maximum": summary.maximum,
            "pct": summary.pct,
            "change_7d": summary.change_7d,
            "change_30d": summary.change_30d,
        },
    )


USERS, SIGN_IN, REG, ROLES, CA, SCORE = (
    Dataset.USERS,
    Dataset.SIGN_IN_ACTIVITY,
    Dataset.REGISTRATION_DETAILS,
    Dataset.ROLE_ASSIGNMENTS,
    Dataset.CONDITIONAL_ACCESS_POLICIES,
    Dataset.SECURE_SCORES,
)

CHECKS: tuple[Check, ...] = (
    Check(
        "mfa-registration-coverage",
        "MFA registration coverage of enabled members",
        "high",
        None,
        "Run an authentication-methods registration campaign (Entra admin centre › Protection › "
        "Authentication methods › Registration campaign) until every enabled member has an MFA method.",
        (USERS, REG),
        mfa_registration,
    ),
    Check(
        "admins-without-mfa",
        "Administrators without a registered MFA method",
        "high",
        None,
        "Register an MFA method (preferably phishing-resistant) for every account holding a directory role.",
        (ROLES, REG),
        admins_without_mfa,
    ),
    Check(
        "global-admin-count",
        "Between 2 and 8 Global Administrators",
        "high",
        "MS.AAD.7.1v1",
        "Keep at least two (break-glass cover) and at most eight Global Administrators.",
        (ROLES,),
        global_admin_count,
    ),
    Check(
        "global-admin-ratio",
        "Fine-grained roles preferred over Global Administrator",
        "medium",
        "MS.AAD.7.2v1",
        "Move administrators to least-privileged roles so that Global Administrators are no more "
        "numerous than users holding other privileged roles.",
        (ROLES,),
        global_admin_ratio,
    ),
    Check(
        "synced-admins",
        "Privileged accounts are cloud-only",
        "high",
        "MS.AAD.7.3v1",
        "Give administrators cloud-only accounts (not synchronised from on-premises AD) for their roles.",
        (ROLES, USERS),
        synced_admins,
    ),
    Check(
        "legacy-auth-blocked",
        "Legacy authentication blocked by Conditional Access",
        "high",
        "MS.AAD.1.1v1",
        "Create an enabled Conditional Access policy for all users and all apps with client apps "
        "'Exchange ActiveSync' and 'Other clients', granting 'Block access'.",
        (CA,),
        legacy_auth_blocked,
    ),
    Check(
        "mfa-required-for-all",
        "MFA required for all users by Conditional Access",
        "high",
        "MS.AAD.3.2v2",
        "Create an enabled Conditional Access policy for all users and all apps requiring multifactor "
        "authentication (exclude only break-glass accounts).",
        (CA,),
        mfa_required_for_all,
    ),
    Check(
        "stale-enabled-accounts",
        f"Enabled accounts without a sign-in for {STALE_DAYS} days",
        "medium",
        None,
        "Review enabled accounts with no successful sign-in for 90 days; disable or delete those not needed.",
        (USERS, SIGN_IN),
        stale_enabled_accounts,
    ),
    Check(
        "stale-guests",
        f"Guests without a sign-in for {STALE_DAYS} days (and licensed ones)",
        "medium",
        None,
        "Run an access review of guest accounts; remove stale guests and the licences they hold.",
        (USERS, SIGN_IN),
        stale_guests,
    ),
    Check(
        "inactive-licensed-admins",
        f"Licensed administrators inactive for {STALE_DAYS} days (waste × risk)",
        "high",
        None,
        "Remove directory roles and licences from administrator accounts no longer in use; they are both "
        "spend and an attack path.",
        (ROLES, USERS),
        inactive_licensed_admins,
    ),
    Check(
        "licensed-without-mfa",
        "Licensed enabled accounts without a registered MFA method",
        "medium",
        None,
        "Require MFA registration for every licensed account (registration campaign, Conditional Access).",
        (USERS, REG),
        licensed_without_mfa,
    ),
    Check(
        "secure-score",
        "Microsoft Secure Score",
        "low",
        None,
        "Work through the improvement actions in Microsoft Defender › Secure Score.",
        (SCORE,),
        secure_score,
    ),
)


def _unavailable(check: Check, statuses: Mapping[str, str]) -> str | None:
    for dataset in check.requires:
        status = statuses.get(dataset.value, "missing")
        if status == "complete":
            continue
        if status == "unavailable":
            return UNAVAILABLE_REASONS.get(dataset, f"the tenant does not provide {dataset.value}")
        return f"the {dataset.value} dataset is {status} in this run"
    return None


def run_checks(facts: AssuranceFacts, checks: tuple[Check, ...] = CHECKS) -> list[CheckResult]:
    results = []
    for check in checks:
        reason = _unavailable(check, facts.statuses)
        outcome = Outcome("not_applicable", {}, reason) if reason else check.evaluate(facts)
        results.append(
            CheckResult(
                id=check.id,
                title=check.title,
                severity=check.severity,
                status=outcome.status,
                reason=outcome.reason,
                evidence=outcome.evidence,
                remediation=check.remediation,
                baseline=check.baseline,
                requires=[d.value for d in check.requires],
            )
        )
    return results


def posture(results: list[CheckResult]) -> Posture:
    """round(100 × Σ w·s / Σ w) over applicable checks (see the module docstring and the README)."""
    counts = {status: 0 for status in ("pass", "warn", "fail", "not_applicable")}
    weighted, weights = Fraction(0), 0
    for result in results:
        counts[result.status] += 1
        if result.status == "not_applicable":
            continue
        weight = SEVERITY_WEIGHT[result.severity]
        weights += weight
        weighted += weight * STATUS_SCORE[result.status]
    score = int(half_up(100 * weighted / weights, 0)) if weights else None
    return Posture(score=score, formula=POSTURE_FORMULA, counts=counts)
