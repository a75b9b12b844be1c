"""Domains: users' passwords never expire (`GET /domains`, passwordValidityPeriodInDays)."""

from __future__ import annotations

from shared.insights.assurance import Outcome, TenantRule
from shared.insights.checks.sources import declare
from shared.insights.state import TenantState
from shared.snapshot import Dataset

# "Passwords never expire" is the largest Int32 (learn.microsoft.com/microsoft-365/admin/manage/
# set-password-expiration-policy). An unset period is Graph's documented default of 90 days
# (learn.microsoft.com/graph/api/resources/domain), yet Microsoft 365 tenants created since 2021 do not
# expire passwords by default: unset cannot be judged from Graph alone, so it warns.
NEVER_EXPIRE = 2_147_483_647


def _passwords_never_expire(state: TenantState) -> Outcome:
    """fail when a verified domain expires passwords, warn when one leaves the period unset, else pass; an
    unverified domain has no users to judge."""
    verified = [d for d in state.domains if d.is_verified]
    if not verified:
        reason = "data could not be read: domains has no verified domain"
        return Outcome("not_applicable", {}, reason, "data_unreadable")
    periods = {d.id: d.password_validity_period_in_days for d in verified}
    expiring = sorted(name for name, days in periods.items() if days not in (None, NEVER_EXPIRE))
    unset = sorted(name for name, days in periods.items() if days is None)
    return Outcome(
        "fail" if expiring else "warn" if unset else "pass",
        {
            "verified_domains": len(verified),
            "domains_expiring_passwords": ";".join(expiring),
            "domains_without_a_set_period": ";".join(unset),
        },
    )


PASSWORDS_NEVER_EXPIRE = TenantRule(
    declare(
        "passwords-never-expire",
        "User passwords do not expire",
        "medium",
        baselines=("MS.AAD.6.1v1", "CIS.M365.1.3.1"),
        rationale="Forced periodic changes make users pick weaker, predictable passwords; NIST and "
        "Microsoft advise against expiry when MFA protects the account.",
        remediation="Microsoft 365 admin centre › Settings › Org settings › Security & privacy › Password "
        "expiration policy: 'Set passwords to never expire' (applies to every verified domain).",
        requires=(Dataset.DOMAINS,),
    ),
    _passwords_never_expire,
)
