"""Record models of the raw snapshot, one per dataset (snake_case, typed, only what insights use).

Graph JSON records keep Graph's meaning (Microsoft Graph v1.0 reference of each resource) with data
minimisation applied (README "Data we hold"); report CSV rows are parsed into typed values (dates,
booleans, counts). Dates the source marks as "never" (`0001-01-01T00:00:00Z`) are stored as null.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organisation(Record):
    tenant_id: str
    display_name: str


class AssignedLicense(Record):
    sku_id: str
    disabled_plans: list[str] = Field(default_factory=list)


class LicenseAssignmentState(Record):
    """How one licence reached the user (learn.microsoft.com/graph/api/resources/licenseassignmentstate):
    `assigned_by_group` is null for a direct assignment, else the group's id; `state` is Active,
    ActiveWithError, Disabled or Error."""

    sku_id: str
    assigned_by_group: str | None = None
    state: str | None = None
    error: str | None = None


class User(Record):
    """`GET /users` base fields (no signInActivity: that is a separate pass)."""

    id: str
    user_principal_name: str
    display_name: str | None = None
    mail: str | None = None
    account_enabled: bool | None = None
    user_type: str | None = None  # Member | Guest
    created_date_time: datetime | None = None
    department: str | None = None
    on_premises_sync_enabled: bool | None = None
    assigned_licenses: list[AssignedLicense] = Field(default_factory=list)
    license_assignment_states: list[LicenseAssignmentState] = Field(default_factory=list)


class Group(Record):
    """`GET /groups?$select=id,displayName`: names for the groups licences are inherited from."""

    id: str
    display_name: str | None = None


class SignInActivity(Record):
    """`GET /users?$select=id,signInActivity`; needs Entra ID P1/P2."""

    id: str
    last_sign_in: datetime | None = None  # interactive attempt, successful or not
    last_non_interactive_sign_in: datetime | None = None
    last_successful_sign_in: datetime | None = None


class ServicePlan(Record):
    service_plan_id: str
    service_plan_name: str
    provisioning_status: str | None = None
    applies_to: str | None = None


class SubscribedSku(Record):
    sku_id: str
    sku_part_number: str
    capability_status: str
    applies_to: str | None = None
    consumed_units: int
    prepaid_enabled: int
    prepaid_warning: int = 0
    prepaid_suspended: int = 0
    prepaid_locked_out: int = 0
    service_plans: list[ServicePlan] = Field(default_factory=list)


class Subscription(Record):
    """`GET /directory/subscriptions` (companySubscription): renewal dates per commercial subscription."""

    id: str
    sku_id: str
    sku_part_number: str | None = None
    status: str | None = None
    total_licenses: int | None = None
    is_trial: bool | None = None
    next_lifecycle_date_time: datetime | None = None


class ReportSettings(Record):
    display_concealed_names: bool


class RegistrationDetail(Record):
    id: str
    user_principal_name: str | None = None
    user_type: str | None = None  # member | guest (lower case here, unlike /users)
    is_admin: bool | None = None
    is_mfa_registered: bool
    is_mfa_capable: bool | None = None
    methods_registered: list[str] = Field(default_factory=list)


class SecureScore(Record):
    created_date_time: datetime
    current_score: float
    max_score: float
    active_user_count: int | None = None
    licensed_user_count: int | None = None
    average_all_tenants: float | None = None


class RoleAssignment(Record):
    """`GET /roleManagement/directory/roleAssignments?$expand=principal` for privileged roles.

    A role-assignable group holding a role is expanded to its members (`GET /groups/{id}/transitiveMembers`):
    the group's own row, then one row per member user with `via_group_id` / `via_group_name` set.
    """

    id: str
    role_definition_id: str
    principal_id: str
    principal_type: str  # user | group | servicePrincipal
    directory_scope_id: str | None = None
    principal_display_name: str | None = None
    principal_account_enabled: bool | None = None
    principal_user_type: str | None = None
    principal_on_premises_sync_enabled: bool | None = None
    via_group_id: str | None = None
    via_group_name: str | None = None


class ConditionalAccessPolicy(Record):
    id: str
    display_name: str
    state: str  # enabled | disabled | enabledForReportingButNotEnforced
    include_users: list[str] = Field(default_factory=list)
    exclude_users: list[str] = Field(default_factory=list)
    include_groups: list[str] = Field(default_factory=list)
    exclude_groups: list[str] = Field(default_factory=list)
    include_roles: list[str] = Field(default_factory=list)
    include_applications: list[str] = Field(default_factory=list)
    client_app_types: list[str] = Field(default_factory=list)
    grant_operator: str | None = None
    built_in_controls: list[str] = Field(default_factory=list)
    user_risk_levels: list[str] = Field(default_factory=list)  # low | medium | high | hidden | none
    sign_in_risk_levels: list[str] = Field(default_factory=list)
    authentication_strength: str | None = None  # grantControls.authenticationStrength id
    # conditions.applications.includeUserActions: urn:user:registersecurityinfo | urn:user:registerdevice
    include_user_actions: list[str] = Field(default_factory=list)


class DirectoryAudit(Record):
    """`GET /auditLogs/directoryAudits`: one role or policy change (learn.microsoft.com/graph/api/resources/
    directoryaudit); who made it is the initiating user's principal name, else the app's display name."""

    id: str
    activity_date_time: datetime
    category: str  # RoleManagement | Policy (the categories kept)
    activity_display_name: str
    initiated_by: str | None = None
    target_ids: list[str] = Field(default_factory=list)  # lower-case object ids of targetResources
    target_names: list[str] = Field(default_factory=list)  # their display names (or principal names)
    result: str | None = None


class DefaultUserRolePermissions(Record):
    """What every member may do (authorizationPolicy.defaultUserRolePermissions)."""

    allowed_to_create_apps: bool | None = None
    allowed_to_create_security_groups: bool | None = None
    allowed_to_create_tenants: bool | None = None
    allowed_to_read_bitlocker_keys_for_owned_device: bool | None = None
    allowed_to_read_other_users: bool | None = None
    permission_grant_policies_assigned: list[str] = Field(default_factory=list)


class AuthorizationPolicy(Record):
    """`GET /policies/authorizationPolicy` (learn.microsoft.com/graph/api/resources/authorizationpolicy)."""

    # none | adminsAndGuestInviters | adminsGuestInvitersAndAllMembers | everyone
    allow_invites_from: str | None = None
    allowed_to_sign_up_email_based_subscriptions: bool | None = None
    allowed_to_use_sspr: bool | None = None
    allow_email_verified_users_to_join_organization: bool | None = None
    allow_user_consent_for_risky_apps: bool | None = None
    guest_user_role_id: str | None = None
    default_user_role_permissions: DefaultUserRolePermissions = Field(
        default_factory=DefaultUserRolePermissions
    )


class AdminConsentRequestPolicy(Record):
    """`GET /policies/adminConsentRequestPolicy` (resources/adminconsentrequestpolicy); reviewers counted."""

    is_enabled: bool | None = None
    notify_reviewers: bool | None = None
    reminders_enabled: bool | None = None
    request_duration_in_days: int | None = None
    reviewers: int = 0


class AuthenticationMethodConfiguration(Record):
    """One method of the authentication methods policy: its id (`Fido2`, `MicrosoftAuthenticator`, `Sms`,
    `Voice`, `Email`, `TemporaryAccessPass`, ...), state, whether it targets all users, and its other scalar
    settings flattened to dotted camelCase paths (`featureSettings.numberMatchingRequiredState.state`)."""

    id: str
    state: str | None = None
    all_users: bool = False
    settings: dict[str, str | bool | int | None] = Field(default_factory=dict)


class AuthenticationMethodsPolicy(Record):
    """`GET /policies/authenticationMethodsPolicy` (resources/authenticationmethodspolicy)."""

    policy_migration_state: str | None = None  # preMigration | migrationInProgress | migrationComplete
    report_suspicious_activity_state: str | None = None
    report_suspicious_activity_target: str | None = None
    registration_campaign_state: str | None = None
    methods: list[AuthenticationMethodConfiguration] = Field(default_factory=list)


class Domain(Record):
    """`GET /domains` (learn.microsoft.com/graph/api/resources/domain): whether the domain is verified, and
    how long its users' passwords stay valid (None: not set, Graph's default of 90 days applies)."""

    id: str  # the fully qualified domain name
    is_verified: bool = False
    password_validity_period_in_days: int | None = None


class RoleAssignmentScheduleInstance(Record):
    """`GET /roleManagement/directory/roleAssignmentScheduleInstances`: an active role assignment, held
    permanently or for a while (learn.microsoft.com/graph/api/resources/
    unifiedroleassignmentscheduleinstance); `end_date_time` None is permanent."""

    id: str
    principal_id: str
    role_definition_id: str
    assignment_type: str | None = None  # Assigned | Activated (through PIM)
    member_type: str | None = None  # Direct | Group | Inherited
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None


class RoleActivationPolicy(Record):
    """The PIM policy of a directory role: `GET /policies/roleManagementPolicyAssignments` with its policy's
    rules expanded (learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicyassignments); whether
    activating the role needs an approver (rule `Approval_EndUser_Assignment`, setting.isApprovalRequired)."""

    role_definition_id: str
    approval_required: bool | None = None


class AppCredential(Record):
    """A client secret (`passwordCredentials`) or certificate (`keyCredentials`) of an app registration:
    its validity only, never the secret or the key (learn.microsoft.com/graph/api/resources/
    passwordcredential, .../keycredential)."""

    kind: str  # secret | certificate
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None


class Application(Record):
    """`GET /applications` (learn.microsoft.com/graph/api/resources/application): an app registration."""

    id: str
    app_id: str | None = None
    display_name: str | None = None
    credentials: list[AppCredential] = Field(default_factory=list)


class GraphPermissionGrant(Record):
    """A Microsoft Graph application permission granted to a service principal: `GET
    /servicePrincipals(appId='00000003-0000-0000-c000-000000000000')/appRoleAssignedTo`
    (learn.microsoft.com/graph/api/resources/approleassignment)."""

    id: str
    app_role_id: str
    principal_id: str
    principal_display_name: str | None = None
    principal_type: str | None = None  # ServicePrincipal | User | Group
    created_date_time: datetime | None = None


class SharePointSettings(Record):
    """`GET /admin/sharepoint/settings` (learn.microsoft.com/graph/api/resources/sharepointsettings): the
    tenant's SharePoint and OneDrive sharing and session settings that the checks judge."""

    # disabled | existingExternalUserSharingOnly | externalUserSharingOnly | externalUserAndGuestSharing
    sharing_capability: str | None = None
    sharing_domain_restriction_mode: str | None = None  # none | allowList | blockList
    sharing_allowed_domains: int = 0  # how many domains sharingAllowedDomainList names
    is_resharing_by_external_users_enabled: bool | None = None
    is_require_accepting_user_to_match_invited_user_enabled: bool | None = None
    is_legacy_auth_protocols_enabled: bool | None = None
    is_unmanaged_sync_app_for_tenant_restricted: bool | None = None
    sync_allowed_domains: int = 0  # how many domain GUIDs allowedDomainGuidsForSyncApp names
    idle_session_sign_out_enabled: bool | None = None  # idleSessionSignOut.isEnabled
    idle_session_sign_out_after_seconds: int | None = None  # idleSessionSignOut.signOutAfterInSeconds


