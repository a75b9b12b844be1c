"""What each dataset fetches: the msgraph-sdk request(s), with least-privilege `$select`, and how
its items become records. Endpoint shapes and limits: each endpoint's page in the Microsoft Graph v1.0
reference (https://learn.microsoft.com/graph/api/overview)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kiota_abstractions.base_request_builder import BaseRequestBuilder
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.request_information import RequestInformation

from shared.collection.graph_records import CONVERTERS, Item, principal_type, role_group_member
from shared.graph import GraphSession
from shared.snapshot import Dataset
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLES, ROLE_GROUPS_NOT_EXPANDED

USERS_PAGE = 999
# Graph's largest page when signInActivity is selected: "use $top=500 to get the maximum 500 users per
# page" (learn.microsoft.com/graph/throttling-limits, identity and access reports best practices). Each
# page spends one of the app's 10 signInActivity requests a minute for all tenants, so fewer pages is
# more customers refreshed. Until July 2025 the largest was 120, and a larger `$top` was refused.
SIGN_IN_PAGE = 500
OLDER_SIGN_IN_PAGE = 120
# Directory audit events are read for the last week: what every edition keeps (learn.microsoft.com/entra/
# identity/monitoring-health/reference-reports-data-retention); compute keeps the window since the previous
# run. `category` has no documented $filter, so the categories are kept in compute, not asked of Graph.
AUDIT_LOOKBACK = timedelta(days=7)
SECURE_SCORE_DAYS = 90  # latest first: today's score and the 90 days Graph keeps (the trend)
DETAIL_PERIOD = "D30"
# Copilot: the longest period, so a seat's days since last use are known up to 180 days; the 7/28/90-day
# windows are counted from the dates. The trend's 90 daily rows match the adoption trend's.
COPILOT_DETAIL_PERIOD = "D180"
COPILOT_TREND_PERIOD = "D90"
COUNTS_PERIOD = "D90"  # daily rows for the adoption trend on a first run
USER_FIELDS = [
    "id",
    "userPrincipalName",
    "displayName",
    "mail",
    "accountEnabled",
    "userType",
    "createdDateTime",
    "department",
    "onPremisesSyncEnabled",
    "assignedLicenses",
    # Direct or inherited from a group, per licence (graph/api/resources/licenseassignmentstate)
    "licenseAssignmentStates",
]
GROUPS_PAGE = 999
APPLICATIONS_PAGE = 999
MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
PIM_UNAVAILABLE = "pim_unavailable"  # the tenant has no Entra ID P2: no Privileged Identity Management
# The member facts a role holder needs (`records.RoleAssignment`), read from a role-assignable group.
MEMBER_FIELDS = ["id", "displayName", "accountEnabled", "userType", "onPremisesSyncEnabled"]


def get(builder: BaseRequestBuilder, **query: Any) -> RequestInformation:
    """The builder's GET with query options (`select=[...]`, `top=...`) in its generated parameter class.

    An explicit configuration also keeps the SDK from building its deprecated per-builder one.
    """
    make: Callable[[RequestConfiguration[Any]], RequestInformation] = builder.to_get_request_information  # type: ignore[attr-defined]
    if not query:
        return make(RequestConfiguration())
    parameters = getattr(type(builder), f"{type(builder).__name__}GetQueryParameters")
    return make(RequestConfiguration(query_parameters=parameters(**query)))


# A further listing an item calls for, and how each of its items becomes a row.
Expansion = tuple[RequestInformation, Callable[[Item], Item]]


@dataclass(frozen=True, slots=True)
class JsonSource:
    """A Graph collection (one or more listings, each paged by nextLink), or a single entity."""

    requests: Callable[[GraphSession], list[RequestInformation]]
    convert: Callable[[Item], Item]
    entity: bool = False
    # A 403 "non-premium tenant" makes the dataset unavailable with this warning, not failed.
    unavailable_warning: str | None = None
    # Listings an item calls for, read right after it (its rows follow its own).
    expand: Callable[[GraphSession, Item], list[Expansion]] | None = None
    # A 403 on an expansion (a permission it alone needs) skips it with this warning.
    expansion_denied_warning: str | None = None
    # The same listing with smaller pages, for a Graph that refuses these (`GraphError.page_size_refused`).
    smaller_pages: JsonSource | None = None


@dataclass(frozen=True, slots=True)
class ReportSource:
    """A usage report: a 302 to a pre-authenticated CSV download (streamed, not resumable)."""

    method: str  # the SDK's `reports.get_xxx_with_period`
    period: str

    def request(self, session: GraphSession) -> RequestInformation:
        return get(getattr(session.sdk.reports, self.method)(self.period))


@dataclass(frozen=True, slots=True)
class CopilotReportSource(ReportSource):
    """A Microsoft 365 Copilot usage report: `GET /copilot/reports/{function}(period='…',version='v2')`
    (Reports.Read.All), answered 200 with the CSV itself. msgraph-sdk 1.x has no builder for
    `/copilot/reports`, so the request is built by hand and sent through the same session (auth, retries,
    throttling). Version 2 is the default and the richer one; its periods are D7, D28, D90, D180 and ALL
    (learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/reports/
    copilotreportroot-getmicrosoft365copilotusageuserdetail)."""

    def request(self, session: GraphSession) -> RequestInformation:
        url = f"{session.base_url}/copilot/reports/{self.method}(period='{self.period}',version='v2')"
        info = session.request_for(url)
        info.headers.remove("Accept")  # a CSV stream, not JSON
        return info


Source = JsonSource | ReportSource


def _json(
    dataset: Dataset, requests: Callable[[GraphSession], list[RequestInformation]], **kw: Any
) -> JsonSource:
    return JsonSource(requests, CONVERTERS[dataset.value], **kw)


def role_group_members(session: GraphSession, assignment: Item) -> list[Expansion]:
    """A role held by a role-assignable group is held by each of its members: list the member users
    (`GET /groups/{id}/transitiveMembers/microsoft.graph.user`, GroupMember.Read.All;
    learn.microsoft.com/graph/api/group-list-transitivemembers and
    learn.microsoft.com/entra/identity/role-based-access-control/groups-concept)."""
    if principal_type(assignment.get("principal") or {}) != "group":
        return []
    members = session.sdk.groups.by_group_id(str(assignment.get("principalId"))).transitive_members
    return [(get(members.graph_user, select=MEMBER_FIELDS), role_group_member(assignment))]


def graph_permission_grants(session: GraphSession) -> list[RequestInformation]:
    """Every Microsoft Graph application permission granted in the tenant, in one listing: the app role
    assignments to Microsoft Graph's service principal, addressed by its appId, which is the same in every
    tenant (Application.Read.All; learn.microsoft.com/graph/api/serviceprincipal-list-approleassignedto).
    The SDK has no builder for the alternate key, so the URL is written out."""
    fields = "id,appRoleId,principalId,principalDisplayName,principalType,createdDateTime"
    path = f"/servicePrincipals(appId='{MICROSOFT_GRAPH_APP_ID}')/appRoleAssignedTo?$select={fields}"
    return [session.request_for(session.base_url + path)]


def directory_audits(session: GraphSession) -> list[RequestInformation]:
    """`GET /auditLogs/directoryAudits` since `AUDIT_LOOKBACK` ago (AuditLog.Read.All;
    learn.microsoft.com/graph/api/directoryaudit-list: activityDateTime supports $filter ge)."""
    since = (datetime.now(UTC) - AUDIT_LOOKBACK).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The list documents $filter, $top, $orderby and skiptoken, not $select: the whole event is read.
    return [get(session.sdk.audit_logs.directory_audits, filter=f"activityDateTime ge {since}")]


SOURCES: dict[Dataset, Source] = {
    Dataset.ORGANISATION: _json(
        Dataset.ORGANISATION, lambda g: [get(g.sdk.organization, select=["id", "displayName"])]
    ),
    Dataset.USERS: _json(Dataset.USERS, lambda g: [get(g.sdk.users, select=USER_FIELDS, top=USERS_PAGE)]),
    Dataset.GROUPS: _json(
        Dataset.GROUPS, lambda g: [get(g.sdk.groups, select=["id", "displayName"], top=GROUPS_PAGE)]
    ),
    Dataset.SIGN_IN_ACTIVITY: _json(
        Dataset.SIGN_IN_ACTIVITY,
        lambda g: [get(g.sdk.users, select=["id", "signInActivity"], top=SIGN_IN_PAGE)],
        unavailable_warning="signin_activity_unavailable",
        smaller_pages=_json(
            Dataset.SIGN_IN_ACTIVITY,
            lambda g: [get(g.sdk.users, select=["id", "signInActivity"], top=OLDER_SIGN_IN_PAGE)],
            unavailable_warning="signin_activity_unavailable",
        ),
    ),
    Dataset.SUBSCRIBED_SKUS: _json(
        Dataset.SUBSCRIBED_SKUS,
        lambda g: [
            get(
                g.sdk.subscribed_skus,
                select=[
                    "skuId",
                    "skuPartNumber",
                    "capabilityStatus",
                    "appliesTo",
                    "consumedUnits",
                    "prepaidUnits",
                    "servicePlans",
                ],
            )
        ],
    ),
    Dataset.SUBSCRIPTIONS: _json(
        Dataset.SUBSCRIPTIONS,
        lambda g: [
            get(
                g.sdk.directory.subscriptions,
                select=[
                    "id",
                    "skuId",
                    "skuPartNumber",
                    "status",
                    "totalLicenses",
                    "isTrial",
                    "nextLifecycleDateTime",
                ],
            )
        ],
    ),
    Dataset.REPORT_SETTINGS: _json(
        Dataset.REPORT_SETTINGS,
        lambda g: [get(g.sdk.admin.report_settings)],
        entity=True,
    ),
    Dataset.REGISTRATION_DETAILS: _json(
        Dataset.REGISTRATION_DETAILS,
        lambda g: [get(g.sdk.reports.authentication_methods.user_registration_details)],
        unavailable_warning="registration_details_unavailable",
    ),
    Dataset.SECURE_SCORES: _json(
        Dataset.SECURE_SCORES, lambda g: [get(g.sdk.security.secure_scores, top=SECURE_SCORE_DAYS)]
    ),
    Dataset.ROLE_ASSIGNMENTS: _json(
        Dataset.ROLE_ASSIGNMENTS,
        lambda g: [
            get(
                g.sdk.role_management.directory.role_assignments,
                filter=f"roleDefinitionId eq '{role}'",
                expand=["principal"],
            )
            for role in PRIVILEGED_ROLES
        ],
        expand=role_group_members,
        expansion_denied_warning=ROLE_GROUPS_NOT_EXPANDED,
    ),
    Dataset.CONDITIONAL_ACCESS_POLICIES: _json(
        Dataset.CONDITIONAL_ACCESS_POLICIES,
        lambda g: [get(g.sdk.identity.conditional_access.policies)],
        unavailable_warning="conditional_access_unavailable",
    ),
    Dataset.DIRECTORY_AUDITS: _json(Dataset.DIRECTORY_AUDITS, directory_audits),
    # Tenant-wide policies: one entity each (learn.microsoft.com/graph/api/authorizationpolicy-get,
    # adminconsentrequestpolicy-get, authenticationmethodspolicy-get).
    Dataset.AUTHORIZATION_POLICY: _json(
        Dataset.AUTHORIZATION_POLICY, lambda g: [get(g.sdk.policies.authorization_policy)], entity=True
    ),
    Dataset.ADMIN_CONSENT_REQUEST_POLICY: _json(
        Dataset.ADMIN_CONSENT_REQUEST_POLICY,
        lambda g: [get(g.sdk.policies.admin_consent_request_policy)],
        entity=True,
    ),
    Dataset.AUTHENTICATION_METHODS_POLICY: _json(
        Dataset.AUTHENTICATION_METHODS_POLICY,
        lambda g: [get(g.sdk.policies.authentication_methods_policy)],
        entity=True,
    ),
    # learn.microsoft.com/graph/api/domain-list (Domain.Read.All): every domain, verified or not.
    Dataset.DOMAINS: _json(
        Dataset.DOMAINS,
        lambda g: [get(g.sdk.domains, select=["id", "isVerified", "passwordValidityPeriodInDays"])],
    ),
    # learn.microsoft.com/graph/api/application-list (Application.Read.All): app registrations and their
    # credentials' validity.
    Dataset.APPLICATIONS: _json(
        Dataset.APPLICATIONS,
        lambda g: [
            get(
                g.sdk.applications,
                select=["id", "appId", "displayName", "passwordCredentials", "keyCredentials"],
                top=APPLICATIONS_PAGE,
            )
        ],
    ),
    Dataset.GRAPH_PERMISSION_GRANTS: _json(Dataset.GRAPH_PERMISSION_GRANTS, graph_permission_grants),
    # learn.microsoft.com/graph/api/rbacapplication-list-roleassignmentscheduleinstances: the active
    # assignments, permanent or activated through PIM (RoleManagement.Read.Directory covers its least
    # privileged RoleAssignmentSchedule.Read.Directory).
    Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES: _json(
        Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES,
        lambda g: [
            get(
                g.sdk.role_management.directory.role_assignment_schedule_instances,
                select=[
                    "id",
                    "principalId",
                    "roleDefinitionId",
                    "assignmentType",
                    "memberType",
                    "startDateTime",
                    "endDateTime",
                ],
            )
        ],
        unavailable_warning=PIM_UNAVAILABLE,
    ),
    # learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicyassignments: the Global
    # Administrator role's PIM policy with its rules (RoleManagement.Read.Directory covers its least
    # privileged RoleManagementPolicy.Read.Directory).
    Dataset.ROLE_ACTIVATION_POLICIES: _json(
        Dataset.ROLE_ACTIVATION_POLICIES,
        lambda g: [
            get(
                g.sdk.policies.role_management_policy_assignments,
                filter="scopeId eq '/' and scopeType eq 'DirectoryRole' "
                f"and roleDefinitionId eq '{GLOBAL_ADMINISTRATOR}'",
                expand=["policy($expand=rules)"],
            )
        ],
        unavailable_warning=PIM_UNAVAILABLE,
    ),
    # learn.microsoft.com/graph/api/sharepointsettings-get (SharePointTenantSettings.Read.All, the least
    # privileged application permission): the tenant's sharing and session settings, one entity.
    Dataset.SHAREPOINT_SETTINGS: _json(
        Dataset.SHAREPOINT_SETTINGS, lambda g: [get(g.sdk.admin.sharepoint.settings)], entity=True
    ),
    **{
        dataset: ReportSource(method, period)
        for dataset, method, period in (
            (Dataset.ACTIVE_USER_DETAIL, "get_office365_active_user_detail_with_period", DETAIL_PERIOD),
            (Dataset.EMAIL_ACTIVITY_USER_DETAIL, "get_email_activity_user_detail_with_period", DETAIL_PERIOD),
            (
                Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL,
                "get_teams_user_activity_user_detail_with_period",
                DETAIL_PERIOD,
            ),
            (
                Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL,
                "get_one_drive_usage_account_detail_with_period",
                DETAIL_PERIOD,
            ),
            (
                Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL,
                "get_share_point_activity_user_detail_with_period",
                DETAIL_PERIOD,
            ),
            (Dataset.M365_APP_USER_DETAIL, "get_m365_app_user_detail_with_period", DETAIL_PERIOD),
            (Dataset.ACTIVE_USER_COUNTS, "get_office365_active_user_counts_with_period", COUNTS_PERIOD),
            (Dataset.TEAMS_USER_ACTIVITY_COUNTS, "get_teams_user_activity_counts_with_period", COUNTS_PERIOD),
        )
    },
    Dataset.COPILOT_USAGE_USER_DETAIL: CopilotReportSource(
        "getMicrosoft365CopilotUsageUserDetail", COPILOT_DETAIL_PERIOD
    ),
    Dataset.COPILOT_USER_COUNT_TREND: CopilotReportSource(
        "getMicrosoft365CopilotUserCountTrend", COPILOT_TREND_PERIOD
    ),
}
