"""Graph JSON items → snapshot record rows (snake_case, only what insights use). Each function follows the
properties of its resource as Microsoft documents them (https://learn.microsoft.com/graph/api/overview).

Each mapping is validated by its record model, so a page whose items lack an id or carry the wrong
types fails the dataset with a reason instead of writing a bad row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.graph import MalformedResponseError
from shared.snapshot import records

Item = dict[str, Any]
_NEVER = "0001-01-01T00:00:00Z"  # Graph's "never" sentinel; the snapshot stores null


def _when(value: Any) -> Any:
    return None if value in (None, "", _NEVER) or str(value).startswith("0001-01-01") else value


def organisation(item: Item) -> Item:
    return {"tenant_id": item.get("id"), "display_name": item.get("displayName")}


def user(item: Item) -> Item:
    return {
        "id": item.get("id"),
        "user_principal_name": item.get("userPrincipalName"),
        "display_name": item.get("displayName"),
        "mail": item.get("mail"),
        "account_enabled": item.get("accountEnabled"),
        "user_type": item.get("userType"),
        "created_date_time": item.get("createdDateTime"),
        "department": item.get("department"),
        "on_premises_sync_enabled": item.get("onPremisesSyncEnabled"),
        "assigned_licenses": [
            {"sku_id": lic.get("skuId"), "disabled_plans": lic.get("disabledPlans") or []}
            for lic in item.get("assignedLicenses") or []
        ],
        "license_assignment_states": [
            {
                "sku_id": state.get("skuId"),
                "assigned_by_group": state.get("assignedByGroup"),
                "state": state.get("state"),
                "error": state.get("error"),
            }
            for state in item.get("licenseAssignmentStates") or []
        ],
    }


def group(item: Item) -> Item:
    return {"id": item.get("id"), "display_name": item.get("displayName")}


def sign_in_activity(item: Item) -> Item:
    activity = item.get("signInActivity") or {}
    return {
        "id": item.get("id"),
        "last_sign_in": _when(activity.get("lastSignInDateTime")),
        "last_non_interactive_sign_in": _when(activity.get("lastNonInteractiveSignInDateTime")),
        "last_successful_sign_in": _when(activity.get("lastSuccessfulSignInDateTime")),
    }


def subscribed_sku(item: Item) -> Item:
    prepaid = item.get("prepaidUnits") or {}
    return {
        "sku_id": item.get("skuId"),
        "sku_part_number": item.get("skuPartNumber"),
        "capability_status": item.get("capabilityStatus"),
        "applies_to": item.get("appliesTo"),
        "consumed_units": item.get("consumedUnits"),
        "prepaid_enabled": prepaid.get("enabled"),
        "prepaid_warning": prepaid.get("warning") or 0,
        "prepaid_suspended": prepaid.get("suspended") or 0,
        "prepaid_locked_out": prepaid.get("lockedOut") or 0,
        "service_plans": [
            {
                "service_plan_id": plan.get("servicePlanId"),
                "service_plan_name": plan.get("servicePlanName"),
                "provisioning_status": plan.get("provisioningStatus"),
                "applies_to": plan.get("appliesTo"),
            }
            for plan in item.get("servicePlans") or []
        ],
    }


def subscription(item: Item) -> Item:
    return {
        "id": item.get("id"),
        "sku_id": item.get("skuId"),
        "sku_part_number": item.get("skuPartNumber"),
        "status": item.get("status"),
        "total_licenses": item.get("totalLicenses"),
        "is_trial": item.get("isTrial"),
        "next_lifecycle_date_time": _when(item.get("nextLifecycleDateTime")),
    }


def _admin_entity(item: Item) -> Item:
    """An `/admin/...` singleton: its documented samples wrap the entity in "value"; the live service is
    believed not to (learn.microsoft.com/graph/api/adminreportsettings-get, .../sharepointsettings-get).
    Either shape is read."""
    wrapped = item.get("value")
    return wrapped if isinstance(wrapped, dict) else item


def report_settings(item: Item) -> Item:
    return {"display_concealed_names": _admin_entity(item).get("displayConcealedNames")}


def sharepoint_settings(item: Item) -> Item:
    entity = _admin_entity(item)
    idle: Item = entity.get("idleSessionSignOut") or {}
    return {
        "sharing_capability": entity.get("sharingCapability"),
        "sharing_domain_restriction_mode": entity.get("sharingDomainRestrictionMode"),
        "sharing_allowed_domains": len(entity.get("sharingAllowedDomainList") or []),
        "is_resharing_by_external_users_enabled": entity.get("isResharingByExternalUsersEnabled"),
        "is_require_accepting_user_to_match_invited_user_enabled": entity.get(
            "isRequireAcceptingUserToMatchInvitedUserEnabled"
        ),
        "is_legacy_auth_protocols_enabled": entity.get("isLegacyAuthProtocolsEnabled"),
        "is_unmanaged_sync_app_for_tenant_restricted": entity.get("isUnmanagedSyncAppForTenantRestricted"),
        "sync_allowed_domains": len(entity.get("allowedDomainGuidsForSyncApp") or []),
        "idle_session_sign_out_enabled": idle.get("isEnabled"),
        "idle_session_sign_out_after_seconds": idle.get("signOutAfterInSeconds"),
    }


def registration_detail(item: Item) -> Item:
    return {
        "id": item.get("id"),
        "user_principal_name": item.get("userPrincipalName"),
        "user_type": item.get("userType"),
        "is_admin": item.get("isAdmin"),
        "is_mfa_registered": item.get("isMfaRegistered"),
        "is_mfa_capable": item.get("isMfaCapable"),
        "methods_registered": item.get("methodsRegistered") or [],
    }


def secure_score(item: Item) -> Item:
    averages = {a.get("basis"): a.get("averageScore") for a in item.get("averageComparativeScores") or []}
    return {
        "created_date_time": item.get("createdDateTime"),
        "current_score": item.get("currentScore"),
        "max_score": item.get("maxScore"),
        "active_user_count": item.get("activeUserCount"),
        "licensed_user_count": item.get("licensedUserCount"),
        "average_all_tenants": averages.get("AllTenants"),
    }


def principal_type(item: Item) -> str:
    """`user`, `group`, `servicePrincipal`… from a directoryObject's `@odata.type`."""
    return str(item.get("@odata.type", "")).rsplit(".", 1)[-1] or "unknown"


