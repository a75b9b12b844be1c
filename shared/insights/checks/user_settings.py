"""What every member may do by default: create tenants, create security groups, read BitLocker keys
(authorizationPolicy.defaultUserRolePermissions; learn.microsoft.com/entra/fundamentals/
users-default-permissions)."""

from __future__ import annotations

from shared.insights.assurance import TenantRule
from shared.insights.checks.settings import one_of, setting_rule
from shared.insights.checks.sources import declare
from shared.insights.state import TenantState
from shared.snapshot import Dataset
from shared.snapshot import records as r

AUTHORIZATION = (Dataset.AUTHORIZATION_POLICY,)


def _defaults(state: TenantState) -> r.DefaultUserRolePermissions | None:
    return state.authorization.default_user_role_permissions if state.authorization else None


TENANT_CREATION_RESTRICTED = setting_rule(
    declare(
        "tenant-creation-restricted",
        "Members cannot create tenants",
        "medium",
        baselines=("CIS.M365.5.1.2.3",),
        rationale="Whoever creates a tenant is its Global Administrator, outside every control of this one.",
        remediation="Entra admin centre › Identity › Users › User settings: 'Restrict non-admin users from "
        "creating tenants' = Yes.",
        requires=AUTHORIZATION,
    ),
    _defaults,
    "allowed_to_create_tenants",
    lambda d: d.allowed_to_create_tenants,
    one_of({False}),
)

SECURITY_GROUP_CREATION_RESTRICTED = setting_rule(
    declare(
        "security-group-creation-restricted",
        "Members cannot create security groups",
        "low",
        baselines=("CIS.M365.5.1.3.2",),
        rationale="Security groups grant access; created by anyone, they escape naming, ownership and "
        "review.",
        remediation="Entra admin centre › Identity › Groups › General: 'Users can create security groups' "
        "= No.",
        requires=AUTHORIZATION,
    ),
    _defaults,
    "allowed_to_create_security_groups",
    lambda d: d.allowed_to_create_security_groups,
    one_of({False}),
)

BITLOCKER_KEYS_RESTRICTED = setting_rule(
    declare(
        "bitlocker-keys-restricted",
        "Members cannot read their devices' BitLocker keys",
        "low",
        baselines=("CIS.M365.5.1.4.6",),
        rationale="A recovery key read by the user unlocks the disk without the help desk ever knowing.",
        remediation="Entra admin centre › Identity › Devices › Device settings: 'Restrict users from "
        "recovering the BitLocker key(s) for their owned devices' = Yes.",
        requires=AUTHORIZATION,
    ),
    _defaults,
    "allowed_to_read_bitlocker_keys_for_owned_device",
    lambda d: d.allowed_to_read_bitlocker_keys_for_owned_device,
    one_of({False}),
)

USER_SETTING_CHECKS: tuple[TenantRule, ...] = (
    TENANT_CREATION_RESTRICTED,
    SECURITY_GROUP_CREATION_RESTRICTED,
    BITLOCKER_KEYS_RESTRICTED,
)
