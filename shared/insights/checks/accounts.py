"""Account hygiene: enabled accounts and guests nobody has signed in with for `STALE_DAYS` days."""

from __future__ import annotations

from collections.abc import Sequence

from shared.insights.accounts import GUEST
from shared.insights.assurance import AccountRule, Outcome, share_graded
from shared.insights.checks.sources import declare
from shared.insights.state import STALE_DAYS, TenantState
from shared.snapshot import Dataset

SIGN_INS = (Dataset.USERS, Dataset.SIGN_IN_ACTIVITY)


def _last_sign_in(state: TenantState, index: int) -> str:
    return f"last successful sign-in {state.last_sign_in_iso(index) or 'never'}"


def _stale_accounts(state: TenantState, offenders: Sequence[int]) -> Outcome:
    enabled = state.population.enabled
    status, share = share_graded(len(offenders), enabled)
    return Outcome(
        status, {"enabled_accounts": enabled, "stale_enabled_90": len(offenders), "stale_pct": share}
    )


STALE_ENABLED_ACCOUNTS = AccountRule[int](
    declare(
        "stale-enabled-accounts",
        f"Enabled accounts without a sign-in for {STALE_DAYS} days",
        "medium",
        rationale="An enabled account nobody uses is a credential nobody would notice being used.",
        remediation="Review enabled accounts with no successful sign-in for 90 days; disable or delete those "
        "not needed.",
        requires=SIGN_INS,
    ),
    subjects=lambda state: state.accounts(),
    offends=lambda state, index: state.stale(index),
    grade=_stale_accounts,
    detail=_last_sign_in,
)


def _stale_guests(state: TenantState, offenders: Sequence[int]) -> Outcome:
    licensed = [i for i in offenders if state.licensed(i)]
    return Outcome(
        "fail" if licensed else "warn" if offenders else "pass",
        {
            "enabled_guests": state.population.enabled_guests,
            "stale_guests": len(offenders),
            "stale_licensed_guests": len(licensed),
            "monthly_cost": state.total_monthly_cost(licensed),
            "currency": state.currency,
        },
    )


STALE_GUESTS = AccountRule[int](
    declare(
        "stale-guests",
        f"Guests without a sign-in for {STALE_DAYS} days (and licensed ones)",
        "medium",
        rationale="Guests outlive the collaboration they were invited for; a licensed one also costs money.",
        remediation="Run an access review of guest accounts; remove stale guests and the licences they hold.",
        requires=SIGN_INS,
    ),
    subjects=lambda state: state.accounts(GUEST),
    offends=lambda state, index: state.stale_guest(index),
    grade=_stale_guests,
    detail=lambda state, index: f"{_last_sign_in(state, index)}; licensed: {state.licensed(index)}",
)
