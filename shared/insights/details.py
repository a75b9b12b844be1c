"""Detail-list row generators, one per report in `reports.py` (same ids, same columns in the same order).

Rows are produced lazily from the engine's compact in-memory state when the publisher writes them, so a
list of 100k rows never exists as a Python list. Person-level lists carry directory facts and licence
reasons only; productivity figures appear solely as group aggregates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from shared.insights.accounts import ENABLED, GUEST, MFA_KNOWN, MFA_REGISTERED, SYNCED, iso
from shared.insights.models import (
    AdoptionSummary,
    CheckResult,
    Family,
    Payload,
    ProductivitySummary,
    RenewalReclaim,
    SkuUtilisation,
)
from shared.insights.reports import REPORTS_BY_ID
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLES

if TYPE_CHECKING:
    from shared.insights.engine import _Computation
    from shared.insights.utilisation import Utilisation

Row = dict[str, Any]
STALE_DAYS = 90


def _ordered(report_id: str, row: Mapping[str, Any]) -> Row:
    """The row with exactly the catalogue's columns, in its order (a drift fails loudly in tests)."""
    return {name: row.get(name) for name in REPORTS_BY_ID[report_id].column_names()}


def detail_lists(
    c: _Computation,
    utilisation: Utilisation,
    *,
    checks: list[CheckResult],
    skus: list[SkuUtilisation],
    renewals: list[RenewalReclaim],
    payloads: Mapping[Family, Payload],
) -> dict[str, Callable[[], Iterator[Row]]]:
    lists = _Lists(c, utilisation, checks=checks, skus=skus, renewals=renewals, payloads=payloads)
    return {
        "reclaimable-licences": lists.reclaimable,
        "waste-risk": lists.waste_risk,
        "assurance-findings": lists.findings,
        "sku-utilisation": lists.sku_rows,
        "renewal-reclaim": lists.renewal_rows,
        "adoption-by-group": lists.adoption_rows,
        "productivity-by-group": lists.productivity_rows,
    }