class ReportRow(Record):
    report_refresh_date: date


class ActiveUserDetail(ReportRow):
    """getOffice365ActiveUserDetail: per account, licence flags and last activity per workload."""

    user_principal_name: str
    display_name: str | None = None
    is_deleted: bool = False
    has_exchange_license: bool = False
    has_onedrive_license: bool = False
    has_sharepoint_license: bool = False
    has_skype_for_business_license: bool = False
    has_yammer_license: bool = False
    has_teams_license: bool = False
    exchange_last_activity_date: date | None = None
    onedrive_last_activity_date: date | None = None
    sharepoint_last_activity_date: date | None = None
    skype_for_business_last_activity_date: date | None = None
    yammer_last_activity_date: date | None = None
    teams_last_activity_date: date | None = None
    assigned_products: list[str] = Field(default_factory=list)


class EmailActivityUserDetail(ReportRow):
    user_principal_name: str
    is_deleted: bool = False
    last_activity_date: date | None = None
    send_count: int = 0
    receive_count: int = 0
    read_count: int = 0
    meeting_created_count: int = 0
    meeting_interacted_count: int = 0
    report_period: int


class TeamsUserActivityUserDetail(ReportRow):
    user_id: str | None = None
    user_principal_name: str
    is_deleted: bool = False
    last_activity_date: date | None = None
    team_chat_message_count: int = 0
    private_chat_message_count: int = 0
    call_count: int = 0
    meeting_count: int = 0
    meetings_organized_count: int = 0
    meetings_attended_count: int = 0
    audio_duration_seconds: int = 0
    video_duration_seconds: int = 0
    screen_share_duration_seconds: int = 0
    is_licensed: bool | None = None
    report_period: int


