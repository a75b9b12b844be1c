"""Commercial subscriptions in every lifecycle status, and the seat counts `/subscribedSkus` derives.

Microsoft's statuses (companySubscription `status`,
learn.microsoft.com/graph/api/resources/companysubscription; prepaidUnits, .../resources/licenseunitsdetail;
what each means for the holders, the beta cloudLicensing subscription state,
.../resources/cloudlicensing-subscription; the admin-centre stages Active > Expired > Disabled > Deleted,
learn.microsoft.com/microsoft-365/commerce/subscriptions/what-if-my-subscription-expires):
- Enabled: active and in date; `nextLifecycleDateTime` is its renewal (or a trial's end).
- Warning ("Expired"): past its end date, in its grace period; still usable; suspended on that date unless
  renewed.
- Suspended ("Disabled"): canceled or past the grace period; its units cannot be assigned and licences
  assigned from them no longer give access; it can be reactivated until it is deleted.
- LockedOut: locked out or deprovisioned; licences from it give no access.
- Deleted: gone; it adds no unit to `prepaidUnits`.

`prepaidUnits` holds the units of every subscription of the SKU by status; a subscription's units are all
in one status. `capabilityStatus` is Enabled when at least one unit is enabled (subscribedSku resource
page); otherwise, by our reading, the SKU takes the status of the units it still has (Warning, then
Suspended, then LockedOut), and Deleted when it has none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dev.tenant.entropy import Draw
from dev.tenant.spec import TenantSpec
from shared.licensing import Catalogue, Sku

FREE_VIRAL_SKU = "POWER_BI_STANDARD"  # "Microsoft Fabric (Free)": a huge self-service allowance
TRIAL_SKU = "Microsoft_365_Copilot"
VIRAL_ALLOWANCE = 1_000_000
# SKUs nobody in the tenant holds, kept in one status each: a lapsed Entra ID P2 purchase, a locked-out
# EMS E3, a deleted Project Online Premium.
UNHELD = (("AAD_PREMIUM_P2", 20, "Suspended"), ("EMS", 15, "LockedOut"), ("PROJECTPREMIUM", 10, "Deleted"))


class Status(StrEnum):
    ENABLED = "Enabled"
    WARNING = "Warning"
    SUSPENDED = "Suspended"
    LOCKED_OUT = "LockedOut"
    DELETED = "Deleted"


# The order in which a SKU without enabled units takes its status from the units it still has.
_CAPABILITY_ORDER = (Status.ENABLED, Status.WARNING, Status.SUSPENDED, Status.LOCKED_OUT)


@dataclass(frozen=True, slots=True)
class CompanySubscription:
    id: str
    sku: Sku
    status: Status
    seats: int  # totalLicenses
    trial: bool
    next_lifecycle: date  # nextLifecycleDateTime: when it moves to its next status unless renewed


@dataclass(frozen=True, slots=True)
class Seats:
    """A subscribedSku: the SKU's consumed units and its subscriptions' units by status."""

    sku: Sku
    consumed: int
    subscriptions: tuple[CompanySubscription, ...]
    free: bool = False  # planted as a free self-service SKU

    def units(self, status: Status) -> int:
        return sum(s.seats for s in self.subscriptions if s.status is status)

    @property
    def enabled(self) -> int:
        return self.units(Status.ENABLED)

    @property
    def warning(self) -> int:
        return self.units(Status.WARNING)

    @property
    def capability_status(self) -> Status:
        return next((s for s in _CAPABILITY_ORDER if self.units(s)), Status.DELETED)


def _subscription_id(spec: TenantSpec, sku: Sku, n: int) -> str:
    if n == 0:
        return f"{sku.id[:24]}{spec.tenant_id[24:]}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{spec.tenant_id}/{sku.id}/{n}"))


def _seats(spec: TenantSpec, sku: Sku, consumed: int, plan: Iterable[tuple[Status, int, date]]) -> Seats:
    trial = sku.string_id == TRIAL_SKU and spec.copilot_trial
    subscriptions = tuple(
        CompanySubscription(_subscription_id(spec, sku, n), sku, status, seats, trial, when)
        for n, (status, seats, when) in enumerate(plan)
    )
    return Seats(sku, consumed, subscriptions, free=sku.string_id == FREE_VIRAL_SKU)


def plant_seats(spec: TenantSpec, catalogue: Catalogue, consumed: Mapping[str, int]) -> tuple[Seats, ...]:
    """Subscriptions for every SKU the accounts hold, then for the SKUs nobody holds.

    Held SKUs, by position in skuId order: mostly one Enabled subscription with some spare seats; the
    free SKU with its viral allowance; and one SKU in each lifecycle status beside it —
    1: 5 of its seats expired (Warning) beside an Enabled subscription that no longer covers every holder;
    2: a Suspended subscription whose 6 licences were never taken back: 4 holders have no usable seat;
    3: every seat expired (Warning), so the SKU's capabilityStatus is Warning;
    4: a LockedOut subscription beside the Enabled one; 5: a Deleted one beside the Enabled one.
    """
    day = spec.as_of
    planted = []
    for position, (sku_id, held) in enumerate(sorted(consumed.items())):
        draw = Draw(spec.seed, "seats", position)
        sku = catalogue.sku(sku_id)
        if sku.string_id == FREE_VIRAL_SKU:
            enabled = VIRAL_ALLOWANCE
        elif position == 1:
            enabled = max(held - 3, 0)
        else:
            enabled = held + int(held * draw.fraction() * 0.25) + draw.between(0, 5)
        renewal = day + timedelta(days=draw.between(5, 360))
        if position == 2:
            enabled = max(held - 4, 0)
        plan = [(Status.ENABLED, enabled, renewal)]
        if position == 1:
            plan.append((Status.WARNING, 5, day + timedelta(days=draw.between(1, 30))))
        elif position == 2:
            plan.append((Status.SUSPENDED, 6, day + timedelta(days=draw.between(30, 90))))
        elif position == 3:
            plan = [(Status.WARNING, enabled, day + timedelta(days=draw.between(1, 30)))]
        elif position == 4:
            plan.append((Status.LOCKED_OUT, draw.between(2, 9), day + timedelta(days=draw.between(30, 90))))
        elif position == 5:
            plan.append((Status.DELETED, draw.between(2, 9), day - timedelta(days=draw.between(1, 60))))
        planted.append(_seats(spec, sku, held, plan))
    for part, seats, status in UNHELD:
        found = catalogue.by_part_number(part)
        if found is None or found.id in consumed:
            continue
        when = day - timedelta(days=20) if status == Status.DELETED else day + timedelta(days=45)
        planted.append(_seats(spec, found, 0, [(Status(status), seats, when)]))
    return tuple(planted)