def role_assignment(item: Item) -> Item:
    principal = item.get("principal") or {}
    return {
        "id": item.get("id"),
        "role_definition_id": item.get("roleDefinitionId"),
        "principal_id": item.get("principalId"),
        "principal_type": principal_type(principal),
        "directory_scope_id": item.get("directoryScopeId"),
        "principal_display_name": principal.get("displayName"),
        "principal_account_enabled": principal.get("accountEnabled"),
        "principal_user_type": principal.get("userType"),
        "principal_on_premises_sync_enabled": principal.get("onPremisesSyncEnabled"),
    }


def role_group_member(assignment: Item) -> Callable[[Item], Item]:
    """Converts each member of a role-assignable group into a role assignment row of its own, naming the
    group it holds the role through (members come from `GET /groups/{id}/transitiveMembers`)."""
    group_row = role_assignment(assignment)

    def convert(member: Item) -> Item:
        return validated(
            records.RoleAssignment,
            lambda m: {
                **group_row,
                "id": f"{group_row['id']}:{m.get('id')}",
                "principal_id": m.get("id"),
                "principal_type": principal_type(m) if "@odata.type" in m else "user",
                "principal_display_name": m.get("displayName"),
                "principal_account_enabled": m.get("accountEnabled"),
                "principal_user_type": m.get("userType"),
                "principal_on_premises_sync_enabled": m.get("onPremisesSyncEnabled"),
                "via_group_id": group_row["principal_id"],
                "via_group_name": group_row["principal_display_name"],
            },
        )(member)

    return convert


def conditional_access_policy(item: Item) -> Item:
    conditions = item.get("conditions") or {}
    users = conditions.get("users") or {}
    applications = conditions.get("applications") or {}
    grant = item.get("grantControls") or {}
    return {
        "id": item.get("id"),
        "display_name": item.get("displayName"),
        "state": item.get("state"),
        "include_users": users.get("includeUsers") or [],
        "exclude_users": users.get("excludeUsers") or [],
        "include_groups": users.get("includeGroups") or [],
        "exclude_groups": users.get("excludeGroups") or [],
        "include_roles": users.get("includeRoles") or [],
        "include_applications": applications.get("includeApplications") or [],
        "client_app_types": conditions.get("clientAppTypes") or [],
        "grant_operator": grant.get("operator"),
        "built_in_controls": grant.get("builtInControls") or [],
        # learn.microsoft.com/graph/api/resources/conditionalaccessconditionset (risk levels) and
        # .../conditionalaccessgrantcontrols (authenticationStrength, an authenticationStrengthPolicy)
        "user_risk_levels": conditions.get("userRiskLevels") or [],
        "sign_in_risk_levels": conditions.get("signInRiskLevels") or [],
        "authentication_strength": (grant.get("authenticationStrength") or {}).get("id"),
        "include_user_actions": applications.get("includeUserActions") or [],
    }


