"""SharePoint and OneDrive: the tenant's sharing and session settings (`GET /admin/sharepoint/settings`,
learn.microsoft.com/graph/api/resources/sharepointsettings).

Graph v1.0 exposes only part of what the baselines judge. Not readable there, so not checked: OneDrive's
own sharing level (MS.SHAREPOINT.1.2v1, CIS 7.2.4), the default link type and permission
(MS.SHAREPOINT.2.1v1, 2.2v1, CIS 7.2.7, 7.2.11), the expiry and permissions of "Anyone" links
(MS.SHAREPOINT.3.1v1, 3.2v1), re-authentication with a verification code (MS.SHAREPOINT.3.3v2, CIS
7.2.10), custom scripts (MS.SHAREPOINT.4.x), guest access expiry (CIS 7.2.9), sharing by security group
(CIS 7.2.8), Entra B2B integration (CIS 7.2.2) and the unmanaged-device access policy.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.insights.assurance import Outcome, TenantRule
from shared.insights.checks.sources import declare
from shared.insights.models import CheckStatus, Severity
from shared.insights.state import TenantState
from shared.snapshot import Dataset
from shared.snapshot import records as r

SHAREPOINT = "SharePoint Online (any plan)"
# The service plans that include SharePoint Online (learn.microsoft.com/entra/identity/users/
# licensing-service-plan-reference); a tenant holding none has no SharePoint to judge.
SHAREPOINT_PLANS = (
    "SHAREPOINTDESKLESS",
    "SHAREPOINTSTANDARD",
    "SHAREPOINTENTERPRISE",
    "SHAREPOINTDESKLESS_GOV",
    "SHAREPOINTENTERPRISE_GOV",
    "SHAREPOINTSTANDARD_EDU",
    "SHAREPOINTENTERPRISE_EDU",
)
# sharingCapabilities, most open first: "Anyone" links, new and existing guests, existing guests, nobody.
ANYONE = "externalUserAndGuestSharing"
NEW_GUESTS = "externalUserSharingOnly"
EXISTING_GUESTS = "existingExternalUserSharingOnly"
DISABLED = "disabled"
SHARING_STATUS: dict[str, CheckStatus] = {
    ANYONE: "fail",
    NEW_GUESTS: "warn",  # enough for CIS 7.2.3, not for CISA's MS.SHAREPOINT.1.1v1
    EXISTING_GUESTS: "pass",
    DISABLED: "pass",
}
# CIS 1.3.2 caps the Microsoft 365-wide idle session timeout at 3 hours; SharePoint's own idle sign-out is
# held to the same ceiling (no baseline judges SharePoint's setting, so the check cites none).
IDLE_SIGN_OUT_MAX_SECONDS = 3 * 3600
ADMIN_CENTRE = "SharePoint admin centre › Policies › "

Judge = Callable[[r.SharePointSettings], Outcome]


def _shares_externally(settings: r.SharePointSettings) -> bool:
    return settings.sharing_capability != DISABLED


def _external_sharing(settings: r.SharePointSettings) -> Outcome:
    """fail when "Anyone" links are allowed, warn when new guests can be invited, pass when only existing
    guests or nobody outside can be shared with; warn on a value Graph adds later."""
    level = settings.sharing_capability
    return Outcome(SHARING_STATUS.get(level or "", "warn"), {"sharing_capability": level})


def _domains_restricted(settings: r.SharePointSettings) -> Outcome:
    """pass when nothing is shared outside or only with allowed domains, warn with a block list, else
    fail."""
    mode = settings.sharing_domain_restriction_mode
    allowed = mode == "allowList" and settings.sharing_allowed_domains > 0
    status: CheckStatus = (
        "pass" if allowed or not _shares_externally(settings) else "warn" if mode == "blockList" else "fail"
    )
    return Outcome(
        status,
        {
            "sharing_capability": settings.sharing_capability,
            "sharing_domain_restriction_mode": mode,
            "allowed_domains": settings.sharing_allowed_domains,
        },
    )


def _flag(field: str, wanted: bool) -> Judge:
    """pass when the setting has the wanted value, else fail (also when Graph leaves it out: it cannot
    be shown to be set)."""

    def judge(settings: r.SharePointSettings) -> Outcome:
        value = getattr(settings, field)
        return Outcome("pass" if value is wanted else "fail", {field: value})

    return judge


def _guests_only(judge: Judge) -> Judge:
    """A guest setting passes when nothing is shared outside the organisation."""

    def guarded(settings: r.SharePointSettings) -> Outcome:
        outcome = judge(settings)
        if _shares_externally(settings):
            return outcome
        return Outcome("pass", {**outcome.evidence, "sharing_capability": settings.sharing_capability})

    return guarded


def _sync_domain_joined_only(settings: r.SharePointSettings) -> Outcome:
    """pass when OneDrive syncs only on computers joined to at least one named domain, else fail."""
    restricted = settings.is_unmanaged_sync_app_for_tenant_restricted
    domains = settings.sync_allowed_domains
    return Outcome(
        "pass" if restricted is True and domains > 0 else "fail",
        {"is_unmanaged_sync_app_for_tenant_restricted": restricted, "allowed_domains": domains},
    )


def _idle_sign_out(settings: r.SharePointSettings) -> Outcome:
    """pass when idle browser sessions on unmanaged devices are signed out within 3 hours, warn when later,
    fail when they are never signed out."""
    after = settings.idle_session_sign_out_after_seconds
    within = after is not None and after <= IDLE_SIGN_OUT_MAX_SECONDS
    status: CheckStatus = (
        "fail" if not settings.idle_session_sign_out_enabled else "pass" if within else "warn"
    )
    return Outcome(
        status, {"enabled": settings.idle_session_sign_out_enabled, "sign_out_after_seconds": after}
    )


def sharepoint_rule(
    info: tuple[str, str, Severity, tuple[str, ...]], *, rationale: str, remediation: str, judge: Judge
) -> TenantRule:
    """A check of the SharePoint settings: not licensed when no subscribed plan includes SharePoint."""
    check_id, title, severity, baselines = info

    def evaluate(state: TenantState) -> Outcome:
        if not any(state.holds_plan(plan) for plan in SHAREPOINT_PLANS):
            reason = "not licensed: no subscribed SKU includes SharePoint Online"
            return Outcome("not_applicable", {}, reason, "not_licensed")
        if state.sharepoint is None:
            reason = "data could not be read: sharepoint_settings has no settings"
            return Outcome("not_applicable", {}, reason, "data_unreadable")
        return judge(state.sharepoint)

    described = declare(
        check_id,
        title,
        severity,
        baselines=baselines,
        rationale=rationale,
        remediation=remediation,
        requires=(Dataset.SHAREPOINT_SETTINGS, Dataset.SUBSCRIBED_SKUS),
        licence=SHAREPOINT,
    )
    return TenantRule(described, evaluate)


SHAREPOINT_CHECKS: tuple[TenantRule, ...] = (
    sharepoint_rule(
        (
            "sharepoint-external-sharing",
            "SharePoint shares only with existing guests, or with nobody outside",
            "high",
            ("MS.SHAREPOINT.1.1v1", "CIS.M365.7.2.3"),
        ),
        rationale="'Anyone' links open files to whoever holds the link, with no sign-in; inviting new guests "
        "lets any user bring in any outsider.",
        remediation=f"{ADMIN_CENTRE}Sharing › External sharing › SharePoint: 'Existing guests' or 'Only "
        "people in your organization' (OneDrive cannot be more open than SharePoint).",
        judge=_external_sharing,
    ),
    sharepoint_rule(
        (
            "sharepoint-sharing-domains-restricted",
            "External sharing is limited to allowed domains",
            "medium",
            ("MS.SHAREPOINT.1.3v1", "CIS.M365.7.2.6"),
        ),
        rationale="An allow list keeps files from being shared with organisations nobody approved; a block "
        "list only stops the domains someone thought of.",
        remediation=f"{ADMIN_CENTRE}Sharing › More external sharing settings › 'Limit external sharing by "
        "domain': allow only the partner domains you collaborate with.",
        judge=_domains_restricted,
    ),
    sharepoint_rule(
        (
            "sharepoint-guest-resharing-blocked",
            "Guests cannot share items they do not own",
            "medium",
            ("CIS.M365.7.2.5",),
        ),
        rationale="A guest who can reshare passes your files on to people you never invited.",
        remediation=f"{ADMIN_CENTRE}Sharing › More external sharing settings: clear 'Allow guests to share "
        "items they don't own'.",
        judge=_guests_only(_flag("is_resharing_by_external_users_enabled", False)),
    ),
    sharepoint_rule(
        (
            "sharepoint-guests-use-invited-account",
            "Guests must sign in with the account they were invited at",
            "medium",
            (),
        ),
        rationale="Otherwise an invitation forwarded to someone else lets them in under any account.",
        remediation=f"{ADMIN_CENTRE}Sharing › More external sharing settings: select 'Guests must sign in "
        "using the same account to which sharing invitations are sent'.",
        judge=_guests_only(_flag("is_require_accepting_user_to_match_invited_user_enabled", True)),
    ),
    sharepoint_rule(
        (
            "sharepoint-legacy-auth-blocked",
            "SharePoint refuses legacy authentication",
            "high",
            ("CIS.M365.7.2.1",),
        ),
        rationale="Apps that sign in with legacy protocols skip MFA and Conditional Access.",
        remediation=f"{ADMIN_CENTRE}Access control › Apps that don't use modern authentication: 'Block "
        "access'.",
        judge=_flag("is_legacy_auth_protocols_enabled", False),
    ),
    sharepoint_rule(
        (
            "onedrive-sync-managed-devices-only",
            "OneDrive syncs only on computers joined to your domains",
            "low",
            ("CIS.M365.7.3.2",),
        ),
        rationale="Files synced to a personal computer leave your control with it.",
        remediation="OneDrive admin settings › Sync: 'Allow syncing only on computers joined to specific "
        "domains', with your domains' GUIDs.",
        judge=_sync_domain_joined_only,
    ),
    sharepoint_rule(
        (
            "sharepoint-idle-session-sign-out",
            "Idle SharePoint and OneDrive sessions on unmanaged devices sign out within 3 hours",
            "low",
            (),
        ),
        rationale="A browser left signed in on a shared or personal computer is open to the next person.",
        remediation=f"{ADMIN_CENTRE}Access control › Idle session sign-out: on, signing out after at most "
        "3 hours (or the Microsoft 365 admin centre's org-wide idle session timeout).",
        judge=_idle_sign_out,
    ),
)
