"""Licence utilisation: seats, blended activity, disabled holders, generic redundancy, waste and renewals.

Definitions (ARCHITECTURE §6; they match `dev/tenant/truth.py`):
- purchased = prepaidUnits.enabled + warning; assigned = consumedUnits;
  unassigned = max(purchased - assigned, 0).
- blended last activity = newest of the successful interactive sign-in, the non-interactive sign-in and any
  workload "Last Activity Date" in the usage reports; inactive at N days when older than N days, or none.
- an assignment is reclaimable when its account is disabled, or enabled but inactive beyond the
  organisation's threshold, or the licence is redundant: SKU B is redundant for an account that also holds
  SKU A when B's enabled billable plans ⊆ A's enabled plans (`Catalogue.redundant`, minus disabledPlans).
- utilisation % = active assignments / purchased seats; monthly waste = (reclaimable + unassigned) × price.
- reclaim before renewal: a SKU's unassigned and reclaimable seats are allotted to its subscriptions in
  renewal order (each up to its seat count); the saving is seats × monthly price (× 12 for the term).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from shared.insights.accounts import ENABLED, GUEST, AccountTable, Combination, iso
from shared.insights.models import (
    InsightWarning,
    Money,
    RenewalReclaim,
    SkuUtilisation,
    UtilisationTotals,
)
from shared.licensing import Catalogue, Sku
from shared.licensing import ServicePlan as CataloguePlan
from shared.snapshot.records import SubscribedSku, Subscription

INACTIVITY_DAYS = (30, 60, 90)
# No-cost SKUs with huge or unlimited seat counts: listed per SKU, kept out of totals, waste and renewals.
FREE_SKU_PARTS = frozenset(
    {
        "POWER_BI_STANDARD",
        "FLOW_FREE",
        "POWERAPPS_VIRAL",
        "POWERAPPS_DEV",
        "TEAMS_EXPLORATORY",
        "TEAMS_FREE",
        "STREAM",
        "WINDOWS_STORE",
        "RIGHTSMANAGEMENT_ADHOC",
        "CCIBOTS_PRIVPREV_VIRAL",
        "MICROSOFT_BUSINESS_CENTER",
        "FORMS_PRO",
    }
)
ActivityBasis = Literal["blended", "sign_in", "reports", "none"]


@dataclass(frozen=True, slots=True)
class PriceInfo:
    currency: str
    monthly: float


def merged_catalogue(base: Catalogue, skus: list[SubscribedSku]) -> Catalogue:
    """The vendored catalogue plus any SKU of the tenant it lacks, built from the tenant's own plans."""
    extra = [
        Sku(
            id=s.sku_id.lower(),
            string_id=s.sku_part_number,
            display_name=s.sku_part_number,
            service_plans=tuple(
                CataloguePlan(id=p.service_plan_id.lower(), name=p.service_plan_name, friendly_name="")
                for p in s.service_plans
            ),
        )
        for s in skus
        if base.by_id(s.sku_id) is None and s.service_plans
    ]
    return Catalogue([*base.skus(), *extra]) if extra else base


@dataclass(slots=True)
class _SkuCounts:
    holders: int = 0
    active: int = 0
    inactive: int = 0
    disabled: int = 0
    redundant: int = 0
    reclaimable: int = 0