class _Lists:
    def __init__(
        self,
        c: _Computation,
        utilisation: Utilisation,
        *,
        checks: list[CheckResult],
        skus: list[SkuUtilisation],
        renewals: list[RenewalReclaim],
        payloads: Mapping[Family, Payload],
    ) -> None:
        self.c, self.t, self.utilisation = c, c.table, utilisation
        self.skus, self.renewals, self.payloads = skus, renewals, payloads
        self.status = {check.id: check.status for check in checks}
        self.baselines = {check.id: check.baseline for check in checks}
        self.admins: dict[int, set[str]] = {}
        for principal, roles in c.roles.by_principal.items():
            index = self.t.by_id.get(principal)
            if index is not None:
                self.admins[index] = roles
        self.registration = self.status.get("licensed-without-mfa") != "not_applicable"

    def person(self, i: int) -> Row:
        return {
            "user_principal_name": self.t.upn[i],
            "display_name": self.t.name[i],
            "group": self.c.group_name(i),
        }

    def monthly(self, i: int) -> tuple[float | None, str | None]:
        prices = [self.utilisation.price(sku) for sku, _ in self.t.licences(i)]
        known = [p for p in prices if p is not None]
        if not known:
            return None, None
        return round(sum(p.monthly for p in known), 2), known[0].currency

    def reclaimable(self) -> Iterator[Row]:
        for row in self.utilisation.reclaimable_rows(self.renewals):
            yield _ordered("reclaimable-licences", row)

    def waste_risk(self) -> Iterator[Row]:
        for i in range(len(self.t)):
            if self.t.combo[i] < 0:
                continue
            flags = self.t.flags[i]
            enabled = bool(flags & ENABLED)
            roles = self.admins.get(i, set())
            no_mfa = self.registration and not flags & MFA_REGISTERED
            risks = []
            if roles and enabled and self.utilisation.inactive(i, STALE_DAYS):
                risks.append("inactive_admin")
            if roles and not enabled:
                risks.append("disabled_role_holder")
            if roles and no_mfa:
                risks.append("admin_without_mfa")
            elif enabled and no_mfa:
                risks.append("no_mfa")
            if enabled and flags & GUEST and self.status.get("stale-guests") != "not_applicable":
                signin = self.t.signin[i]
                created = self.t.created[i]
                if (signin and self.c.reference - signin > STALE_DAYS) or (
                    not signin and created and self.c.reference - created > STALE_DAYS
                ):
                    risks.append("stale_guest")
            if not risks:
                continue
            cost, currency = self.monthly(i)
            yield _ordered(
                "waste-risk",
                {
                    **self.person(i),
                    "account_enabled": enabled,
                    "risks": ";".join(risks),
                    "roles": ";".join(sorted(PRIVILEGED_ROLES.get(role, role) for role in roles)),
                    "licences": ";".join(self.utilisation.sku_name(sku) for sku, _ in self.t.licences(i)),
                    "last_activity": self.c.last_activity_iso(i),
                    "mfa_registered": bool(flags & MFA_REGISTERED) if flags & MFA_KNOWN else None,
                    "monthly_cost": cost,
                    "currency": currency,
                    "priority": round(len(risks) * cost, 2) if cost else len(risks),
                },
            )

    def findings(self) -> Iterator[Row]:
        def finding(check: str, i: int, detail: str) -> Row:
            return _ordered(
                "assurance-findings",
                {
                    "check_id": check,
                    "baseline": self.baselines.get(check),
                    **self.person(i),
                    "detail": detail,
                },
            )

        failing = {check for check, s in self.status.items() if s in ("fail", "warn")}
        for i, roles in sorted(self.admins.items()):
            flags = self.t.flags[i]
            names = ";".join(sorted(PRIVILEGED_ROLES.get(role, role) for role in roles))
            if "admins-without-mfa" in failing and not flags & MFA_REGISTERED:
                yield finding("admins-without-mfa", i, f"no MFA method registered; roles: {names}")
            if "synced-admins" in failing and flags & SYNCED:
                yield finding("synced-admins", i, f"synchronised from on-premises; roles: {names}")
            if (
                "global-admin-count" in failing or "global-admin-ratio" in failing
            ) and GLOBAL_ADMINISTRATOR in roles:
                yield finding("global-admin-count", i, "holds Global Administrator")
            if (
                "inactive-licensed-admins" in failing
                and self.t.combo[i] >= 0
                and self.utilisation.inactive(i, STALE_DAYS)
            ):
                yield finding(
                    "inactive-licensed-admins", i, f"last activity {self.c.last_activity_iso(i) or 'never'}"
                )
        for i in range(len(self.t)):
            flags = self.t.flags[i]
            if not flags & ENABLED:
                continue
            signin = self.t.signin[i]
            stale = signin == 0 or self.c.reference - signin > STALE_DAYS
            licensed = self.t.combo[i] >= 0
            if "stale-guests" in failing and flags & GUEST:
                guest_stale = (
                    stale
                    if signin
                    else (self.t.created[i] != 0 and self.c.reference - self.t.created[i] > STALE_DAYS)
                )
                if guest_stale:
                    yield finding(
                        "stale-guests", i, f"last sign-in {iso(signin) or 'never'}; licensed: {licensed}"
                    )
            if "stale-enabled-accounts" in failing and stale:
                yield finding("stale-enabled-accounts", i, f"last sign-in {iso(signin) or 'never'}")
            if "licensed-without-mfa" in failing and licensed and not flags & MFA_REGISTERED:
                yield finding("licensed-without-mfa", i, "licensed, no MFA method registered")

    def sku_rows(self) -> Iterator[Row]:
        for s in self.skus:
            yield _ordered(
                "sku-utilisation",
                {
                    **s.model_dump(exclude={"monthly_price", "monthly_waste"}),
                    "monthly_price": s.monthly_price.amount if s.monthly_price else None,
                    "monthly_waste": s.monthly_waste.amount if s.monthly_waste else None,
                    "currency": s.monthly_price.currency if s.monthly_price else None,
                },
            )

    def renewal_rows(self) -> Iterator[Row]:
        for r in self.renewals:
            yield _ordered(
                "renewal-reclaim",
                {
                    **r.model_dump(mode="json", exclude={"monthly_saving", "term_saving"}),
                    "monthly_saving": r.monthly_saving.amount if r.monthly_saving else None,
                    "term_saving": r.term_saving.amount if r.term_saving else None,
                    "currency": r.monthly_saving.currency if r.monthly_saving else None,
                },
            )

    def adoption_rows(self) -> Iterator[Row]:
        adoption = self.payloads[Family.ADOPTION]
        assert isinstance(adoption, AdoptionSummary)
        for g in adoption.groups:
            if g.suppressed:
                yield _ordered(
                    "adoption-by-group", {"group": g.group, "people": g.people, "suppressed": True}
                )
                continue
            for workload, w in g.workloads.items():
                yield _ordered(
                    "adoption-by-group",
                    {
                        "group": g.group,
                        "people": g.people,
                        "suppressed": False,
                        "workload": workload,
                        **w.model_dump(),
                    },
                )

    def productivity_rows(self) -> Iterator[Row]:
        productivity = self.payloads[Family.PRODUCTIVITY]
        assert isinstance(productivity, ProductivitySummary)
        for g in productivity.groups:
            base = {"group": g.group, "active_users": g.active_users, "suppressed": g.suppressed}
            if g.suppressed:
                yield _ordered("productivity-by-group", base)
                continue
            for metric, m in g.metrics.items():
                yield _ordered("productivity-by-group", {**base, "metric": metric, **m.model_dump()})
