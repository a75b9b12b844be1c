"""Guest access and invitations, and who may join or sign up on their own (authorizationPolicy)."""

from __future__ import annotations

from shared.insights.assurance import TenantRule
from shared.insights.checks.settings import one_of, setting_rule
from shared.insights.checks.sources import declare
from shared.insights.state import TenantState
from shared.snapshot import Dataset
from shared.snapshot import records as r

AUTHORIZATION = (Dataset.AUTHORIZATION_POLICY,)
# guestUserRoleId values (learn.microsoft.com/entra/identity/users/users-restrict-guest-permissions)
RESTRICTED_GUEST = "2af84b1e-32c8-42b7-82bc-daa82404023b"  # own directory objects only
LIMITED_GUEST = "10dae51f-b6af-4016-8d66-8c2a99b929b3"  # the default
MEMBER_LIKE_GUEST = "a0b1b346-4d3e-4e8b-98f8-753987be4970"  # same access as members


def _authorization(state: TenantState) -> r.AuthorizationPolicy | None:
    return state.authorization


GUEST_ACCESS_RESTRICTED = setting_rule(
    declare(
        "guest-access-restricted",
        "Guests see only their own directory objects",
        "medium",
        baselines=("MS.AAD.8.1v1", "EIDSCA.AP07", "CIS.M365.5.1.6.2"),
        rationale="A guest who can enumerate users, groups and roles maps the organisation for an attacker.",
        remediation="Entra admin centre › Identity › External identities › External collaboration settings: "
        "'Guest user access is restricted to properties and memberships of their own directory objects' "
        "(warn: the limited default).",
        requires=AUTHORIZATION,
    ),
    _authorization,
    "guest_user_role_id",
    lambda p: p.guest_user_role_id,
    one_of({RESTRICTED_GUEST}, {LIMITED_GUEST}),
)

GUEST_INVITES_RESTRICTED = setting_rule(
    declare(
        "guest-invites-restricted",
        "Only administrators and Guest Inviters invite guests",
        "medium",
        baselines=("MS.AAD.8.2v1", "EIDSCA.AP04", "CIS.M365.5.1.6.3"),
        rationale="When everyone can invite, outsiders enter the directory without anyone accountable.",
        remediation="External collaboration settings › Guest invite settings: 'Only users assigned to "
        "specific admin roles can invite guest users'.",
        requires=AUTHORIZATION,
    ),
    _authorization,
    "allow_invites_from",
    lambda p: p.allow_invites_from,
    one_of({"adminsAndGuestInviters", "none"}),
)

EMAIL_VERIFIED_JOIN_BLOCKED = setting_rule(
    declare(
        "email-verified-join-blocked",
        "Nobody joins the tenant by email verification",
        "medium",
        baselines=("EIDSCA.AP06",),
        rationale="Self-service join lets anyone with a matching email domain create an account in the "
        "tenant.",
        remediation="Set allowEmailVerifiedUsersToJoinOrganization to false (Graph PATCH "
        "/policies/authorizationPolicy, or Update-MgPolicyAuthorizationPolicy).",
        requires=AUTHORIZATION,
    ),
    _authorization,
    "allow_email_verified_users_to_join_organization",
    lambda p: p.allow_email_verified_users_to_join_organization,
    one_of({False}),
)

EMAIL_SUBSCRIPTION_SIGN_UP_BLOCKED = setting_rule(
    declare(
        "email-subscription-sign-up-blocked",
        "Users cannot sign up for email-based subscriptions",
        "low",
        baselines=("EIDSCA.AP05",),
        rationale="Self-service sign-ups bring in services nobody bought or reviewed.",
        remediation="Set allowedToSignUpEmailBasedSubscriptions to false (Graph PATCH "
        "/policies/authorizationPolicy).",
        requires=AUTHORIZATION,
    ),
    _authorization,
    "allowed_to_sign_up_email_based_subscriptions",
    lambda p: p.allowed_to_sign_up_email_based_subscriptions,
    one_of({False}),
)

GUEST_CHECKS: tuple[TenantRule, ...] = (
    GUEST_ACCESS_RESTRICTED,
    GUEST_INVITES_RESTRICTED,
    EMAIL_VERIFIED_JOIN_BLOCKED,
    EMAIL_SUBSCRIPTION_SIGN_UP_BLOCKED,
)