@dataclass
class Utilisation:
    """Computes the utilisation family from the account table; also yields the reclaimable detail rows."""

    table: AccountTable
    catalogue: Catalogue
    skus: list[SubscribedSku]
    subscriptions: list[Subscription]
    prices: Mapping[str, PriceInfo]
    threshold_days: int
    reference: int  # as_of ordinal
    basis: ActivityBasis
    _redundancy: dict[int, dict[str, str]] = field(default_factory=dict)

    # -- per-account rules --------------------------------------------------------------------------------

    def redundant_in(self, code: int, held: Combination) -> dict[str, str]:
        """For one licence set: redundant SKU id → the SKU id that makes it redundant."""
        found = self._redundancy.get(code)
        if found is None:
            found = {}
            for b_sku, b_disabled in held:
                for a_sku, a_disabled in held:
                    if a_sku != b_sku and self.catalogue.redundant(a_sku, a_disabled, b_sku, b_disabled):
                        found[b_sku] = a_sku
                        break
            self._redundancy[code] = found
        return found

    def inactive(self, index: int, days: int) -> bool:
        if self.basis == "none":
            return False  # no activity source at all: nothing is called inactive (warned)
        last = self.table.last_activity(index)
        return last == 0 or self.reference - last > days

    def price(self, sku_id: str) -> PriceInfo | None:
        return self.prices.get(sku_id.lower())

    def sku_name(self, sku_id: str) -> str:
        sku = self.catalogue.by_id(sku_id)
        return sku.display_name if sku is not None else sku_id

    def is_free(self, sku: SubscribedSku) -> bool:
        return sku.sku_part_number.upper() in FREE_SKU_PARTS

    # -- the family ---------------------------------------------------------------------------------------

    def compute(
        self,
    ) -> tuple[UtilisationTotals, dict[int, int], dict[str, int], list[SkuUtilisation], list[RenewalReclaim]]:
        per_sku, inactive_at, redundant_by_sku, n = self._count()
        rows, waste = self._sku_rows(per_sku)
        paid = [row for row in rows if not row.free]
        purchased = sum(row.purchased for row in paid)
        totals = UtilisationTotals(
            purchased=purchased,
            assigned=sum(row.assigned for row in paid),
            unassigned=sum(row.unassigned for row in paid),
            licensed_accounts=n["licensed"],
            active_accounts=n["active"],
            inactive_accounts=n["inactive"],
            disabled_licensed=n["disabled_licensed"],
            guests_licensed=n["guests_licensed"],
            redundant_assignments=sum(redundant_by_sku.values()),
            reclaimable_assignments=sum(row.reclaimable for row in paid),
            utilisation_pct=_pct(sum(row.active for row in paid), purchased),
            monthly_waste=[Money(currency=c, amount=round(a, 2)) for c, a in sorted(waste.items())],
        )
        return totals, dict(inactive_at), dict(redundant_by_sku), rows, self._renewals(rows)

    def _count(self) -> tuple[dict[str, _SkuCounts], Counter[int], Counter[str], Counter[str]]:
        t = self.table
        per_sku: defaultdict[str, _SkuCounts] = defaultdict(_SkuCounts)
        inactive_at: Counter[int] = Counter()
        redundant_by_sku: Counter[str] = Counter()
        n: Counter[str] = Counter()
        for i in range(len(t)):
            code = t.combo[i]
            if code < 0:
                continue
            held = t.combinations[code]
            enabled = bool(t.flags[i] & ENABLED)
            n["licensed"] += 1
            n["guests_licensed"] += bool(t.flags[i] & GUEST)
            inactive = False
            if enabled:
                for days in INACTIVITY_DAYS:
                    inactive_at[days] += self.inactive(i, days)
                inactive = self.inactive(i, self.threshold_days)
                n["inactive" if inactive else "active"] += 1
            else:
                n["disabled_licensed"] += 1
            redundant = self.redundant_in(code, held)
            for sku_id, _ in held:
                counts = per_sku[sku_id]
                counts.holders += 1
                if not enabled:
                    counts.disabled += 1
                elif inactive:
                    counts.inactive += 1
                else:
                    counts.active += 1
                if sku_id in redundant:
                    counts.redundant += 1
                    redundant_by_sku[sku_id] += 1
                counts.reclaimable += (not enabled) or inactive or sku_id in redundant
        return per_sku, inactive_at, redundant_by_sku, n

    def _sku_rows(self, per_sku: dict[str, _SkuCounts]) -> tuple[list[SkuUtilisation], dict[str, float]]:
        rows: list[SkuUtilisation] = []
        waste: dict[str, float] = {}
        for sku in sorted(self.skus, key=lambda s: s.sku_part_number):
            counts = per_sku.get(sku.sku_id.lower(), _SkuCounts())
            purchased = sku.prepaid_enabled + sku.prepaid_warning
            unassigned = max(purchased - sku.consumed_units, 0)
            price = self.price(sku.sku_id)
            free = self.is_free(sku)
            sku_waste = None
            if price is not None and not free:
                sku_waste = Money(
                    currency=price.currency,
                    amount=round((counts.reclaimable + unassigned) * price.monthly, 2),
                )
                waste[price.currency] = waste.get(price.currency, 0.0) + sku_waste.amount
            rows.append(
                SkuUtilisation(
                    sku_id=sku.sku_id.lower(),
                    sku_part_number=sku.sku_part_number,
                    name=self.sku_name(sku.sku_id),
                    capability_status=sku.capability_status,
                    free=free,
                    purchased=purchased,
                    assigned=sku.consumed_units,
                    unassigned=unassigned,
                    over_assigned=max(sku.consumed_units - purchased, 0),
                    holders=counts.holders,
                    active=counts.active,
                    inactive=counts.inactive,
                    disabled=counts.disabled,
                    redundant=counts.redundant,
                    reclaimable=counts.reclaimable,
                    utilisation_pct=_pct(counts.active, purchased),
                    monthly_price=Money(currency=price.currency, amount=price.monthly) if price else None,
                    monthly_waste=sku_waste,
                )
            )
        return rows, waste

    def _renewals(self, rows: list[SkuUtilisation]) -> list[RenewalReclaim]:
        spare = {row.sku_id: row.unassigned + row.reclaimable for row in rows if not row.free}
        result: list[RenewalReclaim] = []
        upcoming = sorted(
            (
                s
                for s in self.subscriptions
                if s.next_lifecycle_date_time is not None
                and s.next_lifecycle_date_time.date().toordinal() >= self.reference
                and (s.status or "Enabled") in ("Enabled", "Warning")
            ),
            key=lambda s: (s.next_lifecycle_date_time, s.id),
        )
        for sub in upcoming:
            assert sub.next_lifecycle_date_time is not None
            sku_id = sub.sku_id.lower()
            if sku_id not in spare:
                continue
            seats = sub.total_licenses or 0
            reclaim = min(spare[sku_id], seats) if seats else spare[sku_id]
            spare[sku_id] -= reclaim
            price = self.price(sku_id)
            monthly = (
                Money(currency=price.currency, amount=round(reclaim * price.monthly, 2)) if price else None
            )
            renewal = sub.next_lifecycle_date_time.date()
            result.append(
                RenewalReclaim(
                    subscription_id=sub.id,
                    sku_id=sku_id,
                    name=self.sku_name(sku_id),
                    renewal_date=renewal,
                    days_to_renewal=renewal.toordinal() - self.reference,
                    is_trial=bool(sub.is_trial),
                    seats=seats,
                    reclaimable_seats=reclaim,
                    monthly_saving=monthly,
                    term_saving=Money(currency=monthly.currency, amount=round(monthly.amount * 12, 2))
                    if monthly
                    else None,
                )
            )
        return result

    def warnings(self, rows: list[SkuUtilisation]) -> list[InsightWarning]:
        found = []
        for row in rows:
            if not row.free and row.monthly_price is None and (row.unassigned or row.reclaimable):
                found.append(
                    InsightWarning(
                        code=f"price_missing:{row.sku_id}",
                        message=f"No monthly price is set for {row.name} ({row.sku_part_number}); its waste "
                        "is counted in seats but not in money. Set it under metadata › prices.",
                    )
                )
        return found

    # -- detail list --------------------------------------------------------------------------------------

    def reclaimable_rows(self, renewals: list[RenewalReclaim]) -> Iterator[dict[str, Any]]:
        """Every reclaimable licence: one row per (account, SKU) with all its reasons."""
        t = self.table
        next_renewal: dict[str, date] = {}
        for r in renewals:
            next_renewal.setdefault(r.sku_id, r.renewal_date)
        free = {s.sku_id.lower() for s in self.skus if self.is_free(s)}
        for i in range(len(t)):
            code = t.combo[i]
            if code < 0:
                continue
            held = t.combinations[code]
            enabled = bool(t.flags[i] & ENABLED)
            inactive = enabled and self.inactive(i, self.threshold_days)
            redundant = self.redundant_in(code, held)
            last = t.last_activity(i)
            for sku_id, _ in held:
                reasons = [
                    reason
                    for reason, applies in (
                        ("disabled", not enabled),
                        ("inactive", inactive),
                        ("redundant", sku_id in redundant),
                    )
                    if applies
                ]
                if not reasons:
                    continue
                price = None if sku_id in free else self.price(sku_id)
                renewal = next_renewal.get(sku_id)
                yield {
                    "user_principal_name": t.upn[i],
                    "display_name": t.name[i],
                    "group": t.groups[t.group[i]] if t.group[i] >= 0 else None,
                    "account_enabled": enabled,
                    "sku_id": sku_id,
                    "sku_name": self.sku_name(sku_id),
                    "reason": reasons[0],
                    "reasons": ";".join(reasons),
                    "redundant_with": self.sku_name(redundant[sku_id]) if sku_id in redundant else None,
                    "last_activity": iso(last),
                    "days_inactive": self.reference - last if last else None,
                    "monthly_cost": price.monthly if price else None,
                    "currency": price.currency if price else None,
                    "next_renewal": renewal.isoformat() if renewal else None,
                }


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
