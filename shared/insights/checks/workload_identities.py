"""Workload identities: app registrations' client secrets and certificates, and the Microsoft Graph
application permissions that let an app take over the directory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from shared.insights.assurance import Outcome, TenantRule
from shared.insights.checks.sources import declare
from shared.insights.models import CheckStatus, Severity
from shared.insights.state import TenantState
from shared.snapshot import Dataset
from shared.snapshot import records as r

APPS = (Dataset.APPLICATIONS,)
SECRET_MAX_DAYS = 365  # Maester's sample app management policy caps secrets at P365D (MT.1002)
EXPIRY_WARNING_DAYS = 30
# Application permissions with which an app can grant itself, or anyone, any role or permission: tier 0
# (learn.microsoft.com/graph/permissions-reference; app role ids are the same in every tenant).
HIGH_PRIVILEGE_PERMISSIONS = {
    "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8": "RoleManagement.ReadWrite.Directory",
    "06b708a9-e830-4db3-a914-8e69da51d44f": "AppRoleAssignment.ReadWrite.All",
    "19dbc75e-c2e2-444c-a770-ec69d8559fc7": "Directory.ReadWrite.All",
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9": "Application.ReadWrite.All",
}


def _day(moment: datetime | None) -> int | None:
    return None if moment is None else moment.date().toordinal()


def current(state: TenantState, credential: r.AppCredential) -> bool:
    """Still valid on as_of (a credential without an end date never expires)."""
    end = _day(credential.end_date_time)
    return end is None or end >= state.reference


def lifetime_days(credential: r.AppCredential) -> int | None:
    start, end = _day(credential.start_date_time), _day(credential.end_date_time)
    return None if start is None or end is None else end - start


def app_rule(
    info: tuple[str, str, Severity, tuple[str, ...]],
    *,
    rationale: str,
    remediation: str,
    offends: Callable[[TenantState, r.AppCredential], bool],
    found: CheckStatus,
    counted_as: str,
) -> TenantRule:
    """A check over every app registration's credentials: `found` when some app has a credential that
    `offends`, else pass; evidence counts the apps and names the offending ones."""
    check_id, title, severity, baselines = info

    def evaluate(state: TenantState) -> Outcome:
        offenders = sorted(
            a.display_name or a.id
            for a in state.applications
            if any(offends(state, c) for c in a.credentials)
        )
        return _outcome(found if offenders else "pass", len(state.applications), counted_as, offenders)

    described = declare(
        check_id,
        title,
        severity,
        baselines=baselines,
        rationale=rationale,
        remediation=remediation,
        requires=APPS,
    )
    return TenantRule(described, evaluate)


def _outcome(status: CheckStatus, apps: int, counted_as: str, names: Iterable[str]) -> Outcome:
    listed = list(names)
    return Outcome(status, {"applications": apps, counted_as: len(listed), "names": ";".join(listed)})


APP_CLIENT_SECRETS = app_rule(
    ("app-client-secrets", "App registrations authenticate without client secrets", "low", ("MT.1057",)),
    rationale="A client secret is a password anyone who reads it can use from anywhere; certificates and "
    "managed identities cannot be copied out of a config file.",
    remediation="Entra admin centre › Applications › App registrations › the app › Certificates & secrets: "
    "add a certificate (or use a managed identity or workload identity federation), then delete the client "
    "secrets.",
    offends=lambda state, c: c.kind == "secret" and current(state, c),
    found="fail",
    counted_as="apps_with_secrets",
)

APP_SECRETS_LONG_LIVED = app_rule(
    (
        "app-secrets-long-lived",
        f"Client secrets are valid for at most {SECRET_MAX_DAYS} days",
        "medium",
        (),
    ),
    rationale="A secret valid for years outlives the people and systems that know it; a leaked one stays "
    "usable until it expires.",
    remediation="Replace the secret with one valid for at most 12 months (better: a certificate), and cap "
    "lifetimes with an app management policy (Entra admin centre › Applications › App management policies).",
    offends=lambda state, c: (
        c.kind == "secret" and current(state, c) and (lifetime_days(c) or 0) > SECRET_MAX_DAYS
    ),
    found="fail",
    counted_as="apps_with_long_lived_secrets",
)


def _expiring(state: TenantState, credential: r.AppCredential) -> bool:
    end = _day(credential.end_date_time)
    return end is not None and 0 <= end - state.reference <= EXPIRY_WARNING_DAYS


APP_CREDENTIALS_EXPIRING = app_rule(
    (
        "app-credentials-expiring",
        f"No app credential expires within {EXPIRY_WARNING_DAYS} days",
        "low",
        (),
    ),
    rationale="An expired secret or certificate stops the integration that uses it; renewing ahead avoids "
    "the outage.",
    remediation="Add the new secret or certificate to the app, switch the integration to it, then remove "
    "the old one (Entra admin centre › Applications › App registrations › Certificates & secrets).",
    offends=_expiring,
    found="warn",
    counted_as="apps_with_expiring_credentials",
)


def _high_privilege(state: TenantState) -> Outcome:
    held: dict[str, set[str]] = {}
    for grant in state.graph_grants:
        permission = HIGH_PRIVILEGE_PERMISSIONS.get(grant.app_role_id.lower())
        if permission and (grant.principal_type or "").lower() == "serviceprincipal":
            held.setdefault(grant.principal_display_name or grant.principal_id, set()).add(permission)
    named = sorted(f"{app} ({', '.join(sorted(permissions))})" for app, permissions in held.items())
    return Outcome(
        "fail" if named else "pass",
        {
            "graph_permission_grants": len(state.graph_grants),
            "high_privilege_apps": len(named),
            "names": ";".join(named),
        },
    )


HIGH_PRIVILEGE_APP_PERMISSIONS = TenantRule(
    declare(
        "high-privilege-app-permissions",
        "No app holds a Microsoft Graph permission that can take over the directory",
        "high",
        rationale="An app granted RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, "
        "Directory.ReadWrite.All or Application.ReadWrite.All can make itself, or anyone, Global "
        "Administrator; its credential is as powerful as a Global Administrator's password.",
        remediation="Entra admin centre › Applications › Enterprise applications › the app › Permissions: "
        "revoke the permission and grant the narrowest one the app needs (for example User.Read.All instead "
        "of Directory.ReadWrite.All).",
        requires=(Dataset.GRAPH_PERMISSION_GRANTS,),
    ),
    _high_privilege,
)

WORKLOAD_IDENTITY_CHECKS: tuple[TenantRule, ...] = (
    APP_CLIENT_SECRETS,
    APP_SECRETS_LONG_LIVED,
    APP_CREDENTIALS_EXPIRING,
    HIGH_PRIVILEGE_APP_PERMISSIONS,
)
