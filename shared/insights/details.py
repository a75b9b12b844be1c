"""Detail-list row generators, one per report in `reports.py` (same ids, same columns in the same order).

Rows are produced lazily from the engine's compact in-memory state when the publisher writes them, so a
list of 100k rows never exists as a Python list. Person-level lists carry directory facts and licence
reasons only; productivity figures appear solely as group aggregates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.insights.acceptance import InForce
from shared.insights.accounts import ENABLED, MFA_KNOWN, MFA_REGISTERED
from shared.insights.assurance import Assessed, findings
from shared.insights.models import (
    AdoptionSummary,
    ProductivitySummary,
    RenewalReclaim,
    SkuUtilisation,
)
from shared.insights.reports import REPORTS_BY_ID
from shared.insights.rounding import money
from shared.insights.state import TenantState

Row = dict[str, Any]


# A waste-risk finding is an offender of one of these checks (the same predicate that counts it), named and
# weighted by how bad it is (3 high, 2 medium): an administrator without MFA or unused for 90 days is an open
# door to the directory; the others expose one account. A risk is not listed when the more specific one
# named after it applies to the same account.
@dataclass(frozen=True, slots=True)
class Risk:
    name: str
    check_id: str
    severity: int
    unless: str | None = None


RISKS = (
    Risk("admin_without_mfa", "admins-without-mfa", 3),
    Risk("inactive_admin", "inactive-licensed-admins", 3, unless="disabled_role_holder"),
    Risk("disabled_role_holder", "disabled-role-holders", 2),
    Risk("stale_guest", "stale-guests", 2),
    Risk("no_mfa", "licensed-without-mfa", 2, unless="admin_without_mfa"),
)
SEVERITY_NAME = {3: "high", 2: "medium", 1: "low"}


def _ordered(report_id: str, row: Mapping[str, Any]) -> Row:
    """The row with exactly the catalogue's columns, in its order (a drift fails loudly in tests)."""
    return {name: row.get(name) for name in REPORTS_BY_ID[report_id].column_names()}


def detail_lists(
    state: TenantState,
    assessed: Sequence[Assessed],
    acceptances: InForce,
    *,
    skus: list[SkuUtilisation],
    renewals: list[RenewalReclaim],
    adoption: AdoptionSummary,
    productivity: ProductivitySummary,
) -> dict[str, Callable[[], Iterator[Row]]]:
    lists = _Lists(
        state,
        assessed,
        acceptances,
        skus=skus,
        renewals=renewals,
        adoption=adoption,
        productivity=productivity,
    )
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
        state: TenantState,
        assessed: Sequence[Assessed],
        acceptances: InForce,
        *,
        skus: list[SkuUtilisation],
        renewals: list[RenewalReclaim],
        adoption: AdoptionSummary,
        productivity: ProductivitySummary,
    ) -> None:
        self.state, self.t, self.utilisation = state, state.table, state.utilisation
        self.assessed = assessed
        self.acceptances = acceptances
        self.skus, self.renewals = skus, renewals
        self.adoption, self.productivity = adoption, productivity

    def reclaimable(self) -> Iterator[Row]:
        for row in self.utilisation.reclaimable_rows(self.skus, self.renewals):
            yield _ordered("reclaimable-licences", row)

    def _risks(self) -> dict[int, list[str]]:
        """Licensed accounts → their risks, from the offenders of the checks in `RISKS`."""
        offenders = {a.result.id: a.offenders for a in self.assessed}
        by_account: dict[int, set[str]] = {}
        for risk in RISKS:
            for subject in offenders.get(risk.check_id, ()):
                index = self.state.index_of(subject)
                if index is not None and self.state.licensed(index):
                    by_account.setdefault(index, set()).add(risk.name)
        return {
            i: [r.name for r in RISKS if r.name in names and (r.unless is None or r.unless not in names)]
            for i, names in by_account.items()
        }

    def waste_risk(self) -> Iterator[Row]:
        """Licensed accounts that are also a risk, riskiest first: severity, then a Global Administrator
        before other roles, then more risks, then more money, then by name."""
        severity_of = {r.name: r.severity for r in RISKS}
        ranked: list[tuple[int, int, int, float, str, int, list[str]]] = []
        for i, risks in self._risks().items():
            severity = max(severity_of[risk] for risk in risks)
            holder = self.state.holder_of.get(i)
            cost = self.state.monthly_cost(i)
            amount = money(cost.amount) if cost else None
            ranked.append(
                (
                    -severity,
                    -bool(holder and holder.global_admin),
                    -len(risks),
                    -(amount or 0.0),
                    self.t.upn[i].lower(),
                    i,
                    risks,
                )
            )
        ranked.sort(key=lambda row: row[:6])
        for severity, _, _, _, _, i, risks in ranked:
            flags = self.t.flags[i]
            holder = self.state.holder_of.get(i)
            cost = self.state.monthly_cost(i)
            yield _ordered(
                "waste-risk",
                {
                    **self.state.person(i),
                    "account_enabled": bool(flags & ENABLED),
                    "severity": SEVERITY_NAME[-severity],
                    "risks": ";".join(risks),
                    "roles": self.state.role_names(holder) if holder else "",
                    "licences": ";".join(self.utilisation.sku_name(sku) for sku, _ in self.t.licences(i)),
                    "last_activity": self.state.last_activity_iso(i),
                    "mfa_registered": bool(flags & MFA_REGISTERED) if flags & MFA_KNOWN else None,
                    "monthly_cost": money(cost.amount) if cost else None,
                    "currency": cost.currency if cost else None,
                },
            )

    def findings(self) -> Iterator[Row]:
        """The offenders of each failing or warning per-account check, from the pass that counted them;
        each `open`, or `accepted` with the acceptance that covers it."""
        for result, subject, detail in findings(self.state, self.assessed):
            subject_id = self.state.subject_id(subject)
            acceptance = self.acceptances.of_finding(result.id, subject_id)
            yield _ordered(
                "assurance-findings",
                {
                    "check_id": result.id,
                    "severity": result.severity,
                    "baseline": result.baseline,
                    **self.state.person(subject),
                    "detail": detail,
                    "subject_id": subject_id,
                    "status": "accepted" if acceptance else "open",
                    "acceptance_id": acceptance.acceptance_id if acceptance else None,
                },
            )

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
        for g in self.adoption.groups:
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
        for g in self.productivity.groups:
            base = {"group": g.group, "active_users": g.active_users, "suppressed": g.suppressed}
            if g.suppressed:
                yield _ordered("productivity-by-group", base)
                continue
            for metric, m in g.metrics.items():
                yield _ordered("productivity-by-group", {**base, "metric": metric, **m.model_dump()})
