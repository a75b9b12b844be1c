"""The tenant-wide policies a synthetic tenant is planted with, and the verdict each check must reach.

Two variants: `TYPICAL` (Microsoft's defaults plus a few changes an administrator would make: a mix of
pass, warn and fail) and `HARDENED` (every recommendation followed). The verdicts are written here by
hand from the baselines, not computed by the checks, so they are ground truth for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dev.tenant import applications
from dev.tenant.applications import PlantedApp

RESTRICTED_GUEST = "2af84b1e-32c8-42b7-82bc-daa82404023b"
LIMITED_GUEST = "10dae51f-b6af-4016-8d66-8c2a99b929b3"
LOW_RISK_CONSENT = "ManagePermissionGrantsForSelf.microsoft-user-default-low"
TEAM_OWNER_CONSENT = (
    "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"
)


@dataclass(frozen=True, slots=True)
class Feature:
    """An Authenticator feature setting: its state and whom it targets."""

    state: str
    all_users: bool = True


@dataclass(frozen=True, slots=True)
class PlantedSharing:
    """SharePoint's sharing and session settings (`/admin/sharepoint/settings`)."""

    capability: str  # sharingCapability
    domain_mode: str  # sharingDomainRestrictionMode
    allowed_domains: tuple[str, ...]
    guests_reshare: bool
    invited_account_only: bool
    legacy_auth: bool
    sync_domain_joined_only: bool
    idle_sign_out_seconds: int | None  # None: idle sessions are never signed out


TYPICAL_SHARING = PlantedSharing(
    capability="externalUserSharingOnly",  # new and existing guests, no "Anyone" links
    domain_mode="blockList",
    allowed_domains=(),
    guests_reshare=True,  # Microsoft's default
    invited_account_only=False,  # Microsoft's default
    legacy_auth=False,
    sync_domain_joined_only=False,
    idle_sign_out_seconds=8 * 3600,
)
HARDENED_SHARING = PlantedSharing(
    capability="existingExternalUserSharingOnly",
    domain_mode="allowList",
    allowed_domains=("fabrikam.example", "contoso.example"),
    guests_reshare=False,
    invited_account_only=True,
    legacy_auth=False,
    sync_domain_joined_only=True,
    idle_sign_out_seconds=3600,
)


@dataclass(frozen=True, slots=True)
class PlantedPolicies:
    # authorizationPolicy
    users_create_apps: bool
    consent_policies: tuple[str, ...]
    risky_app_consent: bool
    guest_role: str
    invites_from: str
    email_verified_join: bool
    email_subscriptions: bool
    users_create_tenants: bool
    users_create_security_groups: bool
    users_read_bitlocker_keys: bool
    # adminConsentRequestPolicy
    consent_workflow: bool
    consent_reviewers: int
    notify_reviewers: bool
    reminders: bool
    request_days: int
    # authenticationMethodsPolicy
    migration_state: str
    report_suspicious: Feature
    method_states: dict[str, str]  # method id → enabled | disabled
    number_matching: Feature
    app_name: Feature
    location: Feature
    fido2_attestation: bool
    fido2_key_restrictions: bool
    # Conditional Access, besides the policies every tenant has (dev.graph_sim.directory)
    phishing_resistant_for_all: bool = False
    user_risk_blocked: bool = False
    managed_devices: bool = False  # sign-in and security-info registration from managed devices only
    break_glass: str | None = None  # object id excluded from every policy, a permanent Global Administrator
    privileged_roles_just_in_time: bool = False  # PIM: highly privileged roles activated, not permanent
    global_admin_approval: bool = False  # PIM: activating Global Administrator needs an approver
    # /domains: the verified domains' passwordValidityPeriodInDays (None: not set)
    password_validity_days: int | None = 90
    # /applications and the Microsoft Graph permissions granted to their service principals
    applications: tuple[PlantedApp, ...] = applications.TYPICAL
    sharing: PlantedSharing = TYPICAL_SHARING
    expected: dict[str, str] = field(default_factory=dict)  # check id → the verdict it must reach
    # The verdicts of the checks that read Conditional Access (and PIM), on a tenant with Entra ID P1 and
    # P2 (without P1 they are not licensed, the risk and PIM checks also without P2).
    conditional_access: dict[str, str] = field(default_factory=dict)