class OneDriveUsageAccountDetail(ReportRow):
    """Per drive, keyed by its owner's principal name (not per user)."""

    site_url: str | None = None
    owner_principal_name: str
    is_deleted: bool = False
    last_activity_date: date | None = None
    file_count: int = 0
    active_file_count: int = 0
    storage_used_bytes: int = 0
    storage_allocated_bytes: int = 0
    report_period: int


class SharePointActivityUserDetail(ReportRow):
    user_principal_name: str
    is_deleted: bool = False
    last_activity_date: date | None = None
    viewed_or_edited_file_count: int = 0
    synced_file_count: int = 0
    shared_internally_file_count: int = 0
    shared_externally_file_count: int = 0
    visited_page_count: int = 0
    report_period: int


class M365AppUserDetail(ReportRow):
    user_principal_name: str
    last_activation_date: date | None = None
    last_activity_date: date | None = None
    report_period: int
    windows: bool = False
    mac: bool = False
    mobile: bool = False
    web: bool = False
    outlook: bool = False
    word: bool = False
    excel: bool = False
    powerpoint: bool = False
    onenote: bool = False
    teams: bool = False


class ActiveUserCounts(ReportRow):
    """getOffice365ActiveUserCounts: one row per day (period form only)."""

    report_date: date
    office365: int = 0
    exchange: int = 0
    onedrive: int = 0
    sharepoint: int = 0
    skype_for_business: int = 0
    yammer: int = 0
    teams: int = 0
    report_period: int


