"""Planted right-sizing candidates and the licence changes a second run sees, with their ground truth.

With `TenantSpec.rightsizing_plants`, one suite holder in `MAIL_ONLY_EVERY` who uses mail keeps only mail
(every other workload unused), and one apps user in `WEB_ONLY_EVERY` uses the Microsoft 365 apps on the
web and mobile only. With `TenantSpec.second_run` as well, the tenant is the same one a later run sees
(`as_of` moved on; every activity is relative to it, so the same accounts are active): some reclaimable
licences are gone, half the planted mail-only holders moved to Exchange Online (Plan 1), and one SKU's
renewal gave back every seat the first run saw unassigned. With `TenantSpec.sign_in_risk_blocked` off, no
Conditional Access policy uses risk, so the E5 rule applies to every active E5 holder without a privileged
role whom no earlier rule moved.

The truth functions restate each rule from the planted facts (`rightsizing_truth`) and list the planted
changes (`second_run_changes`), independently of `shared.insights.rightsizing` and `.ledger`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from dev.tenant.activity import Activity, Profile, Workload
from dev.tenant.licences import Licence
from dev.tenant.subscriptions import Seats, Status
from dev.tenant.truth import DEFAULT_THRESHOLD, _older, _redundant

if TYPE_CHECKING:
    from dev.tenant.account import Account
    from dev.tenant.tenant import Tenant

MAIL_ONLY_EVERY = 19
WEB_ONLY_EVERY = 23
WINDOW_DAYS = 90
APPS_PERIOD_DAYS = 30  # the apps report's platform columns cover the collected period (D30)
REPORT_LAG_DAYS = 2
MAIL_TARGET = "EXCHANGESTANDARD"
# Each rule's from-SKUs and targets, restated by part number (most capable target first).
SUITES = ("SPE_E5", "SPE_E3", "ENTERPRISEPREMIUM", "ENTERPRISEPACK", "SPB", "O365_BUSINESS_PREMIUM")
MAIL_ONLY_FROM = (*SUITES, "STANDARDPACK")
MAIL_TARGETS = ("EXCHANGESTANDARD", "EXCHANGEDESKLESS")
E5_TARGETS = {"SPE_E5": "SPE_E3", "ENTERPRISEPREMIUM": "ENTERPRISEPACK"}
WEB_TARGETS = {
    **dict.fromkeys(("SPE_E5", "SPE_E3", "ENTERPRISEPREMIUM", "ENTERPRISEPACK"), ("STANDARDPACK",)),
    **dict.fromkeys(("SPB", "O365_BUSINESS_PREMIUM"), ("O365_BUSINESS_ESSENTIALS",)),
}
USED = (Profile.ACTIVE, Profile.OCCASIONAL)


def _suite(tenant: Tenant, licences: tuple[Licence, ...]) -> bool:
    parts = {tenant.catalogue.sku(lic.sku_id).string_id for lic in licences}
    return bool(parts & set(MAIL_ONLY_FROM))


def is_mail_only_plant(tenant: Tenant, index: int, licences: tuple[Licence, ...], activity: Activity) -> bool:
    return (
        tenant.spec.rightsizing_plants
        and index % MAIL_ONLY_EVERY == 2
        and activity.profile in USED
        and Workload.EXCHANGE in activity.workloads
        and _suite(tenant, licences)
    )


def is_web_only_plant(tenant: Tenant, index: int) -> bool:
    return tenant.spec.rightsizing_plants and index % WEB_ONLY_EVERY == 3


def app_platforms(tenant: Tenant, account: Account, used: bool) -> tuple[bool, bool, bool, bool]:
    """(Windows, Mac, Mobile, Web) in the apps report for an account that used the apps in the period."""
    if is_web_only_plant(tenant, account.index):
        return False, False, used, used
    i = account.index
    return used, used and i % 5 == 0, used and i % 3 == 0, used and i % 2 == 0


def plant(tenant: Tenant, account: Account) -> Account:
    """The account with its planted right-sizing facts and, in a second run, its planted licence change."""
    licences, activity = account.licences, account.activity
    mail_only = is_mail_only_plant(tenant, account.index, licences, activity)
    if mail_only:
        activity = replace(activity, workloads={Workload.EXCHANGE: activity.workloads[Workload.EXCHANGE]})
    if tenant.spec.second_run:
        licences = _second_run_licences(tenant, account, mail_only)
    if licences == account.licences and activity is account.activity:
        return account
    return replace(account, licences=licences, workloads=tenant.workloads_of(licences), activity=activity)


def _part(tenant: Tenant, part_number: str) -> str:
    found = tenant.catalogue.by_part_number(part_number)
    if found is None:
        raise KeyError(part_number)
    return found.id


def _gone(account: Account) -> bool:
    """A planted removal: half the disabled holders, a third of the dormant or never-active ones."""
    if account.guest:
        return False
    if not account.enabled:
        return account.index % 2 == 0
    return account.activity.profile in (Profile.DORMANT, Profile.NEVER) and account.index % 3 == 0


def _second_run_licences(tenant: Tenant, account: Account, mail_only: bool) -> tuple[Licence, ...]:
    if _gone(account):
        return ()
    if mail_only and account.index % 2 == 0:
        target = Licence(_part(tenant, MAIL_TARGET))
        kept = tuple(
            lic
            for lic in account.licences
            if tenant.catalogue.sku(lic.sku_id).string_id not in MAIL_ONLY_FROM
        )
        return (target, *kept)
    return account.licences


def second_run_seats(
    first: tuple[Seats, ...], consumed: Mapping[str, int], tenant: Tenant
) -> tuple[Seats, ...]:
    """The first run's subscriptions with this run's consumed units; SKUs held only now get an Enabled
    subscription of exactly their holders, and the SKU `dropped_sku` renewed without its spare seats."""
    dropped = dropped_sku(first)
    seats = []
    for s in first:
        subscriptions = s.subscriptions
        if s.sku.id == dropped:
            head, *rest = subscriptions
            subscriptions = (replace(head, seats=head.seats - (s.enabled - s.consumed)), *rest)
        seats.append(replace(s, consumed=consumed.get(s.sku.id, 0), subscriptions=subscriptions))
    known = {s.sku.id for s in first}
    for sku_id, held in sorted(consumed.items()):
        if sku_id not in known:
            base = next(s for s in first if s.subscriptions)
            head = replace(
                base.subscriptions[0],
                id=f"{sku_id[:24]}{tenant.spec.tenant_id[24:]}",
                sku=tenant.catalogue.sku(sku_id),
                status=Status.ENABLED,
                seats=held,
                trial=False,
            )
            seats.append(Seats(tenant.catalogue.sku(sku_id), held, (head,)))
    return tuple(seats)


def dropped_sku(first: tuple[Seats, ...]) -> str | None:
    """The SKU whose renewal drops seats: a plain one (one Enabled paid subscription) with the most spare."""
    plain = [
        s
        for s in first
        if not s.free
        and len(s.subscriptions) == 1
        and s.subscriptions[0].status is Status.ENABLED
        and not s.subscriptions[0].trial
        and s.enabled > s.consumed
    ]
    return max(plain, key=lambda s: (s.enabled - s.consumed, s.sku.id)).sku.id if plain else None


# -- ground truth -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expected:
    rule: str
    to_sku: str
    saving: float


def _recent(age: int | None, days: int) -> bool:
    return age is not None and age <= days


def _fits(tenant: Tenant, account: Account, rule: str) -> bool:
    act = account.activity
    if rule == "mail_only":
        others = [w for w in act.workloads if w is not Workload.EXCHANGE]
        return _recent(act.workload_age(Workload.EXCHANGE), WINDOW_DAYS) and not any(
            _recent(act.workload_age(w), WINDOW_DAYS) for w in others
        )
    if rule == "web_mobile_only":  # apps used in the report period, on web or mobile only
        age = act.workload_age(Workload.APPS)
        return age is not None and age < APPS_PERIOD_DAYS and is_web_only_plant(tenant, account.index)
    # e5_features_unseen: no privileged role, and no Conditional Access policy uses risk
    return not account.admin and not _risk_policies(tenant)


def _risk_policies(tenant: Tenant) -> bool:
    """Whether an enabled Conditional Access policy uses risk: the typical "Block high-risk sign-ins" one
    unless the spec disables it, or the hardened "Block high-risk users"."""
    return tenant.spec.sign_in_risk_blocked or tenant.policies.user_risk_blocked


def rightsizing_truth(
    tenant: Tenant, prices: Mapping[str, float], threshold: int = DEFAULT_THRESHOLD
) -> dict[tuple[str, str], Expected]:
    """(upn, from sku id) → the expected recommendation, each rule restated from the planted facts (prices
    by part number). Licences the ground truth calls reclaimable are left out: redundant ones, and every
    licence of an account inactive beyond `threshold` days."""
    by_part = {tenant.catalogue.sku(s.sku.id).string_id: s.sku.id for s in tenant.seats}
    price_of = {sku_id: prices[part] for part, sku_id in by_part.items() if part in prices}
    for part in {*MAIL_TARGETS, *E5_TARGETS.values(), *(t for ts in WEB_TARGETS.values() for t in ts)}:
        target = tenant.catalogue.by_part_number(part)
        if target is not None and part in prices:
            price_of[target.id] = prices[part]
    trial_only = {s.sku.id for s in tenant.seats if s.subscriptions and all(x.trial for x in s.subscriptions)}
    found: dict[tuple[str, str], Expected] = {}
    for a in tenant.accounts():
        if not a.licences or not a.enabled or _older(a.activity.last_any(), threshold):
            continue
        held = {lic.sku_id for lic in a.licences}
        redundant = set(_redundant(tenant, a))
        for lic in a.licences:
            part = tenant.catalogue.sku(lic.sku_id).string_id
            price = price_of.get(lic.sku_id)
            if lic.sku_id in redundant or lic.sku_id in trial_only or price is None:
                continue
            for rule, targets in (
                ("mail_only", MAIL_TARGETS if part in MAIL_ONLY_FROM else ()),
                ("web_mobile_only", WEB_TARGETS.get(part, ())),
                ("e5_features_unseen", (E5_TARGETS[part],) if part in E5_TARGETS else ()),
            ):
                if not targets or not _fits(tenant, a, rule):
                    continue
                ids = [tenant.catalogue.by_part_number(t) for t in targets]
                choice = next(
                    (
                        t.id
                        for t in ids
                        if t is not None and t.id not in held and price_of.get(t.id, price) < price
                    ),
                    None,
                )
                if choice is not None:
                    saving = Decimal(str(price)) - Decimal(str(price_of[choice]))
                    found[a.upn, lic.sku_id] = Expected(rule, choice, float(saving))
                    break
    return found


def second_run_changes(first: Tenant, second: Tenant) -> dict[tuple[str, str], str]:
    """(upn, sku id) → `gone` or `replaced`, for every licence of the first run the second no longer has."""
    changes: dict[tuple[str, str], str] = {}
    for a, b in zip(first.accounts(), second.accounts(), strict=True):
        now = {lic.sku_id for lic in b.licences}
        for lic in a.licences:
            if lic.sku_id not in now:
                changes[a.upn, lic.sku_id] = "replaced" if now else "gone"
    return changes