TYPICAL = PlantedPolicies(
    users_create_apps=True,
    consent_policies=(LOW_RISK_CONSENT, TEAM_OWNER_CONSENT),
    risky_app_consent=False,
    guest_role=LIMITED_GUEST,
    invites_from="everyone",
    email_verified_join=False,
    email_subscriptions=True,
    users_create_tenants=True,
    users_create_security_groups=True,
    users_read_bitlocker_keys=True,
    consent_workflow=True,
    consent_reviewers=2,
    notify_reviewers=True,
    reminders=False,
    request_days=30,
    migration_state="migrationInProgress",
    report_suspicious=Feature("default"),
    method_states={
        "Fido2": "enabled",
        "MicrosoftAuthenticator": "enabled",
        "Sms": "enabled",
        "Voice": "disabled",
        "Email": "enabled",
        "TemporaryAccessPass": "enabled",
        "SoftwareOath": "disabled",
        "X509Certificate": "disabled",
    },
    number_matching=Feature("enabled"),
    app_name=Feature("default"),
    location=Feature("enabled", all_users=False),
    fido2_attestation=False,
    fido2_key_restrictions=False,
    expected={
        "users-cannot-register-apps": "fail",
        "user-consent-restricted": "warn",  # low-risk consent only: EIDSCA's value, not CISA's
        "risky-app-consent-blocked": "pass",
        "admin-consent-workflow": "pass",
        "consent-reviewers-notified": "pass",
        "consent-reminders": "fail",
        "consent-request-duration": "pass",
        "guest-access-restricted": "warn",  # the limited default
        "guest-invites-restricted": "fail",
        "email-verified-join-blocked": "pass",
        "email-subscription-sign-up-blocked": "fail",
        "tenant-creation-restricted": "fail",
        "security-group-creation-restricted": "fail",
        "bitlocker-keys-restricted": "fail",
        "auth-methods-migration-complete": "fail",
        "weak-methods-disabled": "fail",  # SMS and email OTP on
        "voice-call-disabled": "pass",
        "authenticator-enabled": "pass",
        "authenticator-number-matching": "pass",
        "authenticator-app-name": "warn",  # Microsoft-managed
        "authenticator-location": "fail",  # enabled for one group only
        "fido2-enabled": "pass",
        "fido2-attestation": "fail",
        "fido2-key-restrictions": "fail",
        "report-suspicious-activity": "warn",
        "passwords-never-expire": "fail",  # 90 days on every verified domain
        "app-client-secrets": "fail",  # two apps hold a current secret
        "app-secrets-long-lived": "fail",  # a two-year secret
        "app-credentials-expiring": "warn",  # a secret expiring in 20 days
        "high-privilege-app-permissions": "fail",  # a sync tool holding Directory.ReadWrite.All
        "sharepoint-external-sharing": "warn",  # new guests can be invited
        "sharepoint-sharing-domains-restricted": "warn",  # a block list, not an allow list
        "sharepoint-guest-resharing-blocked": "fail",
        "sharepoint-guests-use-invited-account": "fail",
        "sharepoint-legacy-auth-blocked": "pass",
        "onedrive-sync-managed-devices-only": "fail",
        "sharepoint-idle-session-sign-out": "warn",  # after 8 hours
    },
    conditional_access={
        "phishing-resistant-mfa-for-all": "fail",
        "phishing-resistant-mfa-for-admins": "pass",  # every privileged role, by role
        "high-risk-users-blocked": "fail",
        "high-risk-sign-ins-blocked": "pass",
        "break-glass-excluded": "fail",
        "managed-device-required": "fail",
        "managed-device-to-register-mfa": "fail",
        "no-permanent-privileged-assignments": "fail",  # every administrator holds their role permanently
        "global-admin-activation-approval": "fail",  # Microsoft's default: no approval
    },
)
BREAK_GLASS = "b9e1c7a0-0000-4000-a000-00000000bb01"  # a cloud-only emergency access account

HARDENED = replace(
    TYPICAL,
    users_create_apps=False,
    consent_policies=(),
    guest_role=RESTRICTED_GUEST,
    invites_from="adminsAndGuestInviters",
    email_subscriptions=False,
    users_create_tenants=False,
    users_create_security_groups=False,
    users_read_bitlocker_keys=False,
    consent_reviewers=3,
    reminders=True,
    request_days=14,
    migration_state="migrationComplete",
    report_suspicious=Feature("enabled"),
    method_states={**TYPICAL.method_states, "Sms": "disabled", "Email": "disabled"},
    app_name=Feature("enabled"),
    location=Feature("enabled"),
    fido2_attestation=True,
    fido2_key_restrictions=True,
    phishing_resistant_for_all=True,
    user_risk_blocked=True,
    managed_devices=True,
    break_glass=BREAK_GLASS,
    privileged_roles_just_in_time=True,
    global_admin_approval=True,
    password_validity_days=2_147_483_647,  # never expire
    applications=applications.HARDENED,
    sharing=HARDENED_SHARING,
    expected=dict.fromkeys(TYPICAL.expected, "pass"),
    conditional_access=dict.fromkeys(TYPICAL.conditional_access, "pass"),
)


def planted_policies(hardened: bool, sign_in_risk_blocked: bool = True) -> PlantedPolicies:
    planted = HARDENED if hardened else TYPICAL
    if sign_in_risk_blocked:
        return planted
    # Its "Block high-risk sign-ins" policy is disabled (dev.graph_sim.directory): that check fails.
    verdicts = {**planted.conditional_access, "high-risk-sign-ins-blocked": "fail"}
    return replace(planted, conditional_access=verdicts)
