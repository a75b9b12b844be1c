"""Test connection: get a token with the customer's credentials, then make one cheap Graph call per
application permission collection needs, and say which permissions are granted, missing or unknown.

A call the app may not make answers 403 `Authorization_RequestDenied`
(https://learn.microsoft.com/graph/resolve-auth-errors); a call that needs Entra ID P1/P2 in a tenant
without it answers 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant`, which says nothing about
the permission: that data is `unlicensed` (unavailable whatever is granted). Each probe is the smallest
documented request of an endpoint the collectors read (least-privileged permissions as listed on each
endpoint's page, e.g. https://learn.microsoft.com/graph/api/directory-list-subscriptions).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

import httpx
from azure.core.credentials_async import AsyncTokenCredential

from shared.graph.credentials import CredentialError, verify_credentials
from shared.graph.errors import GraphError
from shared.graph.retry import RetryPolicy
from shared.graph.session import GraphSession

PermissionStatus = Literal["granted", "missing", "unlicensed", "unknown"]
GLOBAL_ADMINISTRATOR_ROLE = "62e90394-69f5-4237-9190-012177145e10"
# Probes answer within seconds or not at all: a person is waiting for the answer.
PROBE_RETRY = RetryPolicy(max_attempts=2, max_wait_seconds=5, total_wait_seconds=5, malformed_attempts=2)
PROBE_TIMEOUT_SECONDS = 20


@dataclass(frozen=True, slots=True)
class Probe:
    permission: str
    purpose: str
    path: str  # under the Graph base URL
    required: bool  # without it no refresh can succeed (its datasets are required)


PROBES: tuple[Probe, ...] = (
    Probe("User.Read.All", "accounts, licences assigned, account state", "/users?$top=1&$select=id", True),
    Probe(
        "GroupMember.Read.All",
        "names of licensing groups and members of role-assignable groups",
        "/groups?$top=1&$select=id",
        False,
    ),
    Probe(
        "AuditLog.Read.All",
        "last sign-in and MFA registration",
        "/reports/authenticationMethods/userRegistrationDetails?$top=1",
        False,
    ),
    Probe(
        "Reports.Read.All",
        "Microsoft 365 usage reports",
        "/reports/getOffice365ActiveUserCounts(period='D7')",
        False,
    ),
    Probe("ReportSettings.Read.All", "whether report names are concealed", "/admin/reportSettings", False),
    Probe(
        "Organization.Read.All", "licences bought and renewal dates", "/subscribedSkus?$select=skuId", True
    ),
    Probe(
        "RoleManagement.Read.Directory",
        "privileged directory role assignments",
        "/roleManagement/directory/roleAssignments"
        f"?$filter=roleDefinitionId eq '{GLOBAL_ADMINISTRATOR_ROLE}'",
        False,
    ),
    Probe(
        "Policy.Read.All", "Conditional Access policies", "/identity/conditionalAccess/policies?$top=1", False
    ),
    Probe("SecurityEvents.Read.All", "Microsoft Secure Score", "/security/secureScores?$top=1", False),
    Probe("Domain.Read.All", "domains' password expiry", "/domains?$top=1&$select=id", False),
    Probe(
        "Application.Read.All",
        "app registrations' credentials and the Microsoft Graph permissions granted to apps",
        "/applications?$top=1&$select=id",
        False,
    ),
    Probe(
        "SharePointTenantSettings.Read.All",
        "SharePoint and OneDrive sharing settings",
        "/admin/sharepoint/settings",
        False,
    ),
)


@dataclass(frozen=True, slots=True)
class PermissionResult:
    permission: str
    purpose: str
    required: bool
    status: PermissionStatus
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """Either the credentials were refused (`refused`), or each permission's result."""

    refused: CredentialError | None
    permissions: tuple[PermissionResult, ...] = ()

    @property
    def missing(self) -> list[str]:
        return [p.permission for p in self.permissions if p.status == "missing"]

    @property
    def problem(self) -> str | None:
        """What stops a refresh from succeeding, in plain words; None when nothing does."""
        if self.refused is not None:
            return f"{self.refused.field}: {self.refused}"
        blocking = [p.permission for p in self.permissions if p.required and p.status == "missing"]
        if blocking:
            return (
                "the app lacks the Microsoft Graph application permission(s) "
                + ", ".join(blocking)
                + (" (grant them and admin consent in Entra ID)")
            )
        return None


async def _probe(session: GraphSession, probe: Probe) -> PermissionResult:
    def result(status: PermissionStatus, detail: str | None = None) -> PermissionResult:
        return PermissionResult(probe.permission, probe.purpose, probe.required, status, detail)

    try:
        # The body is not read: an answer at all means the call was allowed (a report redirects to its
        # download, which the session follows).
        async with session.stream(session.request_for(session.base_url + probe.path)):
            pass
    except GraphError as error:
        if error.permission_denied:
            return result("missing", "Graph answered 403 Authorization_RequestDenied")
        if error.non_premium:
            return result("unlicensed", "the tenant has no Entra ID P1/P2 licence; this data is unavailable")
        return result("unknown", str(error))
    except httpx.HTTPError as error:
        return result("unknown", f"connection to Graph failed: {type(error).__name__}")
    return result("granted")


async def check_connection(base_url: str, credential: AsyncTokenCredential) -> ConnectionReport:
    """Token first (a refusal ends the test), then every probe concurrently. Closes `credential`.

    Anything but a refusal from the token endpoint (unreachable, 5xx) is raised: the test could not run.
    """
    async with GraphSession(
        base_url, credential, retry=PROBE_RETRY, timeout_seconds=PROBE_TIMEOUT_SECONDS
    ) as session:
        try:
            await verify_credentials(credential)
        except CredentialError as refused:
            return ConnectionReport(refused)
        results = await asyncio.gather(*(_probe(session, probe) for probe in PROBES))
    return ConnectionReport(None, tuple(results))


__all__ = ["PROBES", "ConnectionReport", "PermissionResult", "PermissionStatus", "Probe", "check_connection"]
