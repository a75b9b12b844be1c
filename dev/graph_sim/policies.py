"""Tenant-wide policy singletons, in the v1.0 shapes of their Graph reference pages:
`/policies/authorizationPolicy` (resources/authorizationpolicy), `/policies/adminConsentRequestPolicy`
(resources/adminconsentrequestpolicy) and `/policies/authenticationMethodsPolicy`
(resources/authenticationmethodspolicy, which returns its `authenticationMethodConfigurations` inline).
Their settings are the tenant's planted ones (`dev.tenant.policies`). None needs a premium licence."""

from __future__ import annotations

from typing import Any

from dev.tenant.policies import Feature, PlantedPolicies

JsonObject = dict[str, Any]
ALL_USERS: JsonObject = {"targetType": "group", "id": "all_users"}
PILOT_GROUP: JsonObject = {"targetType": "group", "id": "3c1b7e2a-0000-4000-a000-00000000c001"}
NOBODY: JsonObject = {"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}
METHOD_TYPES = {
    "Fido2": "fido2AuthenticationMethodConfiguration",
    "MicrosoftAuthenticator": "microsoftAuthenticatorAuthenticationMethodConfiguration",
    "Sms": "smsAuthenticationMethodConfiguration",
    "Voice": "voiceAuthenticationMethodConfiguration",
    "Email": "emailAuthenticationMethodConfiguration",
    "TemporaryAccessPass": "temporaryAccessPassAuthenticationMethodConfiguration",
    "SoftwareOath": "softwareOathAuthenticationMethodConfiguration",
    "X509Certificate": "x509CertificateAuthenticationMethodConfiguration",
}


def authorization_policy(planted: PlantedPolicies, context: str) -> JsonObject:
    return {
        "@odata.context": context,
        "@odata.type": "#microsoft.graph.authorizationPolicy",
        "id": "authorizationPolicy",
        "displayName": "Authorization Policy",
        "description": "Used to manage authorization related settings across the company.",
        "allowInvitesFrom": planted.invites_from,
        "allowedToSignUpEmailBasedSubscriptions": planted.email_subscriptions,
        "allowedToUseSSPR": True,
        "allowEmailVerifiedUsersToJoinOrganization": planted.email_verified_join,
        "allowUserConsentForRiskyApps": planted.risky_app_consent,
        "blockMsolPowerShell": False,
        "guestUserRoleId": planted.guest_role,
        "defaultUserRolePermissions": {
            "allowedToCreateApps": planted.users_create_apps,
            "allowedToCreateSecurityGroups": planted.users_create_security_groups,
            "allowedToCreateTenants": planted.users_create_tenants,
            "allowedToReadBitlockerKeysForOwnedDevice": planted.users_read_bitlocker_keys,
            "allowedToReadOtherUsers": True,
            "permissionGrantPoliciesAssigned": list(planted.consent_policies),
        },
    }


def admin_consent_request_policy(planted: PlantedPolicies, context: str) -> JsonObject:
    reviewers = [
        {
            "query": f"/users/5e2f0000-0000-4000-a000-00000000d00{n}",
            "queryType": "MicrosoftGraph",
            "queryRoot": None,
        }
        for n in range(planted.consent_reviewers)
    ]
    return {
        "@odata.context": context,
        "isEnabled": planted.consent_workflow,
        "notifyReviewers": planted.notify_reviewers,
        "remindersEnabled": planted.reminders,
        "requestDurationInDays": planted.request_days,
        "version": 2,
        "reviewers": reviewers,
    }


def _feature(feature: Feature) -> JsonObject:
    return {
        "state": feature.state,
        "includeTarget": ALL_USERS if feature.all_users else PILOT_GROUP,
        "excludeTarget": NOBODY,
    }


def _method(method_id: str, state: str, planted: PlantedPolicies) -> JsonObject:
    item: JsonObject = {
        "@odata.type": f"#microsoft.graph.{METHOD_TYPES[method_id]}",
        "id": method_id,
        "state": state,
        "excludeTargets": [],
        "includeTargets": [{**ALL_USERS, "isRegistrationRequired": False}],
    }
    if method_id == "Fido2":
        item |= {
            "isSelfServiceRegistrationAllowed": True,
            "isAttestationEnforced": planted.fido2_attestation,
            "keyRestrictions": {
                "isEnforced": planted.fido2_key_restrictions,
                "enforcementType": "allow",
                "aaGuids": ["90a3ccdf-635c-4729-a248-9b709135078f"] if planted.fido2_key_restrictions else [],
            },
        }
    elif method_id == "MicrosoftAuthenticator":
        item["includeTargets"][0]["authenticationMode"] = "any"
        item |= {
            "isSoftwareOathEnabled": False,
            "featureSettings": {
                "numberMatchingRequiredState": _feature(planted.number_matching),
                "displayAppInformationRequiredState": _feature(planted.app_name),
                "displayLocationInformationRequiredState": _feature(planted.location),
            },
        }
    elif method_id == "Sms":
        item["includeTargets"][0]["isUsableForSignIn"] = False
    elif method_id == "Email":
        item["allowExternalIdToUseEmailOtp"] = "default"
    elif method_id == "TemporaryAccessPass":
        item |= {
            "defaultLifetimeInMinutes": 60,
            "defaultLength": 8,
            "minimumLifetimeInMinutes": 60,
            "maximumLifetimeInMinutes": 480,
            "isUsableOnce": False,
        }
    return item


def authentication_methods_policy(planted: PlantedPolicies, context: str) -> JsonObject:
    suspicious = planted.report_suspicious
    return {
        "@odata.context": context,
        "id": "authenticationMethodsPolicy",
        "displayName": "Authentication Methods Policy",
        "description": "The tenant-wide policy that controls which authentication methods are allowed.",
        "lastModifiedDateTime": "2025-06-01T10:00:00Z",
        "policyVersion": "1.5",
        "policyMigrationState": planted.migration_state,
        "registrationEnforcement": {
            "authenticationMethodsRegistrationCampaign": {
                "snoozeDurationInDays": 1,
                "state": "default",
                "excludeTargets": [],
                "includeTargets": [{**ALL_USERS, "targetedAuthenticationMethod": "microsoftAuthenticator"}],
            }
        },
        "reportSuspiciousActivitySettings": {
            "state": suspicious.state,
            "includeTarget": ALL_USERS if suspicious.all_users else PILOT_GROUP,
            "voiceReportingCode": 0,
        },
        "authenticationMethodConfigurations": [
            _method(method_id, state, planted) for method_id, state in planted.method_states.items()
        ],
    }