def directory_audit(item: Item) -> Item:
    """initiatedBy is an auditActivityInitiator, a user or an app (learn.microsoft.com/graph/api/
    resources/auditactivityinitiator); targetResources are targetResource objects (id, displayName,
    userPrincipalName)."""
    initiator = item.get("initiatedBy") or {}
    user, app = initiator.get("user") or {}, initiator.get("app") or {}
    targets = item.get("targetResources") or []
    return {
        "id": item.get("id"),
        "activity_date_time": item.get("activityDateTime"),
        "category": item.get("category"),
        "activity_display_name": item.get("activityDisplayName"),
        "initiated_by": user.get("userPrincipalName") or app.get("displayName"),
        "target_ids": [str(t["id"]).lower() for t in targets if t.get("id")],
        "target_names": [t.get("userPrincipalName") or t.get("displayName") or "" for t in targets],
        "result": item.get("result"),
    }


def _entity(item: Item) -> Item:
    """A singleton policy: the entity itself (v1.0), or the first of a `value` list (older beta shape)."""
    wrapped = item.get("value")
    return wrapped[0] if isinstance(wrapped, list) and wrapped else item


def authorization_policy(item: Item) -> Item:
    policy = _entity(item)
    defaults = policy.get("defaultUserRolePermissions") or {}
    return {
        "allow_invites_from": policy.get("allowInvitesFrom"),
        "allowed_to_sign_up_email_based_subscriptions": policy.get("allowedToSignUpEmailBasedSubscriptions"),
        "allowed_to_use_sspr": policy.get("allowedToUseSSPR"),
        "allow_email_verified_users_to_join_organization": policy.get(
            "allowEmailVerifiedUsersToJoinOrganization"
        ),
        "allow_user_consent_for_risky_apps": policy.get("allowUserConsentForRiskyApps"),
        "guest_user_role_id": policy.get("guestUserRoleId"),
        "default_user_role_permissions": {
            "allowed_to_create_apps": defaults.get("allowedToCreateApps"),
            "allowed_to_create_security_groups": defaults.get("allowedToCreateSecurityGroups"),
            "allowed_to_create_tenants": defaults.get("allowedToCreateTenants"),
            "allowed_to_read_bitlocker_keys_for_owned_device": defaults.get(
                "allowedToReadBitlockerKeysForOwnedDevice"
            ),
            "allowed_to_read_other_users": defaults.get("allowedToReadOtherUsers"),
            "permission_grant_policies_assigned": defaults.get("permissionGrantPoliciesAssigned") or [],
        },
    }


def admin_consent_request_policy(item: Item) -> Item:
    policy = _entity(item)
    return {
        "is_enabled": policy.get("isEnabled"),
        "notify_reviewers": policy.get("notifyReviewers"),
        "reminders_enabled": policy.get("remindersEnabled"),
        "request_duration_in_days": policy.get("requestDurationInDays"),
        "reviewers": len(policy.get("reviewers") or []),
    }


def _flattened(value: Any, prefix: str = "") -> Iterator[tuple[str, str | bool | int | None]]:
    """Scalar settings as dotted paths; a target's id is kept (`...includeTarget.id`), lists are skipped."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if "@" not in key:  # annotations (`@odata.type`, `includeTargets@odata.context`)
                yield from _flattened(inner, f"{prefix}.{key}" if prefix else key)
    elif value is None or isinstance(value, str | bool | int):
        yield prefix, value


METHOD_FIELDS = frozenset({"id", "state", "includeTargets", "excludeTargets"})  # read as columns


def _targets_all_users(targets: Any) -> bool:
    return any((t or {}).get("id") == "all_users" for t in targets or [])


def authentication_methods_policy(item: Item) -> Item:
    """The policy and its methods (`authenticationMethodConfigurations`, returned with the policy;
    learn.microsoft.com/graph/api/authenticationmethodspolicy-get)."""
    policy = _entity(item)
    suspicious = policy.get("reportSuspiciousActivitySettings") or {}
    enforcement = policy.get("registrationEnforcement") or {}
    campaign = enforcement.get("authenticationMethodsRegistrationCampaign") or {}
    methods = []
    for method in policy.get("authenticationMethodConfigurations") or []:
        rest = {k: v for k, v in method.items() if k not in METHOD_FIELDS}
        methods.append(
            {
                "id": method.get("id"),
                "state": method.get("state"),
                "all_users": _targets_all_users(method.get("includeTargets")),
                "settings": dict(_flattened(rest)),
            }
        )
    return {
        "policy_migration_state": policy.get("policyMigrationState"),
        "report_suspicious_activity_state": suspicious.get("state"),
        "report_suspicious_activity_target": (suspicious.get("includeTarget") or {}).get("id"),
        "registration_campaign_state": campaign.get("state"),
        "methods": methods,
    }


def domain(item: Item) -> Item:
    return {
        "id": item.get("id"),
        "is_verified": bool(item.get("isVerified")),
        "password_validity_period_in_days": item.get("passwordValidityPeriodInDays"),
    }


def application(item: Item) -> Item:
    """The app and its credentials' validity; secret text, hints and keys are never kept."""
    credentials = [
        {"kind": kind, "start_date_time": c.get("startDateTime"), "end_date_time": c.get("endDateTime")}
        for kind, field in (("secret", "passwordCredentials"), ("certificate", "keyCredentials"))
        for c in item.get(field) or []
    ]
    return {
        "id": item.get("id"),
        "app_id": item.get("appId"),
        "display_name": item.get("displayName"),
        "credentials": credentials,
    }


