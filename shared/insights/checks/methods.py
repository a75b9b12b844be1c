"""Authentication methods policy: migration from the legacy MFA/SSPR policies, weak methods off, strong
ones on, and the Microsoft Authenticator and FIDO2 settings (learn.microsoft.com/graph/api/resources/
authenticationmethodspolicy; EIDSCA's AG, AM, AF and AV controls)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.insights.assurance import TenantRule
from shared.insights.checks.settings import one_of, setting_rule
from shared.insights.checks.sources import declare
from shared.insights.models import CheckStatus, Severity
from shared.insights.state import TenantState
from shared.snapshot import Dataset
from shared.snapshot import records as r

METHODS = (Dataset.AUTHENTICATION_METHODS_POLICY,)
WEAK_METHODS = ("Sms", "Voice", "Email")  # MS.AAD.3.5v2: SMS, voice call and email one-time passcode
AUTHENTICATOR = "MicrosoftAuthenticator"
FIDO2 = "Fido2"


def _policy(state: TenantState) -> r.AuthenticationMethodsPolicy | None:
    return state.methods_policy


def method(
    policy: r.AuthenticationMethodsPolicy, method_id: str
) -> r.AuthenticationMethodConfiguration | None:
    return next((m for m in policy.methods if m.id.lower() == method_id.lower()), None)


def enabled(policy: r.AuthenticationMethodsPolicy, method_id: str) -> bool:
    """A method absent from the policy is not offered."""
    found = method(policy, method_id)
    return found is not None and found.state == "enabled"


def _targeted_status(found: dict[str, Any]) -> CheckStatus:
    """enabled for all users: pass; Microsoft-managed ("default"): warn, it follows whatever Microsoft
    decides; anything else (disabled, or enabled for some groups only): fail."""
    if found["state"] == "enabled" and found["target"] == "all_users":
        return "pass"
    return "warn" if found["state"] == "default" else "fail"


MIGRATION_COMPLETE = setting_rule(
    declare(
        "auth-methods-migration-complete",
        "Authentication methods are managed by the authentication methods policy alone",
        "medium",
        baselines=("MS.AAD.3.4v1", "EIDSCA.AG01"),
        rationale="Until migration completes, the legacy MFA and SSPR policies can still allow methods the "
        "new policy turned off.",
        remediation="Entra admin centre › Protection › Authentication methods › Policies › Manage migration: "
        "'Migration Complete'.",
        requires=METHODS,
    ),
    _policy,
    "policy_migration_state",
    lambda p: p.policy_migration_state,
    one_of({"migrationComplete"}),
)

WEAK_METHODS_DISABLED = setting_rule(
    declare(
        "weak-methods-disabled",
        "SMS, voice call and email one-time passcodes are disabled",
        "medium",
        baselines=("MS.AAD.3.5v2",),
        rationale="Codes sent by SMS, voice or email are phished and intercepted; they are the weakest "
        "second factors.",
        remediation="Entra admin centre › Protection › Authentication methods › Policies: disable SMS, Voice "
        "call and Email OTP (after users have registered stronger methods).",
        requires=METHODS,
    ),
    _policy,
    "enabled_weak_methods",
    lambda p: [m for m in WEAK_METHODS if enabled(p, m)],
    lambda found: "fail" if found else "pass",
)

VOICE_CALL_DISABLED = setting_rule(
    declare(
        "voice-call-disabled",
        "Voice call is disabled as an authentication method",
        "low",
        baselines=("EIDSCA.AV01",),
        rationale="Voice calls are open to SIM swap and voicemail interception.",
        remediation="Entra admin centre › Protection › Authentication methods › Policies › Voice call: "
        "Disable.",
        requires=METHODS,
    ),
    _policy,
    "voice_enabled",
    lambda p: enabled(p, "Voice"),
    one_of({False}),
)


def _method_state(method_id: str) -> Callable[[r.AuthenticationMethodsPolicy], dict[str, Any]]:
    def read(policy: r.AuthenticationMethodsPolicy) -> dict[str, Any]:
        found = method(policy, method_id)
        state = found.state if found else None
        return {"state": state, "target": "all_users" if found and found.all_users else None}

    return read


AUTHENTICATOR_ENABLED = setting_rule(
    declare(
        "authenticator-enabled",
        "Microsoft Authenticator is enabled for all users",
        "medium",
        baselines=("EIDSCA.AM01",),
        rationale="Authenticator gives every user a second factor stronger than codes, and the path to "
        "passwordless sign-in.",
        remediation="Entra admin centre › Protection › Authentication methods › Policies › Microsoft "
        "Authenticator: Enable, target All users.",
        requires=METHODS,
    ),
    _policy,
    "authenticator",
    _method_state(AUTHENTICATOR),
    _targeted_status,
)

FIDO2_ENABLED = setting_rule(
    declare(
        "fido2-enabled",
        "Passkeys (FIDO2) are enabled for all users",
        "medium",
        baselines=("EIDSCA.AF01",),
        rationale="Phishing-resistant MFA (MS.AAD.3.1) needs a phishing-resistant method users may register.",
        remediation="Entra admin centre › Protection › Authentication methods › Policies › Passkey (FIDO2): "
        "Enable, target All users.",
        requires=METHODS,
    ),
    _policy,
    "fido2",
    _method_state(FIDO2),
    _targeted_status,
)


def _setting(method_id: str, path: str) -> Callable[[r.AuthenticationMethodsPolicy], Any]:
    def read(policy: r.AuthenticationMethodsPolicy) -> Any:
        found = method(policy, method_id)
        return found.settings.get(path) if found else None

    return read


def _feature(name: str) -> Callable[[r.AuthenticationMethodsPolicy], dict[str, Any]]:
    prefix = f"featureSettings.{name}"

    def read(policy: r.AuthenticationMethodsPolicy) -> dict[str, Any]:
        return {
            "state": _setting(AUTHENTICATOR, f"{prefix}.state")(policy),
            "target": _setting(AUTHENTICATOR, f"{prefix}.includeTarget.id")(policy),
        }

    return read


def _authenticator_feature(
    info: tuple[str, str, Severity, tuple[str, ...]], feature: str, shows: str, why: str
) -> TenantRule:
    """A Microsoft Authenticator feature setting; `info` is (id, title, severity, baselines), `shows` the
    setting's name in the admin centre."""
    check_id, title, severity, baselines = info
    return setting_rule(
        declare(
            check_id,
            title,
            severity,
            baselines=baselines,
            rationale=why,
            remediation="Entra admin centre › Protection › Authentication methods › Policies › Microsoft "
            f"Authenticator › Configure: '{shows}' = Enabled, target All users.",
            requires=METHODS,
        ),
        _policy,
        feature,
        _feature(feature),
        _targeted_status,
    )


