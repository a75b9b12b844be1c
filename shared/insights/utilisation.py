"""Licence utilisation: seats, activity, disabled holders, redundancy, waste, subscriptions' next events.

Definitions (the README's "Utilisation" table says the same in words; `dev/tenant/truth.py` agrees):
- seats by subscription status (`USABLE_STATUSES`): only Enabled and Warning seats can be used and cost
  money. purchased = prepaidUnits.enabled + warning; assigned = consumedUnits; unassigned = max(purchased −
  assigned, 0); over-assigned = max(assigned − purchased, 0): licences no usable seat backs (e.g. left on
  a Suspended subscription), which give no access and cost nothing. A SKU whose capabilityStatus is
  Deleted and that nobody holds is gone: not listed. Free SKUs (`shared.licensing.rules.is_free`) are
  listed but left out of every total, the waste, the subscriptions' events and the lists.
- last activity = newest of lastSuccessfulSignInDateTime (successful, interactive or not) and any workload
  "Last Activity Date" in the usage reports; a sign-in's age counts from as_of, a report's from its own
  refresh date. Inactive at N days when older than N days, or none.
- holders split into disabled, inactive, active and — for an add-on without a usage signal in Graph — no
  usage signal (an active account says nothing about its Copilot or Visio seat).
- reclaimable = distinct assignments that are disabled, inactive or redundant (`Catalogue.redundant`).
- trial seats (usable trial subscriptions) cost nothing today, and neither does removing an over-assigned
  licence: waste seats = max(reclaimable + unassigned − trial seats − over-assigned, 0) and monthly waste
  = waste seats × price, to the penny (half-up).
- subscriptions: an Enabled paid one renews on nextLifecycleDateTime and gets the SKU's waste seats in date
  order (each up to its seats; saving = seats × price, × 12 for the term); a Warning one has expired and
  lapses (is suspended) on that date; an Enabled trial ends on it. Suspended, LockedOut and Deleted ones
  have no event. Microsoft: learn.microsoft.com/graph/api/resources/companysubscription,
  .../resources/licenseunitsdetail and .../resources/cloudlicensing-subscription.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from shared.insights.accounts import ENABLED, GUEST, AccountTable, Combination, LicencePath, iso
from shared.insights.copilot import COPILOT_INACTIVE, CopilotSeats, is_copilot
from shared.insights.models import (
    InsightWarning,
    LifecycleEvent,
    Money,
    RenewalReclaim,
    SkuUtilisation,
    UtilisationTotals,
)
from shared.insights.rounding import money, pct, times
from shared.licensing import Catalogue, Sku
from shared.licensing import ServicePlan as CataloguePlan
from shared.licensing.rules import UsageSignal, is_free, usage_signal
from shared.snapshot.records import SubscribedSku, Subscription

INACTIVITY_DAYS = (30, 60, 90)
# What each companySubscription status is worth. Enabled: in date. Warning: expired, in its grace period,
# still usable until it is suspended. Suspended: units that "can't be assigned" (licenseUnitsDetail) and
# licences from which "no longer provide benefits", like LockedOut ones (cloudLicensing subscription
# state): nobody can use or be given them, so they are neither seats in use nor spare seats to give back.
# Deleted: gone. So only these seats are purchased, unassigned, waste or trial seats, and only these
# subscriptions have a next event.
USABLE_STATUSES = ("Enabled", "Warning")
GONE = "Deleted"  # a subscribedSku capabilityStatus: no unit left in any status
TERM_MONTHS = 12
UNASSIGNED = "unassigned"
# The order a reader acts on reasons in, for one price: a disabled account's licence goes first (nobody
# uses it), then a redundant one (the account keeps the product), then an inactive one (ask first).
# An unused Copilot seat of an active account comes after them: the person works, so ask them first.
REASON_ORDER = {"disabled": 0, "redundant": 1, "inactive": 2, COPILOT_INACTIVE: 3, UNASSIGNED: 4}
# Why removing a reclaimable licence saves nothing, as its action says.
TRIAL_SEAT = "a trial seat: no saving until the trial would convert"
NO_USABLE_SEAT = (
    "no usable seat backs it: more licences are assigned than Enabled or Warning seats, so removing it "
    "saves nothing"
)
ActivityBasis = Literal["blended", "sign_in", "reports", "none"]


def usable_seats(sku: SubscribedSku) -> int:
    """The SKU's seats holders can use: prepaidUnits of Enabled and Warning subscriptions."""
    return sku.prepaid_enabled + sku.prepaid_warning


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
    no_signal: int = 0
    disabled: int = 0
    redundant: int = 0
    reclaimable: int = 0


