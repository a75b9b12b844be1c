"""Conditional Access: legacy authentication blocked, (phishing-resistant) MFA required, high risk
blocked, managed devices required, and an emergency account no policy can lock out."""

from __future__ import annotations

from collections.abc import Callable

from shared.insights.assurance import Outcome, TenantRule
from shared.insights.checks.sources import P2, declare
from shared.insights.state import CaPolicy, TenantState
from shared.snapshot import Dataset
from shared.snapshot.roles import role_name

CA = (Dataset.CONDITIONAL_ACCESS_POLICIES,)
LEGACY_CLIENTS = frozenset({"exchangeactivesync", "other"})


def lowered(values: tuple[str, ...]) -> set[str]:
    return {v.lower() for v in values}


def targets_everyone(p: CaPolicy) -> bool:
    """Enabled, for all users and all cloud apps (exclusions, e.g. break-glass accounts, allowed)."""
    everyone = "all" in lowered(p.include_users) and "all" in lowered(p.include_applications)
    return p.state == "enabled" and everyone


def any_policy(state: TenantState, matches: Callable[[CaPolicy], bool], counted_as: str) -> Outcome:
    """pass when some policy matches, else fail; evidence counts the policies and the matching ones."""
    found = sum(1 for p in state.policies if matches(p))
    return Outcome("pass" if found else "fail", {"policies": len(state.policies), counted_as: found})


def required_of_everyone(state: TenantState, requirement: Callable[[CaPolicy], bool]) -> Outcome:
    """pass when an enabled policy for all users and all apps meets `requirement`, else fail."""
    return any_policy(state, lambda p: targets_everyone(p) and requirement(p), "requiring_policies")


