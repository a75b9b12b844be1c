"""MFA registration: of enabled members, of role holders, of licensed accounts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from shared.insights.accounts import GUEST
from shared.insights.assurance import AccountRule, Outcome, graded, none_allowed, share_graded
from shared.insights.checks.sources import declare
from shared.insights.rounding import pct
from shared.insights.state import RoleHolder, TenantState
from shared.snapshot import Dataset

PASS_AT, WARN_AT = 95, 80  # coverage %, mfa-registration-coverage


def _members(state: TenantState) -> Iterator[int]:
    return state.accounts(without=GUEST)


def _unregistered(state: TenantState, index: int) -> bool:
    return not state.mfa_registered(index)


def _coverage(state: TenantState, offenders: Sequence[int]) -> Outcome:
    members = state.population.enabled_members
    registered = members - len(offenders)
    share = pct(registered, members)
    return Outcome(
        graded(share, PASS_AT, WARN_AT),
        {
            "enabled_members": members,
            "registered_enabled_members": registered,
            "coverage_pct": share,
            "registered_all_accounts": state.population.registered_rows,
            "registration_rows": state.population.registration_rows,
        },
    )


MFA_REGISTRATION_COVERAGE = AccountRule[int](
    declare(
        "mfa-registration-coverage",
        "MFA registration coverage of enabled members",
        "high",
        rationale="An account with no second factor falls to one phished or reused password.",
        remediation="Run an authentication-methods registration campaign (Entra admin centre › Protection › "
        "Authentication methods › Registration campaign) until every enabled member has an MFA method.",
        requires=(Dataset.USERS, Dataset.REGISTRATION_DETAILS),
    ),
    subjects=_members,
    offends=_unregistered,
    grade=_coverage,
    detail=lambda state, index: "enabled member without a registered MFA method",
)


def _admins_without_mfa(state: TenantState, offenders: Sequence[RoleHolder]) -> Outcome:
    return Outcome(
        none_allowed(len(offenders)), {"admins": len(state.holders), "admins_without_mfa": len(offenders)}
    )


ADMINS_WITHOUT_MFA = AccountRule[RoleHolder](
    declare(
        "admins-without-mfa",
        "Administrators without a registered MFA method",
        "high",
        rationale="A privileged account without MFA is the shortest path to taking over the directory.",
        remediation="Register an MFA method (preferably phishing-resistant) for every account holding a "
        "directory role.",
        requires=(Dataset.ROLE_ASSIGNMENTS, Dataset.REGISTRATION_DETAILS),
    ),
    subjects=lambda state: state.holders,
    offends=lambda state, holder: not holder.mfa_registered,
    grade=_admins_without_mfa,
    detail=lambda state, holder: f"no MFA method registered; roles: {state.role_names(holder)}",
)


def _licensed(state: TenantState) -> Iterator[int]:
    return (i for i in state.accounts() if state.licensed(i))


def _licensed_without_mfa(state: TenantState, offenders: Sequence[int]) -> Outcome:
    licensed = state.population.licensed_enabled
    status, share = share_graded(len(offenders), licensed)
    return Outcome(
        status, {"licensed_enabled": licensed, "licensed_without_mfa": len(offenders), "pct": share}
    )


LICENSED_WITHOUT_MFA = AccountRule[int](
    declare(
        "licensed-without-mfa",
        "Licensed enabled accounts without a registered MFA method",
        "medium",
        rationale="Every licensed account reaches company data; without MFA it is one password away.",
        remediation="Require MFA registration for every licensed account (registration campaign, "
        "Conditional Access).",
        requires=(Dataset.USERS, Dataset.REGISTRATION_DETAILS),
    ),
    subjects=_licensed,
    offends=_unregistered,
    grade=_licensed_without_mfa,
    detail=lambda state, index: "licensed, no MFA method registered",
)