@dataclass(frozen=True, slots=True)
class _SkuFacts:
    """What the tenant's SKU data and the organisation's prices say about one SKU."""

    free: bool
    signal: UsageSignal
    trial_seats: int


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
    group_names: Mapping[str, str] = field(default_factory=dict)  # licensing group id → display name
    # Each Copilot holder's newest Copilot use, when the Copilot usage report could be joined to accounts.
    copilot: CopilotSeats | None = None
    _redundancy: dict[int, dict[str, str]] = field(default_factory=dict)
    _facts: dict[str, _SkuFacts] = field(default_factory=dict)
    copilot_skus: frozenset[str] = frozenset()  # SKUs carrying a Microsoft 365 Copilot plan

    def __post_init__(self) -> None:
        trial: Counter[str] = Counter()
        for sub in self.subscriptions:
            if sub.is_trial and (sub.status or "Enabled") in USABLE_STATUSES:
                trial[sub.sku_id.lower()] += sub.total_licenses or 0
        for sku in self.skus:
            sku_id = sku.sku_id.lower()
            known = self.catalogue.by_id(sku_id)
            plans = [p.service_plan_name for p in sku.service_plans] or (
                [p.name for p in known.service_plans] if known else []
            )
            price = self.prices.get(sku_id)
            copilot = is_copilot(plans)
            self._facts[sku_id] = _SkuFacts(
                free=is_free(self.sku_name(sku_id), plans, price.monthly if price else None),
                # The Copilot usage report measures a Copilot seat's own use.
                signal="activity" if copilot and self.copilot is not None else usage_signal(plans),
                trial_seats=trial[sku_id],
            )
            if copilot:
                self.copilot_skus |= {sku_id}

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
        last = self.table.activity_clock(index)
        return last == 0 or self.reference - last > days

    def days_inactive(self, index: int) -> int | None:
        last = self.table.activity_clock(index)
        return self.reference - last if last else None

    def copilot_idle(self, index: int, sku_id: str) -> bool:
        """A Copilot licence whose holder has not used Copilot within the threshold (when measured)."""
        return self.copilot is not None and sku_id in self.copilot_skus and self.copilot.idle(index)

    def price(self, sku_id: str) -> PriceInfo | None:
        """The organisation's configured price (shown as the SKU's price)."""
        return self.prices.get(sku_id.lower())

    def unit_cost(self, sku_id: str) -> PriceInfo | None:
        """What one more held licence costs a month: nothing for a free SKU or one without a paid usable
        seat (held on trial only, or left on Suspended or LockedOut seats)."""
        facts = self._facts.get(sku_id.lower())
        if facts is not None and (facts.free or self._no_paid_seat(sku_id.lower())):
            return None
        return self.price(sku_id)

    def unit_prices(self, sku_ids: frozenset[str]) -> dict[str, Money | None]:
        """What one more held licence of each SKU costs a month (`unit_cost`: nothing on trial seats), as
        money; None where no price is set."""
        found: dict[str, Money | None] = {}
        for sku_id in sku_ids:
            price, cost = self.price(sku_id), self.unit_cost(sku_id)
            found[sku_id] = (
                Money(currency=price.currency, amount=cost.monthly if cost else 0.0) if price else None
            )
        return found

    def _no_paid_seat(self, sku_id: str) -> bool:
        sku = next((s for s in self.skus if s.sku_id.lower() == sku_id), None)
        purchased = usable_seats(sku) if sku else 0
        return self._facts[sku_id].trial_seats >= purchased

    def is_free(self, sku_id: str) -> bool:
        facts = self._facts.get(sku_id.lower())
        return facts.free if facts is not None else False

    def sku_name(self, sku_id: str) -> str:
        sku = self.catalogue.by_id(sku_id)
        return sku.display_name if sku is not None else sku_id

    # -- the family ---------------------------------------------------------------------------------------

    def compute(
        self,
    ) -> tuple[UtilisationTotals, dict[int, int], dict[str, int], list[SkuUtilisation], list[RenewalReclaim]]:
        per_sku, inactive_at, redundant_by_sku, n = self._count()
        rows = self._sku_rows(per_sku)
        paid = [row for row in rows if not row.free]
        measured = [row for row in paid if row.usage_signal == "activity"]
        waste: dict[str, float] = {}
        for row in paid:
            if row.monthly_waste is not None:
                currency = row.monthly_waste.currency
                waste[currency] = money(waste.get(currency, 0.0) + row.monthly_waste.amount)
        totals = UtilisationTotals(
            purchased=sum(row.purchased for row in paid),
            assigned=sum(row.assigned for row in paid),
            unassigned=sum(row.unassigned for row in paid),
            licensed_accounts=n["licensed"],
            active_accounts=n["active"],
            inactive_accounts=n["inactive"],
            disabled_licensed=n["disabled_licensed"],
            guests_licensed=n["guests_licensed"],
            redundant_assignments=sum(row.redundant for row in paid),
            reclaimable_assignments=sum(row.reclaimable for row in paid),
            no_signal_assignments=sum(row.no_signal for row in paid),
            waste_seats=sum(row.waste_seats for row in paid),
            utilisation_pct=pct(
                sum(_seats_in_use(row.active, row.purchased) for row in measured),
                sum(row.purchased for row in measured),
            ),
            monthly_waste=[Money(currency=c, amount=a) for c, a in sorted(waste.items())],
        )
        return totals, dict(inactive_at), dict(redundant_by_sku), rows, self._events(rows)

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
                # For a Copilot seat, "inactive" is also an active account that does not use Copilot.
                idle = enabled and not inactive and self.copilot_idle(i, sku_id)
                if not enabled:
                    counts.disabled += 1
                elif inactive or idle:
                    counts.inactive += 1
                elif self.signal(sku_id) == "none":
                    counts.no_signal += 1
                else:
                    counts.active += 1
                if sku_id in redundant:
                    counts.redundant += 1
                    redundant_by_sku[sku_id] += 1
                counts.reclaimable += (not enabled) or inactive or idle or sku_id in redundant
        return per_sku, inactive_at, redundant_by_sku, n

    def signal(self, sku_id: str) -> UsageSignal:
        facts = self._facts.get(sku_id)
        return facts.signal if facts is not None else "activity"

    def _sku_rows(self, per_sku: dict[str, _SkuCounts]) -> list[SkuUtilisation]:
        rows: list[SkuUtilisation] = []
        for sku in sorted(self.skus, key=lambda s: s.sku_part_number):
            sku_id = sku.sku_id.lower()
            facts = self._facts[sku_id]
            counts = per_sku.get(sku_id, _SkuCounts())
            if sku.capability_status == GONE and not (sku.consumed_units or counts.holders):
                continue
            purchased = usable_seats(sku)
            unassigned = max(purchased - sku.consumed_units, 0)
            over_assigned = max(sku.consumed_units - purchased, 0)
            price = self.price(sku_id)
            unpaid = facts.trial_seats + over_assigned
            waste_seats = 0 if facts.free else max(counts.reclaimable + unassigned - unpaid, 0)
            rows.append(
                SkuUtilisation(
                    sku_id=sku_id,
                    sku_part_number=sku.sku_part_number,
                    name=self.sku_name(sku_id),
                    capability_status=sku.capability_status,
                    free=facts.free,
                    usage_signal=facts.signal,
                    purchased=purchased,
                    assigned=sku.consumed_units,
                    unassigned=unassigned,
                    over_assigned=over_assigned,
                    trial_seats=facts.trial_seats,
                    holders=counts.holders,
                    active=counts.active,
                    inactive=counts.inactive,
                    no_signal=counts.no_signal,
                    disabled=counts.disabled,
                    redundant=counts.redundant,
                    reclaimable=counts.reclaimable,
                    waste_seats=waste_seats,
                    utilisation_pct=pct(_seats_in_use(counts.active, purchased), purchased)
                    if facts.signal == "activity"
                    else None,
                    monthly_price=Money(currency=price.currency, amount=price.monthly) if price else None,
                    monthly_waste=Money(currency=price.currency, amount=times(waste_seats, price.monthly))
                    if price is not None and not facts.free
                    else None,
                )
            )
        return rows

    def _events(self, rows: list[SkuUtilisation]) -> list[RenewalReclaim]:
        """Every live subscription's next lifecycle event, soonest first; renewals get the waste seats."""
        by_sku = {row.sku_id: row for row in rows if not row.free}
        spare = {sku_id: row.waste_seats for sku_id, row in by_sku.items()}
        upcoming = sorted(
            (
                s
                for s in self.subscriptions
                if s.next_lifecycle_date_time is not None
                and s.next_lifecycle_date_time.date().toordinal() >= self.reference
                and (s.status or "Enabled") in USABLE_STATUSES
                and s.sku_id.lower() in by_sku
            ),
            key=lambda s: (s.next_lifecycle_date_time, s.id),
        )
        result: list[RenewalReclaim] = []
        for sub in upcoming:
            assert sub.next_lifecycle_date_time is not None
            sku_id = sub.sku_id.lower()
            status = sub.status or "Enabled"
            seats = sub.total_licenses or 0
            when = sub.next_lifecycle_date_time.date()
            event: LifecycleEvent = (
                "expiry" if status == "Warning" else "trial_end" if sub.is_trial else "renewal"
            )
            reclaim = 0
            monthly = None
            if event == "renewal":
                reclaim = min(spare[sku_id], seats) if seats else spare[sku_id]
                spare[sku_id] -= reclaim
                price = self.price(sku_id)
                if price is not None:
                    monthly = Money(currency=price.currency, amount=times(reclaim, price.monthly))
            result.append(
                RenewalReclaim(
                    subscription_id=sub.id,
                    sku_id=sku_id,
                    name=self.sku_name(sku_id),
                    status=status,
                    event=event,
                    event_date=when,
                    days_to_event=when.toordinal() - self.reference,
                    is_trial=bool(sub.is_trial),
                    seats=seats,
                    reclaimable_seats=reclaim,
                    monthly_saving=monthly,
                    term_saving=Money(currency=monthly.currency, amount=money(monthly.amount * TERM_MONTHS))
                    if monthly
                    else None,
                    action=_action(event, seats, reclaim, when, by_sku[sku_id]),
                )
            )
        return result

    def warnings(self, rows: list[SkuUtilisation]) -> list[InsightWarning]:
        found = []
        for row in rows:
            if not row.free and row.monthly_price is None and row.waste_seats:
                found.append(
                    InsightWarning(
                        code=f"price_missing:{row.sku_id}",
                        message=f"No monthly price is set for {row.name} ({row.sku_part_number}); its waste "
                        "is counted in seats but not in money. Set it under metadata › prices.",
                    )
                )
        return found

    # -- detail list --------------------------------------------------------------------------------------

    def reclaimable_rows(
        self, rows: list[SkuUtilisation], events: list[RenewalReclaim]
    ) -> Iterator[dict[str, Any]]:
        """Every reclaimable licence of a paid SKU (one row per account and SKU, with all its reasons) and
        one row per SKU for its unassigned seats, most money first; Σ monthly_cost = the monthly waste."""
        t = self.table
        by_sku = {row.sku_id: row for row in rows if not row.free}
        next_renewal: dict[str, date] = {}
        for e in events:
            if e.event == "renewal":
                next_renewal.setdefault(e.sku_id, e.event_date)
        # Per SKU, in action order (disabled, redundant, inactive; the longest inactive first), the last
        # assignments save nothing when removed: first those beyond its usable seats (over-assigned), then
        # those its trial seats cover once they have covered its unassigned seats.
        per_sku: defaultdict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for i in range(len(t)):
            code = t.combo[i]
            if code < 0:
                continue
            for sku_id, reasons in self._reasons(i, code):
                if sku_id in by_sku:
                    per_sku[sku_id].append(
                        (REASON_ORDER[reasons[0]], _longest_first(self._days(i, reasons[0])), i)
                    )
        # (−cost per seat, reason, days, account index or −1 for the unassigned seats, sku, why it is free)
        order: list[tuple[float, int, int, int, str, str | None]] = []
        for sku_id, row in by_sku.items():
            price = self.price(sku_id)
            monthly = price.monthly if price else 0.0
            if row.unassigned:
                priced = max(row.unassigned - row.trial_seats, 0)
                cost = times(priced, monthly) / row.unassigned  # per seat, as the row shows it
                order.append((-cost, REASON_ORDER[UNASSIGNED], 0, -1, sku_id, None))
            unbacked = min(row.over_assigned, row.reclaimable)
            on_trial = min(max(row.trial_seats - row.unassigned, 0), row.reclaimable - unbacked)
            paid = row.reclaimable - unbacked - on_trial
            for n, (reason, days, i) in enumerate(sorted(per_sku[sku_id])):
                free = None if n < paid else NO_USABLE_SEAT if n < paid + unbacked else TRIAL_SEAT
                order.append((0.0 if free else -times(1, monthly), reason, days, i, sku_id, free))
        order.sort()
        for *_, i, sku_id, free in order:
            row = by_sku[sku_id]
            price = self.price(sku_id)
            if i < 0:
                priced = max(row.unassigned - row.trial_seats, 0)
                yield self._unassigned_row(row, row.unassigned, priced, price, next_renewal.get(sku_id))
            else:
                yield self._assignment_row(i, sku_id, free, price, next_renewal.get(sku_id))

    def _days(self, i: int, reason: str) -> int | None:
        """Days since the last activity the reason is about: Copilot's own for `copilot_inactive`."""
        if reason == COPILOT_INACTIVE and self.copilot is not None:
            return self.copilot.days_since(i)
        return self.days_inactive(i)

    def _reasons(self, i: int, code: int) -> Iterator[tuple[str, list[str]]]:
        t = self.table
        held = t.combinations[code]
        enabled = bool(t.flags[i] & ENABLED)
        inactive = enabled and self.inactive(i, self.threshold_days)
        redundant = self.redundant_in(code, held)
        for sku_id, _ in held:
            reasons = [
                reason
                for reason, applies in (
                    ("disabled", not enabled),
                    ("redundant", sku_id in redundant),
                    ("inactive", inactive),
                    (COPILOT_INACTIVE, enabled and not inactive and self.copilot_idle(i, sku_id)),
                )
                if applies
            ]
            if reasons:
                yield sku_id, reasons

    def _unassigned_row(
        self, row: SkuUtilisation, seats: int, priced: int, price: PriceInfo | None, renewal: date | None
    ) -> dict[str, Any]:
        return {
            "sku_id": row.sku_id,
            "sku_name": row.name,
            "reason": UNASSIGNED,
            "reasons": UNASSIGNED,
            "seats": seats,
            "monthly_cost": times(priced, price.monthly) if price else None,
            "currency": price.currency if price else None,
            "next_renewal": renewal.isoformat() if renewal else None,
            "action": f"Reduce the seat count by {seats} at the next renewal"
            + (f" ({renewal.isoformat()})" if renewal else "")
            + (f"; {seats - priced} of them are trial seats" if priced < seats else ""),
        }

    def _assignment_row(
        self, i: int, sku_id: str, free: str | None, price: PriceInfo | None, renewal: date | None
    ) -> dict[str, Any]:
        """`free`: why removing it saves nothing (None: it saves the SKU's price)."""
        t = self.table
        code = t.combo[i]
        reasons = next(r for s, r in self._reasons(i, code) if s == sku_id)
        redundant = self.redundant_in(code, t.combinations[code])
        enabled = bool(t.flags[i] & ENABLED)
        path = t.path(i, sku_id)
        names = [self.group_names.get(g, g) for g in path.groups]
        copilot = reasons[0] == COPILOT_INACTIVE and self.copilot is not None
        last = self.copilot.last_date(i) if copilot and self.copilot is not None else t.last_activity(i)
        action = _remove_action(
            reasons[0], self.sku_name(redundant[sku_id]) if sku_id in redundant else None, path, names
        )
        if copilot:
            action += f": no Copilot use in {self.threshold_days} days"
        return {
            "user_principal_name": t.upn[i],
            "user_id": t.ids[i],
            "display_name": t.name[i],
            "group": t.groups[t.group[i]] if t.group[i] >= 0 else None,
            "account_enabled": enabled,
            "sku_id": sku_id,
            "sku_name": self.sku_name(sku_id),
            "reason": reasons[0],
            "reasons": ";".join(reasons),
            "redundant_with": self.sku_name(redundant[sku_id]) if sku_id in redundant else None,
            "last_activity": iso(last),
            "days_inactive": self._days(i, reasons[0]),
            "seats": 1,
            "monthly_cost": times(0 if free else 1, price.monthly) if price else None,
            "currency": price.currency if price else None,
            "next_renewal": renewal.isoformat() if renewal else None,
            "assignment": _assignment(path),
            "group_ids": ";".join(path.groups) or None,
            "group_names": ";".join(names) or None,
            "action": action + (f" ({free})" if free else ""),
        }


