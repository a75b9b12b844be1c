"""Which application permissions each simulated endpoint needs, and Graph's answer when one is missing.

Least-privileged application permissions from each endpoint's page on learn.microsoft.com (for example
https://learn.microsoft.com/graph/api/directory-list-subscriptions and
https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments); the higher-privileged
`Directory.Read.All` is accepted where Graph accepts it. A call the app may not make answers
403 `Authorization_RequestDenied` "Insufficient privileges to complete the operation."
(https://learn.microsoft.com/graph/resolve-auth-errors), in Graph's error shape (`errors.py`).
"""

from __future__ import annotations

from aiohttp import web

from dev.graph_sim.config import Endpoint
from dev.graph_sim.errors import graph_error

DIRECTORY_READ_ALL = "Directory.Read.All"


def _any(*permissions: str) -> frozenset[str]:
    return frozenset(permissions)


# Each endpoint needs one permission out of every set listed.
NEEDS: dict[Endpoint, tuple[frozenset[str], ...]] = {
    Endpoint.USERS: (_any("User.Read.All", DIRECTORY_READ_ALL),),
    # signInActivity needs AuditLog.Read.All on top of reading users.
    Endpoint.USERS_SIGNIN: (_any("User.Read.All", DIRECTORY_READ_ALL), _any("AuditLog.Read.All")),
    Endpoint.ORGANIZATION: (_any("Organization.Read.All", DIRECTORY_READ_ALL),),
    Endpoint.GROUPS: (_any("GroupMember.Read.All", "Group.Read.All", DIRECTORY_READ_ALL),),
    Endpoint.SUBSCRIBED_SKUS: (
        _any("Organization.Read.All", "LicenseAssignment.Read.All", DIRECTORY_READ_ALL),
    ),
    Endpoint.SUBSCRIPTIONS: (_any("Organization.Read.All", DIRECTORY_READ_ALL),),
    Endpoint.ROLE_ASSIGNMENTS: (_any("RoleManagement.Read.Directory", DIRECTORY_READ_ALL),),
    Endpoint.CONDITIONAL_ACCESS: (_any("Policy.Read.All"),),
    # authenticationMethodsPolicy also accepts its narrower Policy.Read.AuthenticationMethod
    # (learn.microsoft.com/graph/api/authenticationmethodspolicy-get); the other two need Policy.Read.All.
    Endpoint.POLICIES: (_any("Policy.Read.All"),),
    Endpoint.REGISTRATION_DETAILS: (_any("AuditLog.Read.All"),),
    # The reference lists AuditLog.Read.All and Directory.Read.All; Graph serves it with AuditLog.Read.All.
    Endpoint.DIRECTORY_AUDITS: (_any("AuditLog.Read.All"),),
    Endpoint.SECURE_SCORES: (_any("SecurityEvents.Read.All"),),
    Endpoint.DOMAINS: (_any("Domain.Read.All", DIRECTORY_READ_ALL),),
    Endpoint.APPLICATIONS: (_any("Application.Read.All", DIRECTORY_READ_ALL),),
    # learn.microsoft.com/graph/api/sharepointsettings-get: no directory permission covers it.
    Endpoint.SHAREPOINT_SETTINGS: (_any("SharePointTenantSettings.Read.All"),),
    Endpoint.REPORT_SETTINGS: (_any("ReportSettings.Read.All"),),
    Endpoint.REPORTS: (_any("Reports.Read.All"),),
}
# What an app registration without an explicit list is granted: the README's least-privilege set.
ALL_NEEDED = frozenset(
    {
        "User.Read.All",
        "GroupMember.Read.All",
        "AuditLog.Read.All",
        "Reports.Read.All",
        "ReportSettings.Read.All",
        "Organization.Read.All",
        "RoleManagement.Read.Directory",
        "Policy.Read.All",
        "SecurityEvents.Read.All",
        "Domain.Read.All",
        "Application.Read.All",
        "SharePointTenantSettings.Read.All",
    }
)


def allowed(granted: frozenset[str], endpoint: Endpoint) -> bool:
    return all(options & granted for options in NEEDS.get(endpoint, ()))


def permission_denied() -> web.Response:
    return graph_error(
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
    )
