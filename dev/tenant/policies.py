"""The tenant-wide policies a synthetic tenant is planted with, and the verdict each check must reach.

Two variants: `TYPICAL` (Microsoft's defaults plus a few changes an administrator would make: a mix of
pass, warn and fail) and `HARDENED` (every recommendation followed). The verdicts are written here by
hand from the baselines, not computed by the checks, so they are ground truth for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
    expected: dict[str, str] = field(default_factory=dict)  # check id → the verdict it must reach


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
    },
)

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
    expected=dict.fromkeys(TYPICAL.expected, "pass"),
)


def planted_policies(hardened: bool) -> PlantedPolicies:
    return HARDENED if hardened else TYPICAL
