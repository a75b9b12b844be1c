"""Detail-list row generators, one per report in `reports.py` (same ids, same columns in the same order).

Rows are produced lazily from the engine's compact in-memory state when the publisher writes them, so a
list of 100k rows never exists as a Python list. Person-level lists carry directory facts and licence
reasons only; productivity figures appear solely as group aggregates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from shared.insights.accounts import ENABLED, GUEST, MFA_KNOWN, MFA_REGISTERED, SYNCED, iso
from shared.insights.assurance import CHECKS, SEVERITY_WEIGHT
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
from shared.insights.rounding import exact, money
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR

if TYPE_CHECKING:
    from shared.insights.engine import _Computation
    from shared.insights.utilisation import Utilisation

Row = dict[str, Any]
STALE_DAYS = 90
# How bad each waste-risk finding is (3 high, 2 medium): an administrator without MFA or unused for 90 days
# is an open door to the directory; the others expose one account.
RISK_SEVERITY = {
    "admin_without_mfa": 3,
    "inactive_admin": 3,
    "disabled_role_holder": 2,
    "stale_guest": 2,
    "no_mfa": 2,
}
SEVERITY_NAME = {3: "high", 2: "medium", 1: "low"}


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
        self.principal: dict[int, str] = {}
        for principal, roles in c.roles.by_principal.items():
            index = self.t.by_id.get(principal)
            if index is not None:
                self.admins[index] = roles
                self.principal[index] = principal
        self.registration = self.status.get("licensed-without-mfa") != "not_applicable"

    def person(self, i: int) -> Row:
        return {
            "user_principal_name": self.t.upn[i],
            "display_name": self.t.name[i],
            "group": self.c.group_name(i),
        }

    def monthly(self, i: int) -> tuple[float | None, str | None]:
        prices = [self.utilisation.unit_cost(sku) for sku, _ in self.t.licences(i)]
        known = [p for p in prices if p is not None]
        if not known:
            return None, None
        return money(sum(exact(p.monthly) for p in known)), known[0].currency

    def reclaimable(self) -> Iterator[Row]:
        for row in self.utilisation.reclaimable_rows(self.skus, self.renewals):
            yield _ordered("reclaimable-licences", row)

    def _risks(self, i: int) -> list[str]:
        flags = self.t.flags[i]
        enabled = bool(flags & ENABLED)
        roles = self.admins.get(i, set())
        no_mfa = self.registration and not flags & MFA_REGISTERED
        risks = []
        if roles and no_mfa:
            risks.append("admin_without_mfa")
        if roles and enabled and self.utilisation.inactive(i, STALE_DAYS):
            risks.append("inactive_admin")
        if roles and not enabled:
            risks.append("disabled_role_holder")
        guests_known = self.status.get("stale-guests") != "not_applicable"
        if enabled and flags & GUEST and guests_known and self.c.stale_guest(i):
            risks.append("stale_guest")
        if not roles and enabled and no_mfa:
            risks.append("no_mfa")
        return risks

    def waste_risk(self) -> Iterator[Row]:
        """Licensed accounts that are also a risk, riskiest first: severity, then a Global Administrator
        before other roles, then more risks, then more money, then by name."""
        ranked: list[tuple[int, int, int, float, str, int]] = []
        for i in range(len(self.t)):
            if self.t.combo[i] < 0:
                continue
            risks = self._risks(i)
            if not risks:
                continue
            severity = max(RISK_SEVERITY[risk] for risk in risks)
            global_admin = GLOBAL_ADMINISTRATOR in self.admins.get(i, set())
            cost, _ = self.monthly(i)
            ranked.append((-severity, -global_admin, -len(risks), -(cost or 0.0), self.t.upn[i].lower(), i))
        ranked.sort()
        for *_, i in ranked:
            flags = self.t.flags[i]
            roles = self.admins.get(i, set())
            risks = self._risks(i)
            cost, currency = self.monthly(i)
            yield _ordered(
                "waste-risk",
                {
                    **self.person(i),
                    "account_enabled": bool(flags & ENABLED),
                    "severity": SEVERITY_NAME[max(RISK_SEVERITY[risk] for risk in risks)],
                    "risks": ";".join(risks),
                    "roles": self._role_names(i) if roles else "",
                    "licences": ";".join(self.utilisation.sku_name(sku) for sku, _ in self.t.licences(i)),
                    "last_activity": self.c.last_activity_iso(i),
                    "mfa_registered": bool(flags & MFA_REGISTERED) if flags & MFA_KNOWN else None,
                    "monthly_cost": cost,
                    "currency": currency,
                },
            )

    def findings(self) -> Iterator[Row]:
        """The accounts behind each failing or warning check: high-severity checks first, each check's
        accounts by name; a check's rows are exactly the accounts its evidence counts."""
        failing = {check for check, s in self.status.items() if s in ("fail", "warn")}
        per_check: dict[str, Callable[[], Iterator[tuple[int, str]]]] = {
            "mfa-registration-coverage": self._members_without_mfa,
            "admins-without-mfa": self._admins_without_mfa,
            "global-admin-count": self._global_admins,
            "global-admin-ratio": self._global_admins,
            "synced-admins": self._synced_admins,
            "stale-enabled-accounts": self._stale_accounts,
            "stale-guests": self._stale_guests,
            "inactive-licensed-admins": self._inactive_admins,
            "licensed-without-mfa": self._licensed_without_mfa,
        }
        for check in sorted(CHECKS, key=lambda c: -SEVERITY_WEIGHT[c.severity]):
            if check.id not in failing or check.id not in per_check:
                continue
            found = sorted(per_check[check.id](), key=lambda x: self.t.upn[x[0]].lower())
            for i, detail in found:
                yield _ordered(
                    "assurance-findings",
                    {
                        "check_id": check.id,
                        "severity": check.severity,
                        "baseline": self.baselines.get(check.id),
                        **self.person(i),
                        "detail": detail,
                    },
                )

    def _role_names(self, i: int) -> str:
        return self.c.roles.describe(self.principal[i])

    def _enabled(self) -> Iterator[int]:
        return (i for i in range(len(self.t)) if self.t.flags[i] & ENABLED)

    def _members_without_mfa(self) -> Iterator[tuple[int, str]]:
        for i in self._enabled():
            if not self.t.flags[i] & (GUEST | MFA_REGISTERED):
                yield i, "enabled member without a registered MFA method"

    def _admins_without_mfa(self) -> Iterator[tuple[int, str]]:
        for i in self.admins:
            if not self.t.flags[i] & MFA_REGISTERED:
                yield i, f"no MFA method registered; roles: {self._role_names(i)}"

    def _global_admins(self) -> Iterator[tuple[int, str]]:
        for i, roles in self.admins.items():
            if GLOBAL_ADMINISTRATOR in roles:
                held = next(n for n in self._role_names(i).split(";") if n.startswith("Global Administrator"))
                yield i, f"holds {held}"

    def _synced_admins(self) -> Iterator[tuple[int, str]]:
        for i in self.admins:
            if self.t.flags[i] & SYNCED:
                yield i, f"synchronised from on-premises; roles: {self._role_names(i)}"

    def _inactive_admins(self) -> Iterator[tuple[int, str]]:
        for i in self.admins:
            if self.t.combo[i] >= 0 and self.utilisation.inactive(i, STALE_DAYS):
                yield i, f"last activity {self.c.last_activity_iso(i) or 'never'}"

    def _stale_accounts(self) -> Iterator[tuple[int, str]]:
        for i in self._enabled():
            if self.c.stale(i):
                yield i, f"last successful sign-in {iso(self.t.signin[i]) or 'never'}"

    def _stale_guests(self) -> Iterator[tuple[int, str]]:
        for i in self._enabled():
            if self.t.flags[i] & GUEST and self.c.stale_guest(i):
                licensed = self.t.combo[i] >= 0
                yield i, f"last successful sign-in {iso(self.t.signin[i]) or 'never'}; licensed: {licensed}"

    def _licensed_without_mfa(self) -> Iterator[tuple[int, str]]:
        for i in self._enabled():
            if self.t.combo[i] >= 0 and not self.t.flags[i] & MFA_REGISTERED:
                yield i, "licensed, no MFA method registered"

    def sku_rows(self) -> Iterator[Row]:
        for s in self.skus:
            if s.free:
                continue  # free SKUs are in the payload's `skus`, never in a list or a sum
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
