"""Tenant-wide Graph resources, in the shapes of graph_api.md samples 10–14:
`/organization`, `/subscribedSkus` (§3), `/directory/subscriptions` (companySubscription; from Graph's
resource page, not in the reference), `/roleManagement/directory/roleAssignments` (§6),
`/identity/conditionalAccess/policies` (§6), `/security/secureScores` (§5), `/admin/reportSettings` (§1.3) and
`/reports/authenticationMethods/userRegistrationDetails` (§4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dev.graph_sim.listing import flag_is
from dev.graph_sim.odata import Clause, QueryError
from dev.graph_sim.wire import Clock, js
from dev.tenant import Account, Tenant
from dev.tenant.roles import GLOBAL_ADMIN

JsonObject = dict[str, Any]
ORGANISATION_NAME = "Northwind Traders"


def organization(tenant: Tenant, context: str) -> JsonObject:
    """`GET /organization`: the tenant itself (id and display name; Graph's organization resource)."""
    item = {"id": tenant.spec.tenant_id, "displayName": ORGANISATION_NAME, "tenantType": "AAD"}
    return {"@odata.context": context, "value": [item]}


def subscribed_skus(tenant: Tenant, context: str) -> JsonObject:
    items = []
    for seats in tenant.seats:
        sku = seats.sku
        items.append(
            {
                "accountName": "Northwind",
                "accountId": tenant.spec.tenant_id,
                "appliesTo": "User",
                "capabilityStatus": "Warning" if seats.warning else "Enabled",
                "consumedUnits": seats.consumed,
                "id": f"{tenant.spec.tenant_id}_{sku.id}",
                "prepaidUnits": {
                    "enabled": seats.enabled,
                    "lockedOut": 0,
                    "suspended": 0,
                    "warning": seats.warning,
                },
                "servicePlans": [
                    {
                        "servicePlanId": p.id,
                        "servicePlanName": p.name,
                        "provisioningStatus": "Success",
                        "appliesTo": "User",
                    }
                    for p in sku.service_plans
                ],
                "skuId": sku.id,
                "skuPartNumber": sku.string_id,
                "subscriptionIds": [f"{sku.id[:24]}{tenant.spec.tenant_id[24:]}"],
            }
        )
    return {"@odata.context": context, "value": items}


def subscriptions(tenant: Tenant, clock: Clock, context: str) -> JsonObject:
    items = []
    for seats in tenant.seats:
        sku = seats.sku
        items.append(
            {
                "id": f"{sku.id[:24]}{tenant.spec.tenant_id[24:]}",
                "commerceSubscriptionId": f"{tenant.spec.tenant_id[:24]}{sku.id[24:]}",
                "createdDateTime": f"{clock.day(400)}T00:00:00Z",
                "isTrial": sku.string_id == "Microsoft_365_Copilot",
                "nextLifecycleDateTime": f"{seats.renewal.isoformat()}T00:00:00Z",
                "ownerId": None,
                "ownerTenantId": None,
                "ownerType": None,
                "serviceStatus": [
                    {
                        "servicePlanId": p.id,
                        "servicePlanName": p.name,
                        "provisioningStatus": "Success",
                        "appliesTo": "User",
                    }
                    for p in sku.service_plans
                ],
                "skuId": sku.id,
                "skuPartNumber": sku.string_id,
                "status": "Warning" if seats.warning else "Enabled",
                "totalLicenses": seats.enabled + seats.warning,
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


def role_assignments(tenant: Tenant, clauses: list[Clause], expand: bool, context: str) -> JsonObject:
    wanted: str | None = None
    for c in clauses:
        if (c.prop, c.op) != ("roleDefinitionId", "eq"):
            raise QueryError(f"Unsupported filter on property '{c.prop}'.")
        wanted = c.value
    items: list[JsonObject] = []
    for index in sorted(tenant.roles):
        account = tenant.account(index)
        for role in account.roles:
            if wanted is None or role == wanted:
                item: JsonObject = {
                    "id": f"{role[:8]}{account.id[8:]}",
                    "principalId": account.id,
                    "directoryScopeId": "/",
                    "resourceScope": "/",
                    "roleDefinitionId": role,
                }
                if expand:
                    item["principal"] = _principal(account)
                items.append(item)
    # An application holding a privileged role: principals are not always users.
    app_role = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
    if wanted in (None, app_role):
        item = {
            "id": "sp-assignment-1",
            "principalId": "5f1c0e2a-0000-4000-a000-00000000a001",
            "directoryScopeId": "/",
            "resourceScope": "/",
            "roleDefinitionId": app_role,
        }
        if expand:
            item["principal"] = {
                "@odata.type": "#microsoft.graph.servicePrincipal",
                "id": "5f1c0e2a-0000-4000-a000-00000000a001",
                "displayName": "Backup connector",
                "appId": "0b3e6d1c-0000-4000-a000-00000000b002",
            }
        items.append(item)
    return {"@odata.context": context, "value": items}


def _policy(
    pid: str, name: str, state: str, users: JsonObject, grant: list[str], **conditions: Any
) -> JsonObject:
    return {
        "id": pid,
        "displayName": name,
        "createdDateTime": "2024-03-01T10:00:00Z",
        "modifiedDateTime": "2025-06-01T10:00:00Z",
        "state": state,
        "sessionControls": None,
        "conditions": {
            "signInRiskLevels": conditions.get("signInRiskLevels", []),
            "clientAppTypes": conditions.get("clientAppTypes", ["all"]),
            "platforms": None,
            "locations": None,
            "applications": {
                "includeApplications": ["All"],
                "excludeApplications": [],
                "includeUserActions": [],
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
        },
    }


def conditional_access(tenant: Tenant, context: str) -> JsonObject:
    spec = tenant.spec
    policies = [
        _policy(
            "7a1b0000-0000-4000-a000-000000000001",
            "Block legacy authentication",
            "enabled" if spec.legacy_auth_blocked else "enabledForReportingButNotEnforced",
            {"includeUsers": ["All"]},
            ["block"],
            clientAppTypes=["exchangeActiveSync", "other"],
        ),
        _policy(
            "7a1b0000-0000-4000-a000-000000000002",
            "Require MFA for administrators",
            "enabled",
            {"includeRoles": [GLOBAL_ADMIN, "e8611ab8-c189-46e8-94e1-60213ab1f814"]},
            ["mfa"],
        ),
        _policy(
            "7a1b0000-0000-4000-a000-000000000003",
            "Require MFA for all users",
            "enabled" if spec.mfa_required_for_all else "disabled",
            {"includeUsers": ["All"]},
            ["mfa"],
        ),
        _policy(
            "7a1b0000-0000-4000-a000-000000000004",
            "Block high-risk sign-ins",
            "enabled",
            {"includeUsers": ["All"]},
            ["block"],
            signInRiskLevels=["high"],
        ),
    ]
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