AUTHENTICATOR_NUMBER_MATCHING = _authenticator_feature(
    (
        "authenticator-number-matching",
        "Authenticator asks for number matching",
        "medium",
        ("EIDSCA.AM03", "EIDSCA.AM04"),
    ),
    "numberMatchingRequiredState",
    "Require number matching for push notifications",
    "Typing the number shown at sign-in stops MFA-fatigue attacks that count on a tired 'Approve'.",
)
AUTHENTICATOR_APP_NAME = _authenticator_feature(
    (
        "authenticator-app-name",
        "Authenticator shows the application signing in",
        "low",
        ("EIDSCA.AM06", "EIDSCA.AM07"),
    ),
    "displayAppInformationRequiredState",
    "Show application name in push and passwordless notifications",
    "Seeing which app asks lets a user refuse a request they did not start.",
)
AUTHENTICATOR_LOCATION = _authenticator_feature(
    (
        "authenticator-location",
        "Authenticator shows where the sign-in comes from",
        "low",
        ("EIDSCA.AM09", "EIDSCA.AM10"),
    ),
    "displayLocationInformationRequiredState",
    "Show geographic location in push and passwordless notifications",
    "A sign-in from another country is easy to refuse when the location is shown.",
)

FIDO2_ATTESTATION = setting_rule(
    declare(
        "fido2-attestation",
        "Passkeys must prove their make and model (attestation)",
        "low",
        baselines=("EIDSCA.AF03",),
        rationale="Attestation keeps unknown or software authenticators from registering as security keys.",
        remediation="Authentication methods › Passkey (FIDO2) › Configure: 'Enforce attestation' = Yes.",
        requires=METHODS,
    ),
    _policy,
    "is_attestation_enforced",
    _setting(FIDO2, "isAttestationEnforced"),
    one_of({True}),
)

FIDO2_KEY_RESTRICTIONS = setting_rule(
    declare(
        "fido2-key-restrictions",
        "Only approved passkey models may be registered",
        "low",
        baselines=("EIDSCA.AF04",),
        rationale="Restricting key models (AAGUIDs) keeps out keys the organisation has not vetted.",
        remediation="Authentication methods › Passkey (FIDO2) › Configure: 'Enforce key restrictions' = Yes, "
        "with the allowed AAGUIDs.",
        requires=METHODS,
    ),
    _policy,
    "key_restrictions_enforced",
    _setting(FIDO2, "keyRestrictions.isEnforced"),
    one_of({True}),
)

REPORT_SUSPICIOUS_ACTIVITY = setting_rule(
    declare(
        "report-suspicious-activity",
        "Users can report suspicious MFA prompts",
        "low",
        baselines=("EIDSCA.AG02", "EIDSCA.AG03"),
        rationale="A prompt the user did not start is the first sign of a stolen password; reporting it "
        "marks the user high risk.",
        remediation="Authentication methods › Settings › Report suspicious activity: Enabled, target All "
        "users.",
        requires=METHODS,
    ),
    _policy,
    "report_suspicious_activity",
    lambda p: {"state": p.report_suspicious_activity_state, "target": p.report_suspicious_activity_target},
    _targeted_status,
)

METHOD_CHECKS: tuple[TenantRule, ...] = (
    MIGRATION_COMPLETE,
    WEAK_METHODS_DISABLED,
    VOICE_CALL_DISABLED,
    AUTHENTICATOR_ENABLED,
    AUTHENTICATOR_NUMBER_MATCHING,
    AUTHENTICATOR_APP_NAME,
    AUTHENTICATOR_LOCATION,
    FIDO2_ENABLED,
    FIDO2_ATTESTATION,
    FIDO2_KEY_RESTRICTIONS,
    REPORT_SUSPICIOUS_ACTIVITY,
)
