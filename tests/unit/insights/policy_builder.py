"""TEST-ONLY: hand-made policy documents (compliant unless told otherwise) on a hand-made state."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.insights.state import TenantState
from shared.snapshot import records as r
from tests.unit.insights.state_builder import tenant_state

RESTRICTED_GUEST = "2af84b1e-32c8-42b7-82bc-daa82404023b"
ALL = "all_users"


def authorization(**changes: Any) -> r.AuthorizationPolicy:
    defaults = {
        "allowed_to_create_apps": False,
        "allowed_to_create_security_groups": False,
        "allowed_to_create_tenants": False,
        "allowed_to_read_bitlocker_keys_for_owned_device": False,
        "permission_grant_policies_assigned": [],
    }
    base = {
        "allow_invites_from": "adminsAndGuestInviters",
        "allowed_to_sign_up_email_based_subscriptions": False,
        "allow_email_verified_users_to_join_organization": False,
        "allow_user_consent_for_risky_apps": False,
        "guest_user_role_id": RESTRICTED_GUEST,
    }
    own = {k: v for k, v in changes.items() if k not in defaults}
    inner = {k: v for k, v in changes.items() if k in defaults}
    return r.AuthorizationPolicy(
        **{**base, **own}, default_user_role_permissions=r.DefaultUserRolePermissions(**{**defaults, **inner})
    )


def consent_requests(**changes: Any) -> r.AdminConsentRequestPolicy:
    base = {
        "is_enabled": True,
        "notify_reviewers": True,
        "reminders_enabled": True,
        "request_duration_in_days": 30,
        "reviewers": 2,
    }
    return r.AdminConsentRequestPolicy(**{**base, **changes})


def feature(state: str = "enabled", target: str = ALL) -> dict[str, str]:
    return {"state": state, "target": target}


def methods_policy(
    states: dict[str, str] | None = None,
    *,
    authenticator_target: bool = True,
    features: dict[str, dict[str, str]] | None = None,
    fido2: dict[str, bool] | None = None,
    **changes: Any,
) -> r.AuthenticationMethodsPolicy:
    """Every method in `states` (default: FIDO2 and Authenticator on, SMS, voice and email off)."""
    states = states or {
        "Fido2": "enabled",
        "MicrosoftAuthenticator": "enabled",
        "Sms": "disabled",
        "Voice": "disabled",
        "Email": "disabled",
    }
    shown = {
        name: feature()
        for name in (
            "numberMatchingRequiredState",
            "displayAppInformationRequiredState",
            "displayLocationInformationRequiredState",
        )
    } | (features or {})
    authenticator = {
        **{f"featureSettings.{n}.state": f["state"] for n, f in shown.items()},
        **{f"featureSettings.{n}.includeTarget.id": f["target"] for n, f in shown.items()},
    }
    keys = {"isAttestationEnforced": True, "keyRestrictions.isEnforced": True} | {
        ("keyRestrictions.isEnforced" if k == "key_restrictions" else "isAttestationEnforced"): v
        for k, v in (fido2 or {}).items()
    }
    settings = {"MicrosoftAuthenticator": authenticator, "Fido2": keys}
    methods = [
        r.AuthenticationMethodConfiguration(
            id=m,
            state=s,
            all_users=authenticator_target or m != "MicrosoftAuthenticator",
            settings=settings.get(m, {}),
        )
        for m, s in states.items()
    ]
    base = {
        "policy_migration_state": "migrationComplete",
        "report_suspicious_activity_state": "enabled",
        "report_suspicious_activity_target": ALL,
    }
    return r.AuthenticationMethodsPolicy(**{**base, **changes}, methods=methods)


def policy_state(**documents: Any) -> TenantState:
    """A tenant state holding the given documents (`authorization`, `consent_requests`, `methods_policy`)."""
    return replace(tenant_state(), **documents)
