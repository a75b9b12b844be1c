"""The datasets a snapshot holds, each with its record model and blob name, and the `raw/` blob area
they are kept in (`RAW_AREA`: its layout and what of it retention removes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel

from shared.ownership import BlobArea
from shared.services import Services
from shared.snapshot import records
from shared.storage import NotFoundError, OrgContainer, TenantContext

if TYPE_CHECKING:  # the organisation's periods; `shared.organisations` declares an owner itself
    from shared.organisations import RetentionSettings

RAW = "raw/"


class Dataset(StrEnum):
    ORGANISATION = "organisation"
    USERS = "users"
    GROUPS = "groups"
    SIGN_IN_ACTIVITY = "sign_in_activity"
    SUBSCRIBED_SKUS = "subscribed_skus"
    SUBSCRIPTIONS = "subscriptions"
    REPORT_SETTINGS = "report_settings"
    REGISTRATION_DETAILS = "registration_details"
    SECURE_SCORES = "secure_scores"
    ROLE_ASSIGNMENTS = "role_assignments"
    CONDITIONAL_ACCESS_POLICIES = "conditional_access_policies"
    DIRECTORY_AUDITS = "directory_audits"
    AUTHORIZATION_POLICY = "authorization_policy"
    ADMIN_CONSENT_REQUEST_POLICY = "admin_consent_request_policy"
    AUTHENTICATION_METHODS_POLICY = "authentication_methods_policy"
    DOMAINS = "domains"
    APPLICATIONS = "applications"
    GRAPH_PERMISSION_GRANTS = "graph_permission_grants"
    ROLE_ASSIGNMENT_SCHEDULE_INSTANCES = "role_assignment_schedule_instances"
    ROLE_ACTIVATION_POLICIES = "role_activation_policies"
    SHAREPOINT_SETTINGS = "sharepoint_settings"
    ACTIVE_USER_DETAIL = "active_user_detail"
    EMAIL_ACTIVITY_USER_DETAIL = "email_activity_user_detail"
    TEAMS_USER_ACTIVITY_USER_DETAIL = "teams_user_activity_user_detail"
    ONEDRIVE_USAGE_ACCOUNT_DETAIL = "onedrive_usage_account_detail"
    SHAREPOINT_ACTIVITY_USER_DETAIL = "sharepoint_activity_user_detail"
    M365_APP_USER_DETAIL = "m365_app_user_detail"
    ACTIVE_USER_COUNTS = "active_user_counts"
    TEAMS_USER_ACTIVITY_COUNTS = "teams_user_activity_counts"
    COPILOT_USAGE_USER_DETAIL = "copilot_usage_user_detail"
    COPILOT_USER_COUNT_TREND = "copilot_user_count_trend"

    @property
    def record_model(self) -> type[BaseModel]:
        return RECORD_MODELS[self]

    @property
    def blob_name(self) -> str:
        return f"{self.value}.jsonl.gz"


RECORD_MODELS: dict[Dataset, type[BaseModel]] = {
    Dataset.ORGANISATION: records.Organisation,
    Dataset.USERS: records.User,
    Dataset.GROUPS: records.Group,
    Dataset.SIGN_IN_ACTIVITY: records.SignInActivity,
    Dataset.SUBSCRIBED_SKUS: records.SubscribedSku,
    Dataset.SUBSCRIPTIONS: records.Subscription,
    Dataset.REPORT_SETTINGS: records.ReportSettings,
    Dataset.REGISTRATION_DETAILS: records.RegistrationDetail,
    Dataset.SECURE_SCORES: records.SecureScore,
    Dataset.ROLE_ASSIGNMENTS: records.RoleAssignment,
    Dataset.CONDITIONAL_ACCESS_POLICIES: records.ConditionalAccessPolicy,
    Dataset.DIRECTORY_AUDITS: records.DirectoryAudit,
    Dataset.AUTHORIZATION_POLICY: records.AuthorizationPolicy,
    Dataset.ADMIN_CONSENT_REQUEST_POLICY: records.AdminConsentRequestPolicy,
    Dataset.AUTHENTICATION_METHODS_POLICY: records.AuthenticationMethodsPolicy,
    Dataset.DOMAINS: records.Domain,
    Dataset.APPLICATIONS: records.Application,
    Dataset.GRAPH_PERMISSION_GRANTS: records.GraphPermissionGrant,
    Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES: records.RoleAssignmentScheduleInstance,
    Dataset.ROLE_ACTIVATION_POLICIES: records.RoleActivationPolicy,
    Dataset.SHAREPOINT_SETTINGS: records.SharePointSettings,
    Dataset.ACTIVE_USER_DETAIL: records.ActiveUserDetail,
    Dataset.EMAIL_ACTIVITY_USER_DETAIL: records.EmailActivityUserDetail,
    Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL: records.TeamsUserActivityUserDetail,
    Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL: records.OneDriveUsageAccountDetail,
    Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL: records.SharePointActivityUserDetail,
    Dataset.M365_APP_USER_DETAIL: records.M365AppUserDetail,
    Dataset.ACTIVE_USER_COUNTS: records.ActiveUserCounts,
    Dataset.TEAMS_USER_ACTIVITY_COUNTS: records.TeamsUserActivityCounts,
    Dataset.COPILOT_USAGE_USER_DETAIL: records.CopilotUsageUserDetail,
    Dataset.COPILOT_USER_COUNT_TREND: records.CopilotUserCountTrend,
}


def snapshot_prefix(as_of: date, run_id: str) -> str:
    """Folder of one run's raw snapshot inside the organisation's container."""
    return f"{RAW}{as_of.isoformat()}/{run_id}/"


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def expired_raw_days(
    services: Services, tenant: TenantContext, now: datetime, periods: RetentionSettings
) -> Iterator[str]:
    """The folders `raw/<as_of>/` of whole days before the raw period's cutoff (a day exactly on the
    cutoff is kept), oldest first; nothing when the organisation has no container."""
    cutoff = now.date() - timedelta(days=periods.raw_days)
    try:
        held = {blob.name.split("/")[1] for blob in OrgContainer(services.storage, tenant).list_blobs(RAW)}
    except NotFoundError:
        return
    old = sorted(day for day in held if (as_of := _day(day)) is not None and as_of < cutoff)
    yield from (f"{RAW}{day}/" for day in old)


RAW_AREA = BlobArea(prefix=RAW, module=__name__, expired_prefixes=expired_raw_days)