def graph_permission_grant(item: Item) -> Item:
    return {
        "id": item.get("id"),
        "app_role_id": str(item.get("appRoleId") or "").lower(),
        "principal_id": str(item.get("principalId") or "").lower(),
        "principal_display_name": item.get("principalDisplayName"),
        "principal_type": item.get("principalType"),
        "created_date_time": item.get("createdDateTime"),
    }


def role_assignment_schedule_instance(item: Item) -> Item:
    return {
        "id": item.get("id"),
        "principal_id": str(item.get("principalId") or "").lower(),
        "role_definition_id": str(item.get("roleDefinitionId") or "").lower(),
        "assignment_type": item.get("assignmentType"),
        "member_type": item.get("memberType"),
        "start_date_time": item.get("startDateTime"),
        "end_date_time": item.get("endDateTime"),
    }


APPROVAL_RULE = (
    "Approval_EndUser_Assignment"  # approval to activate (resources/unifiedrolemanagementpolicyapprovalrule)
)


def role_activation_policy(item: Item) -> Item:
    rules = (item.get("policy") or {}).get("rules") or []
    approval: Item = next((rule for rule in rules if rule.get("id") == APPROVAL_RULE), {})
    return {
        "role_definition_id": str(item.get("roleDefinitionId") or "").lower(),
        "approval_required": (approval.get("setting") or {}).get("isApprovalRequired"),
    }


def validated(model: type[BaseModel], mapping: Callable[[Item], Item]) -> Callable[[Item], Item]:
    """`mapping`, then the record model's validation, as the JSON the snapshot stores."""

    def convert(item: Item) -> Item:
        try:
            return model.model_validate(mapping(item)).model_dump(mode="json")
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise MalformedResponseError(
                f"a {model.__name__} item is invalid at {where}: {first['type']}"
            ) from None

    return convert


CONVERTERS: dict[str, Callable[[Item], Item]] = {
    "organisation": validated(records.Organisation, organisation),
    "users": validated(records.User, user),
    "groups": validated(records.Group, group),
    "sign_in_activity": validated(records.SignInActivity, sign_in_activity),
    "subscribed_skus": validated(records.SubscribedSku, subscribed_sku),
    "subscriptions": validated(records.Subscription, subscription),
    "report_settings": validated(records.ReportSettings, report_settings),
    "registration_details": validated(records.RegistrationDetail, registration_detail),
    "secure_scores": validated(records.SecureScore, secure_score),
    "role_assignments": validated(records.RoleAssignment, role_assignment),
    "conditional_access_policies": validated(records.ConditionalAccessPolicy, conditional_access_policy),
    "directory_audits": validated(records.DirectoryAudit, directory_audit),
    "authorization_policy": validated(records.AuthorizationPolicy, authorization_policy),
    "admin_consent_request_policy": validated(
        records.AdminConsentRequestPolicy, admin_consent_request_policy
    ),
    "authentication_methods_policy": validated(
        records.AuthenticationMethodsPolicy, authentication_methods_policy
    ),
    "domains": validated(records.Domain, domain),
    "applications": validated(records.Application, application),
    "graph_permission_grants": validated(records.GraphPermissionGrant, graph_permission_grant),
    "role_assignment_schedule_instances": validated(
        records.RoleAssignmentScheduleInstance, role_assignment_schedule_instance
    ),
    "role_activation_policies": validated(records.RoleActivationPolicy, role_activation_policy),
    "sharepoint_settings": validated(records.SharePointSettings, sharepoint_settings),
}