def _legacy_auth_blocked(state: TenantState) -> Outcome:
    return any_policy(
        state,
        lambda p: (
            targets_everyone(p)
            and lowered(p.client_app_types) >= LEGACY_CLIENTS
            and "block" in lowered(p.built_in_controls)
        ),
        "blocking_policies",
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
    return any_policy(
        state,
        lambda p: (
            targets_everyone(p)
            and "mfa" in lowered(p.built_in_controls)
            and (not p.client_app_types or "all" in lowered(p.client_app_types))
        ),
        "requiring_policies",
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


# The built-in "Phishing-resistant MFA" authentication strength (learn.microsoft.com/entra/identity/
# authentication/concept-authentication-strengths: its id is the same in every tenant).
PHISHING_RESISTANT = "00000000-0000-0000-0000-000000000004"
P2_PLAN = "AAD_PREMIUM_P2"  # the service plan of Entra ID P2 (risk-based Conditional Access)


def requires_phishing_resistant(p: CaPolicy) -> bool:
    return (
        p.state == "enabled"
        and "all" in lowered(p.include_applications)
        and p.authentication_strength == PHISHING_RESISTANT
    )


def _phishing_resistant_for_all(state: TenantState) -> Outcome:
    return required_of_everyone(state, requires_phishing_resistant)


PHISHING_RESISTANT_MFA_FOR_ALL = TenantRule(
    declare(
        "phishing-resistant-mfa-for-all",
        "Phishing-resistant MFA required for all users",
        "high",
        baselines=("MS.AAD.3.1v1",),
        rationale="Codes and push approvals can be relayed by a phishing proxy; FIDO2, Windows Hello and "
        "certificates cannot.",
        remediation="Create an enabled Conditional Access policy for all users and all apps granting access "
        "with the authentication strength 'Phishing-resistant MFA' (Entra admin centre › Protection › "
        "Conditional Access).",
        requires=CA,
    ),
    _phishing_resistant_for_all,
)


def _phishing_resistant_for_admins(state: TenantState) -> Outcome:
    """Every privileged role someone holds is covered by a policy for all users or naming the role."""
    held = {role for holder in state.holders for role in holder.roles}
    covered: set[str] = set()
    for p in state.policies:
        if requires_phishing_resistant(p):
            covered |= held if "all" in lowered(p.include_users) else lowered(p.include_roles)
    uncovered = held - covered
    return Outcome(
        "fail" if uncovered else "pass",
        {
            "privileged_roles_held": len(held),
            "roles_not_covered": ";".join(sorted(map(role_name, uncovered))),
        },
    )


PHISHING_RESISTANT_MFA_FOR_ADMINS = TenantRule(
    declare(
        "phishing-resistant-mfa-for-admins",
        "Phishing-resistant MFA required for privileged roles",
        "high",
        baselines=("MS.AAD.3.6v1",),
        rationale="An administrator's phished session takes the directory; only phishing-resistant methods "
        "stop an adversary-in-the-middle proxy.",
        remediation="Create an enabled Conditional Access policy for every privileged directory role and all "
        "apps granting access with the authentication strength 'Phishing-resistant MFA'.",
        requires=(Dataset.CONDITIONAL_ACCESS_POLICIES, Dataset.ROLE_ASSIGNMENTS),
    ),
    _phishing_resistant_for_admins,
)


def risk_rule(
    id: str, title: str, baseline: str, levels: Callable[[CaPolicy], tuple[str, ...]], what: str
) -> TenantRule:
    """Block access at high risk: needs Entra ID P2, which the tenant's subscribed plans show; without it
    the check is not licensed (Graph still returns the policies, so the data alone cannot say)."""

    def evaluate(state: TenantState) -> Outcome:
        if not state.holds_plan(P2_PLAN):
            reason = f"not licensed: blocking {what} needs {P2} (no subscribed SKU includes {P2_PLAN})"
            return Outcome("not_applicable", {}, reason, "not_licensed")
        return any_policy(
            state,
            lambda p: (
                targets_everyone(p)
                and "high" in lowered(levels(p))
                and "block" in lowered(p.built_in_controls)
            ),
            "blocking_policies",
        )

    info = declare(
        id,
        title,
        "high",
        baselines=(baseline,),
        rationale=f"Microsoft's risk detection flags {what}; unless a policy blocks them the detection "
        "protects nobody.",
        remediation=f"Create an enabled Conditional Access policy for all users and all apps with {what} "
        "risk 'High', granting 'Block access' (needs Entra ID P2).",
        requires=(*CA, Dataset.SUBSCRIBED_SKUS),
        licence=P2,
    )
    return TenantRule(info, evaluate)


HIGH_RISK_USERS_BLOCKED = risk_rule(
    "high-risk-users-blocked", "High-risk users blocked", "MS.AAD.2.1v1", lambda p: p.user_risk_levels, "user"
)
HIGH_RISK_SIGN_INS_BLOCKED = risk_rule(
    "high-risk-sign-ins-blocked",
    "High-risk sign-ins blocked",
    "MS.AAD.2.3v1",
    lambda p: p.sign_in_risk_levels,
    "sign-in",
)


def excluded_from_every_policy(state: TenantState) -> set[str]:
    """The users and groups (lower-case ids) excluded from every enabled policy: emergency access
    accounts no misconfigured policy can lock out (empty when no policy is enabled)."""
    excluded = [
        lowered(p.exclude_users) | lowered(p.exclude_groups) for p in state.policies if p.state == "enabled"
    ]
    return set.intersection(*excluded) if excluded else set()


def _break_glass_excluded(state: TenantState) -> Outcome:
    """Some user or group is excluded from every enabled policy."""
    enabled = [p for p in state.policies if p.state == "enabled"]
    everywhere = excluded_from_every_policy(state)
    return Outcome(
        "pass" if everywhere or not enabled else "fail",
        {"enabled_policies": len(enabled), "excluded_from_all": len(everywhere)},
    )


BREAK_GLASS_EXCLUDED = TenantRule(
    declare(
        "break-glass-excluded",
        "Emergency access account excluded from every Conditional Access policy",
        "medium",
        baselines=("MT.1005",),
        rationale="A mistaken policy can lock every administrator out; an excluded emergency account is "
        "the way back in.",
        remediation="Exclude at least one cloud-only emergency access account (or a group holding it) from "
        "every enabled Conditional Access policy, and monitor its sign-ins.",
        requires=CA,
    ),
    _break_glass_excluded,
)


# Managed devices: compliant (Intune) or Microsoft Entra hybrid joined (learn.microsoft.com/graph/api/
# resources/conditionalaccessgrantcontrols: builtInControls compliantDevice, domainJoinedDevice).
DEVICE_CONTROLS = frozenset({"compliantdevice", "domainjoineddevice"})
# learn.microsoft.com/graph/api/resources/conditionalaccessapplications: includeUserActions
REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo"


def requires_managed_device(p: CaPolicy) -> bool:
    """Enabled, for all users, and no way through without a managed device: a device control is granted,
    and either every control is required (AND) or every control offered is a device control (with OR,
    "MFA or a compliant device" lets an unmanaged device through with MFA alone)."""
    controls = lowered(p.built_in_controls)
    everyone = p.state == "enabled" and "all" in lowered(p.include_users)
    every_control_required = (p.grant_operator or "OR").upper() == "AND"
    return (
        everyone
        and bool(controls & DEVICE_CONTROLS)
        and (every_control_required or controls <= DEVICE_CONTROLS)
    )


def _managed_device_required(state: TenantState) -> Outcome:
    return required_of_everyone(state, requires_managed_device)


MANAGED_DEVICE_REQUIRED = TenantRule(
    declare(
        "managed-device-required",
        "Managed devices required to sign in",
        "medium",
        baselines=("MS.AAD.3.7v1", "CIS.M365.5.2.2.9"),
        rationale="A stolen password and a relayed MFA prompt still fail from the adversary's own device "
        "when only compliant or hybrid-joined devices are let in.",
        remediation="Create an enabled Conditional Access policy for all users and all apps granting access "
        "with 'Require device to be marked as compliant' and 'Require Microsoft Entra hybrid joined "
        "device', 'Require one of the selected controls' (Entra admin centre › Protection › Conditional "
        "Access).",
        requires=CA,
    ),
    _managed_device_required,
)


def _managed_device_to_register(state: TenantState) -> Outcome:
    return any_policy(
        state,
        lambda p: REGISTER_SECURITY_INFO in lowered(p.include_user_actions) and requires_managed_device(p),
        "requiring_policies",
    )


MANAGED_DEVICE_TO_REGISTER_MFA = TenantRule(
    declare(
        "managed-device-to-register-mfa",
        "Managed devices required to register MFA methods",
        "medium",
        baselines=("MS.AAD.3.8v1", "CIS.M365.5.2.2.10"),
        rationale="With a stolen password an adversary registers their own authenticator; requiring a "
        "managed device for registration stops that from their own machine.",
        remediation="Create an enabled Conditional Access policy for all users with the user action "
        "'Register security information', granting access with 'Require device to be marked as compliant' "
        "and 'Require Microsoft Entra hybrid joined device', 'Require one of the selected controls'.",
        requires=CA,
    ),
    _managed_device_to_register,
)
