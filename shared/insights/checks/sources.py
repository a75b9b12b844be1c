"""What each snapshot dataset costs a check: the Graph permission, the request and the licence it needs.

A check names the datasets it reads; its permissions, Graph requests and licence follow from this table,
so they cannot drift from what collection actually calls (README, "Microsoft Graph permissions").
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.insights.assurance import CheckInfo
from shared.insights.models import Severity
from shared.snapshot import Dataset

P1 = "Microsoft Entra ID P1"
P1_OR_P2 = "Microsoft Entra ID P1 or P2"
P2 = "Microsoft Entra ID P2"
REPORTS = "Reports.Read.All"


@dataclass(frozen=True, slots=True)
class Source:
    permission: str
    graph: str
    licence: str | None = None


SOURCES: dict[Dataset, Source] = {
    Dataset.USERS: Source("User.Read.All", "GET /users"),
    Dataset.SIGN_IN_ACTIVITY: Source("AuditLog.Read.All", "GET /users?$select=signInActivity", P1_OR_P2),
    Dataset.REGISTRATION_DETAILS: Source(
        "AuditLog.Read.All", "GET /reports/authenticationMethods/userRegistrationDetails", P1_OR_P2
    ),
    Dataset.ROLE_ASSIGNMENTS: Source(
        "RoleManagement.Read.Directory", "GET /roleManagement/directory/roleAssignments?$expand=principal"
    ),
    Dataset.CONDITIONAL_ACCESS_POLICIES: Source(
        "Policy.Read.All", "GET /identity/conditionalAccess/policies", P1
    ),
    Dataset.SECURE_SCORES: Source("SecurityEvents.Read.All", "GET /security/secureScores"),
    # Policy.Read.All is the least-privileged application permission of GET authorizationPolicy and
    # adminConsentRequestPolicy; authenticationMethodsPolicy's own least one,
    # Policy.Read.AuthenticationMethod, is covered by it (learn.microsoft.com/graph/api/
    # authenticationmethodspolicy-get), so the app needs no other consent.
    Dataset.AUTHORIZATION_POLICY: Source("Policy.Read.All", "GET /policies/authorizationPolicy"),
    Dataset.ADMIN_CONSENT_REQUEST_POLICY: Source(
        "Policy.Read.All", "GET /policies/adminConsentRequestPolicy"
    ),
    Dataset.AUTHENTICATION_METHODS_POLICY: Source(
        "Policy.Read.All", "GET /policies/authenticationMethodsPolicy"
    ),
    Dataset.ACTIVE_USER_DETAIL: Source(REPORTS, "GET /reports/getOffice365ActiveUserDetail"),
    Dataset.DOMAINS: Source("Domain.Read.All", "GET /domains"),
    Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES: Source(
        "RoleManagement.Read.Directory", "GET /roleManagement/directory/roleAssignmentScheduleInstances"
    ),
    Dataset.ROLE_ACTIVATION_POLICIES: Source(
        "RoleManagement.Read.Directory",
        "GET /policies/roleManagementPolicyAssignments?$expand=policy($expand=rules)",
    ),
    Dataset.APPLICATIONS: Source("Application.Read.All", "GET /applications"),
    Dataset.GRAPH_PERMISSION_GRANTS: Source(
        "Application.Read.All",
        "GET /servicePrincipals(appId='00000003-0000-0000-c000-000000000000')/appRoleAssignedTo",
    ),
    Dataset.SHAREPOINT_SETTINGS: Source(
        "SharePointTenantSettings.Read.All", "GET /admin/sharepoint/settings"
    ),
}


def declare(
    id: str,
    title: str,
    severity: Severity,
    *,
    baselines: tuple[str, ...] = (),
    rationale: str,
    remediation: str,
    requires: tuple[Dataset, ...],
    licence: str | None = None,
) -> CheckInfo:
    """A check's metadata, its permissions, Graph requests and licence derived from the datasets it reads
    (`licence` when the check needs more than its data does, e.g. P2 for risk-based policies)."""
    sources = [SOURCES[d] for d in requires if d in SOURCES]
    licences = [s.licence for s in sources if s.licence]
    return CheckInfo(
        id=id,
        title=title,
        severity=severity,
        baselines=baselines,
        rationale=rationale,
        remediation=remediation,
        requires=requires,
        permissions=tuple(dict.fromkeys(s.permission for s in sources)),
        graph=tuple(dict.fromkeys(s.graph for s in sources)),
        licence=licence or (P1 if P1 in licences else licences[0] if licences else None),
    )
