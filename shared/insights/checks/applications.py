"""Application registration and consent: who may register apps, who may consent to them, and the admin
consent workflow (authorizationPolicy, adminConsentRequestPolicy)."""

from __future__ import annotations

from collections.abc import Sequence

from shared.insights.assurance import TenantRule
from shared.insights.checks.settings import one_of, setting_rule
from shared.insights.checks.sources import declare
from shared.insights.models import CheckStatus
from shared.insights.state import TenantState
from shared.snapshot import Dataset
from shared.snapshot import records as r

AUTHORIZATION = (Dataset.AUTHORIZATION_POLICY,)
CONSENT_REQUESTS = (Dataset.ADMIN_CONSENT_REQUEST_POLICY,)
# Users consent to apps for themselves through the permission grant policies named
# "ManagePermissionGrantsForSelf.<policy>" (learn.microsoft.com/entra/identity/enterprise-apps/
# configure-user-consent): none assigned means no user consent; "microsoft-user-default-low" is consent
# to verified publishers' low-risk permissions only (EIDSCA.AP08's value), anything else is wider.
SELF_CONSENT = "ManagePermissionGrantsForSelf."
LOW_RISK_CONSENT = f"{SELF_CONSENT}microsoft-user-default-low"
MAX_REQUEST_DAYS = 30  # EIDSCA.CR04


def _authorization(state: TenantState) -> r.AuthorizationPolicy | None:
    return state.authorization


def _consent_requests(state: TenantState) -> r.AdminConsentRequestPolicy | None:
    return state.consent_requests


def _self_consent(policy: r.AuthorizationPolicy) -> list[str]:
    assigned = policy.default_user_role_permissions.permission_grant_policies_assigned
    return sorted(p for p in assigned if p.startswith(SELF_CONSENT))


def _consent_status(policies: Sequence[str]) -> CheckStatus:
    if not policies:
        return "pass"
    return "warn" if list(policies) == [LOW_RISK_CONSENT] else "fail"


USERS_CANNOT_REGISTER_APPS = setting_rule(
    declare(
        "users-cannot-register-apps",
        "Only administrators register applications",
        "high",
        baselines=("MS.AAD.5.1v1", "EIDSCA.AP10", "CIS.M365.5.1.2.2"),
        rationale="An app registered by any user can be given credentials and permissions outside any "
        "review.",
        remediation="Entra admin centre › Identity › Users › User settings: set 'Users can register "
        "applications' to No; delegate the Application Developer role to those who need it.",
        requires=AUTHORIZATION,
    ),
    _authorization,
    "allowed_to_create_apps",
    lambda p: p.default_user_role_permissions.allowed_to_create_apps,
    one_of({False}),
)

USER_CONSENT_RESTRICTED = setting_rule(
    declare(
        "user-consent-restricted",
        "Users cannot consent to applications",
        "high",
        baselines=("MS.AAD.5.2v1", "CIS.M365.5.1.5.1", "EIDSCA.AP08"),
        rationale="Consent phishing turns one user's click into an app reading company data; only "
        "administrators should grant it.",
        remediation="Entra admin centre › Identity › Applications › Enterprise applications › Consent and "
        "permissions › User consent settings: 'Do not allow user consent' (warn: consent only to verified "
        "publishers' low-risk permissions).",
        requires=AUTHORIZATION,
    ),
    _authorization,
    "user_consent_policies",
    _self_consent,
    _consent_status,
)

RISKY_APP_CONSENT_BLOCKED = setting_rule(
    declare(
        "risky-app-consent-blocked",
        "Users cannot consent to risky applications",
        "medium",
        baselines=("EIDSCA.AP09",),
        rationale="Microsoft flags some consent requests as risky; letting users approve them defeats the "
        "step-up to an administrator.",
        remediation="Keep allowUserConsentForRiskyApps false (the default): Graph PATCH "
        "/policies/authorizationPolicy, or Entra admin centre › Enterprise applications › Consent and "
        "permissions.",
        requires=AUTHORIZATION,
    ),
    _authorization,
    "allow_user_consent_for_risky_apps",
    lambda p: p.allow_user_consent_for_risky_apps,
    # Unset means Graph's documented default, false (resources/authorizationpolicy).
    one_of({False, None}),
)


def _workflow(policy: r.AdminConsentRequestPolicy) -> dict[str, object]:
    return {"is_enabled": policy.is_enabled, "reviewers": policy.reviewers}


def _workflow_status(found: dict[str, object]) -> CheckStatus:
    if found["is_enabled"] is not True:
        return "fail"
    return "pass" if found["reviewers"] else "warn"  # enabled, but nobody to review the requests


ADMIN_CONSENT_WORKFLOW = setting_rule(
    declare(
        "admin-consent-workflow",
        "Admin consent workflow is enabled with reviewers",
        "medium",
        baselines=("MS.AAD.5.3v1", "EIDSCA.CR01", "CIS.M365.5.1.5.2"),
        rationale="With user consent off, users need a sanctioned way to ask for an app, or they find an "
        "unsanctioned one.",
        remediation="Entra admin centre › Identity › Applications › Enterprise applications › Admin consent "
        "settings: 'Users can request admin consent to apps they are unable to consent to' = Yes, and "
        "choose reviewers.",
        requires=CONSENT_REQUESTS,
    ),
    _consent_requests,
    "workflow",
    _workflow,
    _workflow_status,
)

CONSENT_REVIEWERS_NOTIFIED = setting_rule(
    declare(
        "consent-reviewers-notified",
        "Consent reviewers are notified of requests",
        "low",
        baselines=("EIDSCA.CR02",),
        rationale="A request nobody hears about expires unanswered.",
        remediation="Admin consent settings: 'Selected users will receive email notifications for requests' "
        "= Yes.",
        requires=CONSENT_REQUESTS,
    ),
    _consent_requests,
    "notify_reviewers",
    lambda p: p.notify_reviewers,
    one_of({True}),
)

CONSENT_REMINDERS = setting_rule(
    declare(
        "consent-reminders",
        "Consent reviewers are reminded before requests expire",
        "low",
        baselines=("EIDSCA.CR03",),
        rationale="Reminders keep requests from expiring silently.",
        remediation="Admin consent settings: 'Selected users will receive request expiration reminders' = "
        "Yes.",
        requires=CONSENT_REQUESTS,
    ),
    _consent_requests,
    "reminders_enabled",
    lambda p: p.reminders_enabled,
    one_of({True}),
)


def _duration_status(days: int | None) -> CheckStatus:
    return "pass" if days is not None and 0 < days <= MAX_REQUEST_DAYS else "fail"


CONSENT_REQUEST_DURATION = setting_rule(
    declare(
        "consent-request-duration",
        f"Consent requests expire within {MAX_REQUEST_DAYS} days",
        "low",
        baselines=("EIDSCA.CR04",),
        rationale="A request left open for months is approved after its reason is forgotten.",
        remediation="Admin consent settings: 'Consent request expires after (days)' at most "
        f"{MAX_REQUEST_DAYS}.",
        requires=CONSENT_REQUESTS,
    ),
    _consent_requests,
    "request_duration_in_days",
    lambda p: p.request_duration_in_days,
    _duration_status,
)

APPLICATION_CHECKS: tuple[TenantRule, ...] = (
    USERS_CANNOT_REGISTER_APPS,
    USER_CONSENT_RESTRICTED,
    RISKY_APP_CONSENT_BLOCKED,
    ADMIN_CONSENT_WORKFLOW,
    CONSENT_REVIEWERS_NOTIFIED,
    CONSENT_REMINDERS,
    CONSENT_REQUEST_DURATION,
)