def _seats_in_use(active: int, purchased: int) -> int:
    """Usable seats really used: active holders, but never more than the usable seats (holders beyond
    them are over-assigned, on seats that give no access)."""
    return min(active, purchased)


def _longest_first(days: int | None) -> int:
    """Sort key: never active before any number of days, then the most days inactive."""
    return -(10**6 if days is None else days)


def _assignment(path: LicencePath) -> str:
    if not path.groups:
        return "direct"
    return "direct and group" if path.direct else "group"


def _remove_action(reason: str, covered_by: str | None, path: LicencePath, groups: list[str]) -> str:
    """What to do, by how the licence reached the account. A licence inherited from a group stays as long
    as the account is in the group: Graph refuses to remove it from the user ("User license is inherited
    from a group membership and it cannot be removed directly from the user"; group-based licensing:
    learn.microsoft.com/entra/fundamentals/concept-group-based-licensing)."""
    named = ", ".join(groups)
    if not path.groups:
        remove = "remove the licence"
    elif path.direct:
        remove = f"unassign the direct licence and remove the account from group {named}"
    else:
        remove = f"remove the account from group {named} (the licence is inherited from it)"
    if reason == "disabled":
        return f"{remove[0].upper()}{remove[1:]}: the account is disabled"
    if reason == "redundant":
        return f"{remove[0].upper()}{remove[1:]}: {covered_by} already includes it"
    return f"Confirm with the person or their manager, then {remove}"


def _action(event: LifecycleEvent, seats: int, reclaim: int, when: date, row: SkuUtilisation) -> str:
    day = when.isoformat()
    if event == "expiry":
        return (
            f"These {seats} seats have expired and lapse on {day}: renew only the seats in use "
            f"({row.holders - row.disabled} held by enabled accounts), or move their holders first"
        )
    if event == "trial_end":
        return (
            f"The trial of {seats} seats ends on {day}; they cost nothing until then. Buy only the seats "
            "that are used"
        )
    if reclaim:
        return f"Renew {seats - reclaim} of {seats} seats on {day}: {reclaim} are unused or reclaimable"
    return f"Renews on {day} with all {seats} seats in use"