class TeamsUserActivityCounts(ReportRow):
    report_date: date
    team_chat_messages: int = 0
    private_chat_messages: int = 0
    calls: int = 0
    meetings: int = 0
    meetings_organized: int = 0
    meetings_attended: int = 0
    report_period: int


# Microsoft 365 Copilot surfaces as the Copilot usage reports name them: (field key, Microsoft's name).
# learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/reports/
# copilotreportroot-getmicrosoft365copilotusageuserdetail and ...-getmicrosoft365copilotusercounttrend
COPILOT_SURFACES = (
    ("teams", "Microsoft Teams"),
    ("outlook", "Outlook"),
    ("word", "Word"),
    ("excel", "Excel"),
    ("powerpoint", "PowerPoint"),
    ("onenote", "OneNote"),
    ("loop", "Loop"),
    ("copilot_chat", "Copilot Chat"),
)


class CopilotUsageUserDetail(ReportRow):
    """`copilot/reports/getMicrosoft365CopilotUsageUserDetail`: one row per Microsoft 365 Copilot licence
    holder (only licensed users appear), with the newest Copilot use overall and per surface."""

    user_principal_name: str
    display_name: str | None = None
    last_activity_date: date | None = None
    teams_last_activity_date: date | None = None
    outlook_last_activity_date: date | None = None
    word_last_activity_date: date | None = None
    excel_last_activity_date: date | None = None
    powerpoint_last_activity_date: date | None = None
    onenote_last_activity_date: date | None = None
    loop_last_activity_date: date | None = None
    copilot_chat_last_activity_date: date | None = None
    report_period: int


class CopilotUserCountTrend(ReportRow):
    """`copilot/reports/getMicrosoft365CopilotUserCountTrend`: one row per day, Copilot-enabled and active
    users in any app and per surface."""

    report_date: date
    any_app_enabled_users: int = 0
    any_app_active_users: int = 0
    teams_active_users: int = 0
    outlook_active_users: int = 0
    word_active_users: int = 0
    excel_active_users: int = 0
    powerpoint_active_users: int = 0
    onenote_active_users: int = 0
    loop_active_users: int = 0
    copilot_chat_active_users: int = 0
    report_period: int
