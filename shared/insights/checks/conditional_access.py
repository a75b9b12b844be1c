"""Conditional Access: legacy authentication blocked and MFA required, for everyone and every app."""

from __future__ import annotations

from shared.insights.assurance import Outcome, TenantRule
from shared.insights.checks.sources import declare
from shared.insights.state import CaPolicy, TenantState
from shared.snapshot import Dataset

CA = (Dataset.CONDITIONAL_ACCESS_POLICIES,)
LEGACY_CLIENTS = frozenset({"exchangeactivesync", "other"})


def lowered(values: tuple[str, ...]) -> set[str]:
    return {v.lower() for v in values}


def targets_everyone(p: CaPolicy) -> bool:
    """Enabled, for all users and all cloud apps (exclusions, e.g. break-glass accounts, allowed)."""
    everyone = "all" in lowered(p.include_users) and "all" in lowered(p.include_applications)
    return p.state == "enabled" and everyone


def _legacy_auth_blocked(state: TenantState) -> Outcome:
    blocking = [
        p
        for p in state.policies
        if targets_everyone(p)
        and lowered(p.client_app_types) >= LEGACY_CLIENTS
        and "block" in lowered(p.built_in_controls)
    ]
    return Outcome(
        "pass" if blocking else "fail",
        {"policies": len(state.policies), "blocking_policies": len(blocking)},
    )


LEGACY_AUTH_BLOCKED = TenantRule(
    declare(
        "legacy-auth-blocked",
        "Legacy authentication blocked by Conditional Access",
        "high",
        baselines=("MS.AAD.1.1v1",),
        rationale="Legacy protocols cannot do MFA, so they bypass every MFA policy.",
        remediation="Create an enabled Conditional Access policy for all users and all apps with client apps "
        "'Exchange ActiveSync' and 'Other clients', granting 'Block access'.",
        requires=CA,
    ),
    _legacy_auth_blocked,
)


def _mfa_required(state: TenantState) -> Outcome:
    requiring = [
        p
        for p in state.policies
        if targets_everyone(p)
        and "mfa" in lowered(p.built_in_controls)
        and (not p.client_app_types or "all" in lowered(p.client_app_types))
    ]
    return Outcome(
        "pass" if requiring else "fail",
        {"policies": len(state.policies), "requiring_policies": len(requiring)},
    )


MFA_REQUIRED_FOR_ALL = TenantRule(
    declare(
        "mfa-required-for-all",
        "MFA required for all users by Conditional Access",
        "high",
        baselines=("MS.AAD.3.2v2",),
        rationale="Registration alone protects nobody: a policy must ask for the second factor.",
        remediation="Create an enabled Conditional Access policy for all users and all apps requiring "
        "multifactor authentication (exclude only break-glass accounts).",
        requires=CA,
    ),
    _mfa_required,
)
