"""`GET /applications` (learn.microsoft.com/graph/api/application-list; resources/application,
passwordcredential, keycredential) and the Microsoft Graph application permissions granted in the tenant,
`GET /servicePrincipals(appId='00000003-0000-0000-c000-000000000000')/appRoleAssignedTo`
(learn.microsoft.com/graph/api/serviceprincipal-list-approleassignedto; resources/approleassignment), from
the tenant's planted apps (`dev.tenant.applications`). As in Graph, a secret's text is never returned
(`secretText` is null, only a three-character `hint`) and a certificate's `key` is null unless selected."""

from __future__ import annotations

from typing import Any

from dev.graph_sim.wire import Clock
from dev.tenant import Tenant
from dev.tenant.applications import Credential, PlantedApp

JsonObject = dict[str, Any]
MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_SERVICE_PRINCIPAL = "5b0c2a1e-0000-4000-a000-00000000e001"  # its object id in this tenant
GRANTS_PATH = f"/servicePrincipals(appId='{MICROSOFT_GRAPH_APP_ID}')/appRoleAssignedTo"


def _secret(app: PlantedApp, n: int, c: Credential, clock: Clock) -> JsonObject:
    return {
        "customKeyIdentifier": None,
        "displayName": f"{app.name} secret {n + 1}",
        "endDateTime": clock.instant(-c.end),
        "hint": "x7Q",
        "keyId": f"c5e00000-0000-4000-a000-{app.number:06d}{n:06d}",
        "secretText": None,
        "startDateTime": clock.instant(-c.start),
    }


def _certificate(app: PlantedApp, n: int, c: Credential, clock: Clock) -> JsonObject:
    return {
        "customKeyIdentifier": "52B2C8A4E6F0B0F5B3E1A0C9D8F7E6D5C4B3A291",
        "displayName": f"CN={app.name}",
        "endDateTime": clock.instant(-c.end),
        "key": None,
        "keyId": f"ce700000-0000-4000-a000-{app.number:06d}{n:06d}",
        "startDateTime": clock.instant(-c.start),
        "type": "AsymmetricX509Cert",
        "usage": "Verify",
    }


def applications(tenant: Tenant, context: str) -> JsonObject:
    clock = Clock(tenant.spec.as_of)
    return {
        "@odata.context": context,
        "value": [
            {
                "id": app.object_id,
                "appId": app.app_id,
                "displayName": app.name,
                "createdDateTime": clock.instant(900),
                "signInAudience": "AzureADMyOrg",
                "passwordCredentials": [_secret(app, n, c, clock) for n, c in enumerate(app.secrets)],
                "keyCredentials": [_certificate(app, n, c, clock) for n, c in enumerate(app.certificates)],
            }
            for app in tenant.policies.applications
        ],
    }


def graph_permission_grants(tenant: Tenant, context: str) -> JsonObject:
    clock = Clock(tenant.spec.as_of)
    return {
        "@odata.context": context,
        "value": [
            {
                "id": f"gr{app.number:04d}{n:04d}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "deletedDateTime": None,
                "appRoleId": role,
                "createdDateTime": clock.instant(300),
                "principalDisplayName": app.name,
                "principalId": app.service_principal_id,
                "principalType": "ServicePrincipal",
                "resourceDisplayName": "Microsoft Graph",
                "resourceId": GRAPH_SERVICE_PRINCIPAL,
            }
            for app in tenant.policies.applications
            for n, role in enumerate(app.graph_permissions)
        ],
    }
