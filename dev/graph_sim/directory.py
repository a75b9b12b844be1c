"""Tenant-wide Graph resources, in the shapes of graph_api.md samples 10–14:
`/organization`, `/subscribedSkus` (§3), `/directory/subscriptions` (companySubscription; from Graph's
resource page, not in the reference), `/roleManagement/directory/roleAssignments` (§6),
`/identity/conditionalAccess/policies` (§6), `/security/secureScores` (§5), `/admin/reportSettings` (§1.3) and
`/reports/authenticationMethods/userRegistrationDetails` (§4)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from dev.graph_sim.listing import flag_is
from dev.graph_sim.odata import Clause, QueryError
from dev.graph_sim.wire import Clock, js
from dev.tenant import Account, Status, Tenant
from dev.tenant.groups import DirectoryGroup
from shared.licensing import Sku
from shared.snapshot.roles import PRIVILEGED_ROLES

JsonObject = dict[str, Any]
ORGANISATION_NAME = "Northwind Traders"


def organization(tenant: Tenant, context: str) -> JsonObject:
    """`GET /organization`: the tenant itself (id and display name; Graph's organization resource)."""
    item = {"id": tenant.spec.tenant_id, "displayName": ORGANISATION_NAME, "tenantType": "AAD"}
    return {"@odata.context": context, "value": [item]}


def _service_plans(sku: Sku) -> list[JsonObject]:
    return [
        {
            "servicePlanId": p.id,
            "servicePlanName": p.name,
            "provisioningStatus": "Success",
            "appliesTo": "User",
        }
        for p in sku.service_plans
    ]


def subscribed_skus(tenant: Tenant, context: str) -> JsonObject:
    """`GET /subscribedSkus`: per SKU, the units of its subscriptions by status (`prepaidUnits`; a Deleted
    subscription's units are in none) and `capabilityStatus` (resources/subscribedsku and
    resources/licenseunitsdetail on learn.microsoft.com; `dev.tenant.subscriptions`)."""
    items = []
    for seats in tenant.seats:
        sku = seats.sku
        items.append(
            {
                "accountName": "Northwind",
                "accountId": tenant.spec.tenant_id,
                "appliesTo": "User",
                "capabilityStatus": seats.capability_status.value,
                "consumedUnits": seats.consumed,
                "id": f"{tenant.spec.tenant_id}_{sku.id}",
                "prepaidUnits": {
                    "enabled": seats.units(Status.ENABLED),
                    "lockedOut": seats.units(Status.LOCKED_OUT),
                    "suspended": seats.units(Status.SUSPENDED),
                    "warning": seats.units(Status.WARNING),
                },
                "servicePlans": _service_plans(sku),
                "skuId": sku.id,
                "skuPartNumber": sku.string_id,
                "subscriptionIds": [sub.id for sub in seats.subscriptions],
            }
        )
    return {"@odata.context": context, "value": items}


def subscriptions(tenant: Tenant, clock: Clock, context: str) -> JsonObject:
    """`GET /directory/subscriptions` (companySubscription): one item per subscription, in every status."""
    items = []
    for sub in tenant.subscriptions:
        sku = sub.sku
        items.append(
            {
                "id": sub.id,
                "commerceSubscriptionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"commerce/{sub.id}")),
                "createdDateTime": f"{clock.day(400)}T00:00:00Z",
                "isTrial": sub.trial,
                "nextLifecycleDateTime": f"{sub.next_lifecycle.isoformat()}T00:00:00Z",
                "ownerId": None,
                "ownerTenantId": None,
                "ownerType": None,
                "serviceStatus": _service_plans(sku),
                "skuId": sku.id,
                "skuPartNumber": sku.string_id,
                "status": sub.status.value,
                "totalLicenses": sub.seats,
            }
        )
    return {"@odata.context": context, "value": items}


def _principal(a: Account) -> JsonObject:
    return {
        "@odata.type": "#microsoft.graph.user",
        "id": a.id,
        "accountEnabled": a.enabled,
        "displayName": a.display_name,
        "userPrincipalName": a.upn,
        "userType": "Guest" if a.guest else "Member",
        "onPremisesSyncEnabled": True if a.synced else None,
        "onPremisesImmutableId": f"{a.id[:8]}AAAAAA==" if a.synced else None,
    }


BACKUP_CONNECTOR: JsonObject = {
    "@odata.type": "#microsoft.graph.servicePrincipal",
    "id": "5f1c0e2a-0000-4000-a000-00000000a001",
    "displayName": "Backup connector",
    "appId": "0b3e6d1c-0000-4000-a000-00000000b002",
}


def _group(g: DirectoryGroup) -> JsonObject:
    """A group as `GET /groups` and `$expand=principal` show it (resources/group on learn.microsoft.com)."""
    return {
        "@odata.type": "#microsoft.graph.group",
        "id": g.id,
        "displayName": g.display_name,
        "isAssignableToRole": g.role_assignable or None,
        "securityEnabled": True,
        "mailEnabled": False,
        "groupTypes": [],
    }


def groups(tenant: Tenant, select: list[str] | None, context: str) -> JsonObject:
    """`GET /groups` (one page: a synthetic tenant has a handful of groups)."""
    fields = select or list(_group(tenant.groups[0]))
    return {
        "@odata.context": context,
        "value": [{k: v for k, v in _group(g).items() if k in fields or k == "id"} for g in tenant.groups],
    }


def group_members(tenant: Tenant, group_id: str, select: list[str] | None, context: str) -> JsonObject | None:
    """`GET /groups/{id}/transitiveMembers[/microsoft.graph.user]`: the member users of a group, or None
    for an unknown group. Only role-assignable groups have members here (licensing groups' members are
    the accounts whose licences name them)."""
    group = next((g for g in tenant.groups if g.id == group_id.lower()), None)
    if group is None:
        return None
    members = sorted(i for i, held in tenant.role_group_members.items() if group in held)
    value = []
    for index in members:
        principal = _principal(tenant.account(index))
        value.append(
            {k: v for k, v in principal.items() if not select or k in select or k in ("id", "@odata.type")}
        )
    return {"@odata.context": context, "value": value}


def role_assignments(tenant: Tenant, clauses: list[Clause], expand: bool, context: str) -> JsonObject:
    wanted: str | None = None
    for c in clauses:
        if (c.prop, c.op) != ("roleDefinitionId", "eq"):
            raise QueryError(f"Unsupported filter on property '{c.prop}'.")
        wanted = c.value
    # (assignment id, principal, role): users, role-assignable groups (the principal is the group, not its
    # members) and an application (principals are not always users).
    holders: list[tuple[str, JsonObject, str]] = []
    for index in sorted(tenant.roles):
        account = tenant.account(index)
        holders += [(f"{role[:8]}{account.id[8:]}", _principal(account), role) for role in account.roles]
    for group in tenant.groups:
        holders += [(f"{role[:8]}{group.id[8:]}", _group(group), role) for role in group.roles]
    holders.append(("sp-assignment-1", BACKUP_CONNECTOR, "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"))
    items: list[JsonObject] = []
    for assignment_id, principal, role in holders:
        if wanted is not None and role != wanted:
            continue
        item: JsonObject = {
            "id": assignment_id,
            "principalId": principal["id"],
            "directoryScopeId": "/",
            "resourceScope": "/",
            "roleDefinitionId": role,
        }
        if expand:
            item["principal"] = principal
        items.append(item)
    return {"@odata.context": context, "value": items}


# The built-in authentication strength every tenant has (learn.microsoft.com/entra/identity/authentication/
# concept-authentication-strengths).
# learn.microsoft.com/graph/api/resources/conditionalaccessapplications: includeUserActions
REGISTER_SECURITY_INFO = "urn:user:registersecurityinfo"
PHISHING_RESISTANT_STRENGTH: JsonObject = {
    "id": "00000000-0000-0000-0000-000000000004",
    "displayName": "Phishing-resistant MFA",
    "policyType": "builtIn",
    "requirementsSatisfied": "mfa",
    "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
}


def _policy(
    pid: str,
    name: str,
    state: str,
    users: JsonObject,
    grant: list[str],
    *,
    strength: JsonObject | None = None,
    **conditions: Any,
) -> JsonObject:
    """A conditionalAccessPolicy (learn.microsoft.com/graph/api/resources/conditionalaccesspolicy);
    `strength` is grantControls.authenticationStrength, an authenticationStrengthPolicy."""
    return {
        "id": pid,
        "displayName": name,
        "createdDateTime": "2024-03-01T10:00:00Z",
        "modifiedDateTime": "2025-06-01T10:00:00Z",
        "state": state,
        "sessionControls": None,
        "conditions": {
            "signInRiskLevels": conditions.get("signInRiskLevels", []),
            "userRiskLevels": conditions.get("userRiskLevels", []),
            "clientAppTypes": conditions.get("clientAppTypes", ["all"]),
            "platforms": None,
            "locations": None,
            # A policy for a user action targets no application (conditionalaccessapplications).
            "applications": {
                "includeApplications": [] if conditions.get("includeUserActions") else ["All"],
                "excludeApplications": [],
                "includeUserActions": conditions.get("includeUserActions", []),
            },
            "users": {
                "includeUsers": [],
                "excludeUsers": [],
                "includeGroups": [],
                "excludeGroups": [],
                "includeRoles": [],
                "excludeRoles": [],
                **users,
            },
        },
        "grantControls": {
            "operator": "OR",
            "builtInControls": grant,
            "customAuthenticationFactors": [],
            "termsOfUse": [],
            "authenticationStrength": strength,
        },
    }


def conditional_access(tenant: Tenant, context: str) -> JsonObject:
    """Every tenant's policies (legacy authentication, phishing-resistant MFA for administrators, MFA for
    all, high-risk sign-ins) plus the planted hardened ones; a planted break-glass account is excluded from
    every policy."""
    spec, planted = tenant.spec, tenant.policies
    everyone = {"includeUsers": ["All"]}
    policies = [
        _policy(
            "7a1b0000-0000-4000-a000-000000000001",
            "Block legacy authentication",
            "enabled" if spec.legacy_auth_blocked else "enabledForReportingButNotEnforced",
            everyone,
            ["block"],
            clientAppTypes=["exchangeActiveSync", "other"],
        ),
        _policy(
            "7a1b0000-0000-4000-a000-000000000002",
            "Require phishing-resistant MFA for administrators",
            "enabled",
            {"includeRoles": sorted(PRIVILEGED_ROLES)},
            [],
            strength=PHISHING_RESISTANT_STRENGTH,
        ),
        _policy(
            "7a1b0000-0000-4000-a000-000000000003",
            "Require MFA for all users",
            "enabled" if spec.mfa_required_for_all else "disabled",
            everyone,
            ["mfa"],
        ),
        _policy(
            "7a1b0000-0000-4000-a000-000000000004",
            "Block high-risk sign-ins",
            "enabled" if spec.sign_in_risk_blocked else "disabled",
            everyone,
            ["block"],
            signInRiskLevels=["high"],
        ),
    ]
    if planted.phishing_resistant_for_all:
        policies.append(
            _policy(
                "7a1b0000-0000-4000-a000-000000000005",
                "Require phishing-resistant MFA for all users",
                "enabled",
                everyone,
                [],
                strength=PHISHING_RESISTANT_STRENGTH,
            )
        )
    if planted.user_risk_blocked:
        policies.append(
            _policy(
                "7a1b0000-0000-4000-a000-000000000006",
                "Block high-risk users",
                "enabled",
                everyone,
                ["block"],
                userRiskLevels=["high"],
            )
        )
    if planted.managed_devices:
        devices = ["compliantDevice", "domainJoinedDevice"]
        policies += [
            _policy(
                "7a1b0000-0000-4000-a000-000000000007",
                "Require a managed device",
                "enabled",
                everyone,
                devices,
            ),
            _policy(
                "7a1b0000-0000-4000-a000-000000000008",
                "Register security information from a managed device",
                "enabled",
                everyone,
                devices,
                includeUserActions=[REGISTER_SECURITY_INFO],
            ),
        ]
    if planted.break_glass:
        for item in policies:
            item["conditions"]["users"]["excludeUsers"].append(planted.break_glass)
    return {"@odata.context": context, "value": policies}


def secure_scores(tenant: Tenant, top: int, skip: int) -> JsonObject:
    items = []
    truth = tenant.ground_truth
    for day in tenant.secure_scores[skip : skip + top]:
        items.append(
            {
                "id": f"{tenant.spec.tenant_id}_{day.day.isoformat()}",
                "azureTenantId": tenant.spec.tenant_id,
                "activeUserCount": truth.enabled,
                "createdDateTime": f"{day.day.isoformat()}T00:00:00Z",
                "currentScore": day.current,
                "enabledServices": ["HasExchange", "HasSharePoint", "HasOD4B"],
                "licensedUserCount": truth.licensed,
                "maxScore": day.maximum,
                "averageComparativeScores": [
                    {"basis": "AllTenants", "averageScore": 61.2},
                    {"basis": "TotalSeats", "averageScore": 64.8},
                ],
                "controlScores": [
                    {
                        "controlCategory": "Identity",
                        "controlName": "MFARegistrationV2",
                        "description": "Ensure all users can complete multifactor authentication.",
                        "score": 7.5,
                    },
                    {
                        "controlCategory": "Identity",
                        "controlName": "BlockLegacyAuthentication",
                        "description": "Block legacy authentication.",
                        "score": 8.0 if tenant.spec.legacy_auth_blocked else 0.0,
                    },
                ],
                "vendorInformation": {
                    "provider": "SecureScore",
                    "providerVersion": None,
                    "subProvider": None,
                    "vendor": "Microsoft",
                },
            }
        )
    return {"value": items}


def report_settings(concealed: bool, context: str) -> JsonObject:
    # The doc sample wraps this in "value"; the live service is believed to return the entity itself
    # (graph_api.md §1.3, GUESS). Served as the entity.
    return {
        "@odata.context": context,
        "@odata.type": "#microsoft.graph.adminReportSettings",
        "displayConcealedNames": concealed,
    }


def registration_row(a: Account) -> str:
    mfa = a.mfa
    return js(
        {
            "id": a.id,
            "userPrincipalName": a.upn,
            "userDisplayName": a.display_name,
            "userType": "guest" if a.guest else "member",  # lower case here, unlike /users
            "isAdmin": a.admin,
            "isSsprRegistered": mfa.sspr_registered,
            "isSsprEnabled": True,
            "isSsprCapable": mfa.sspr_registered and a.enabled,
            "isMfaRegistered": mfa.registered,
            "isMfaCapable": mfa.registered and a.enabled,
            "isPasswordlessCapable": mfa.passwordless,
            "isSystemPreferredAuthenticationMethodEnabled": False,
            "lastUpdatedDateTime": f"{a.created.isoformat()}T12:00:00Z",
            "methodsRegistered": list(mfa.methods),
            "systemPreferredAuthenticationMethods": [],
            "userPreferredMethodForSecondaryAuthentication": mfa.preferred,
        }
    )


def registration_predicate(clauses: list[Clause]) -> Callable[[Account], bool]:
    fields: dict[str, Callable[[Account], bool]] = {
        "isAdmin": lambda a: a.admin,
        "isMfaRegistered": lambda a: a.mfa.registered,
        "isMfaCapable": lambda a: a.mfa.registered and a.enabled,
    }
    tests: list[Callable[[Account], bool]] = []
    for c in clauses:
        if c.op == "eq" and c.prop in fields and c.value in ("true", "false"):
            tests.append(flag_is(fields[c.prop], c.value == "true"))
        elif (c.prop, c.op) == ("userType", "eq") and c.value in ("member", "guest"):
            tests.append(flag_is(lambda a: a.guest, c.value == "guest"))
        else:
            raise QueryError(f"Unsupported filter on property '{c.prop}'.")
    return lambda a: all(t(a) for t in tests)
