"""The realised-savings ledger: what a run listed as reclaimable or right-sizable and a later run found done.

When a run is computed, the run published for the newest earlier day (the previous run) is compared with
it, streaming the previous run's detail lists (never a whole tenant in memory; this run's licences are
looked up in its account table):

- `reclaimed` — a licence the previous run listed in `reclaimable-licences` (any reason) at a cost is no
  longer held: the account lost it or is gone. Realised: the listed monthly cost.
- `rightsized` — a licence the previous run listed in `rightsizing-recommendations` is no longer held (it
  was replaced by the recommended SKU, or removed). Realised: the listed monthly saving.
- `seats_dropped` — a SKU's usable seats fell (at a renewal) while the previous run listed unassigned
  seats of it. Realised: the dropped seats, at most the priced unassigned seats listed, less the seats
  that licences reclaimed or right-sized earlier freed and that no drop has absorbed yet (`pool`): those
  seats were already counted when their licence went. (A freed seat later given to someone else stays in
  the pool, so the ledger errs low, never high.)

Accounts are matched between the runs by their directory object id (the lists' `user_id`), never by user
principal name: a renamed account keeps its id, so its licences are still held, not realised.

Every amount is one the previous run listed, so the realised total never exceeds what was listed. The
entries are rows of the run that realised them (`ledger|<as_of>|<run_id>|...` in the `insights` table):
recomputing a day publishes a new run whose pointer replaces the old one, and readers count only the runs
the day pointers name, so a recompute overwrites rather than adds; retention, export and offboarding
treat them as the run's rows. Readers also count one listing once (kind, listed day, account, SKU), so a
day computed late between two others cannot count an entry twice. Nothing is realised when this run's or
the previous run's user list is incomplete (an absent account would look reclaimed).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from shared.insights.models import Family, Money, PublishedRun, SkuUtilisation, UtilisationSummary
from shared.insights.reports import REPORTS_BY_ID
from shared.insights.rounding import exact, money, times
from shared.snapshot import Dataset
from shared.storage import TablePartition, compose_key

if TYPE_CHECKING:
    from shared.insights.engine import ComputedRun
    from shared.insights.store import InsightStore

LEDGER = "ledger"
LEDGER_LIST = "realised-savings"
RECLAIMABLE_LIST = "reclaimable-licences"
RIGHTSIZING_LIST = "rightsizing-recommendations"
POOL = "~pool"  # the run's freed-but-undropped seats per SKU (sorts after every entry)
Kind = Literal["reclaimed", "rightsized", "seats_dropped"]
Row = dict[str, Any]
Holdings = Callable[[str], frozenset[str] | None]  # directory object id → SKU ids held (None: no account)


@dataclass(frozen=True, slots=True)
class Previous:
    """What the ledger reads of the previous run: its identity, its SKU rows, its lists (streamed) and the
    pool of freed seats it carried."""

    run: PublishedRun
    skus: list[SkuUtilisation]
    reclaimable: Callable[[], Iterator[Row]]
    rightsizing: Callable[[], Iterator[Row]]
    pool: Mapping[str, int]
    complete: bool  # its user list was collected completely


def realise(
    previous: Previous, holdings: Holdings, skus: list[SkuUtilisation], as_of: date
) -> tuple[list[Row], dict[str, int]]:
    """The entries this run realises against `previous`, and the pool of freed seats it carries on."""
    listed_on = previous.run.as_of.isoformat()
    entries: list[Row] = []
    pool: Counter[str] = Counter(previous.pool)
    unassigned: dict[str, Row] = {}
    for row in previous.reclaimable():
        if row.get("reason") == "unassigned":
            unassigned[str(row["sku_id"])] = row
            continue
        cost = row.get("monthly_cost")
        held = holdings(str(row["user_id"]))
        if cost and (held is None or row["sku_id"] not in held):
            entries.append(_entry("reclaimed", row, listed_on, as_of, amount=cost, reason=row.get("reason")))
            pool[str(row["sku_id"])] += 1
    for row in previous.rightsizing():
        held = holdings(str(row["user_id"]))
        if held is None or row["sku_id"] not in held:
            to_sku = row.get("to_sku_id")
            reason = "replaced" if held is not None and to_sku in held else "removed"
            entries.append(
                _entry("rightsized", row, listed_on, as_of, amount=row["monthly_saving"], reason=reason)
            )
            pool[str(row["sku_id"])] += 1
    now = {s.sku_id: s for s in skus}
    for before in previous.skus:
        after = now.get(before.sku_id)
        dropped = before.purchased - (after.purchased if after else 0)
        listing = unassigned.get(before.sku_id)
        price = before.monthly_price
        if dropped <= 0 or listing is None or price is None or not price.amount:
            continue
        priced = round(exact(listing.get("monthly_cost") or 0) / exact(price.amount))
        absorbed = min(dropped, pool[before.sku_id])
        pool[before.sku_id] -= absorbed
        seats = min(dropped - absorbed, priced)
        if seats > 0:
            entries.append(
                {
                    **_entry("seats_dropped", listing, listed_on, as_of, amount=times(seats, price.amount)),
                    "seats": seats,
                    "reason": f"{before.purchased} → {after.purchased if after else 0} seats",
                }
            )
    return entries, {sku: n for sku, n in sorted(pool.items()) if n > 0}


def _entry(
    kind: Kind, row: Mapping[str, Any], listed_on: str, as_of: date, *, amount: Any, **extra: Any
) -> Row:
    return {
        "kind": kind,
        "realised_on": as_of.isoformat(),
        "listed_on": listed_on,
        "user_principal_name": row.get("user_principal_name"),
        "user_id": row.get("user_id"),
        "display_name": row.get("display_name"),
        "sku_id": row.get("sku_id"),
        "sku_name": row.get("sku_name"),
        "to_sku_id": row.get("to_sku_id"),
        "seats": 1,
        "monthly_amount": money(amount),
        "currency": row.get("currency"),
        **extra,
    }


def ordered(row: Mapping[str, Any]) -> Row:
    return {name: row.get(name) for name in REPORTS_BY_ID[LEDGER_LIST].column_names()}


def entry_key(entry: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """One listing: realised once, whichever run realised it."""
    return (
        str(entry["kind"]),
        str(entry["listed_on"]),
        str(entry.get("user_id") or ""),
        str(entry["sku_id"]),
    )


class SavingsMonth(BaseModel):
    month: str  # YYYY-MM
    potential: Money | None  # what the month's last published run listed a month: waste + right-sizing
    realised: Money | None  # Σ monthly amounts realised in the month
    entries: int


class SavingsLedger(BaseModel):
    start: date
    end: date
    currency: str | None  # None: no priced entry or prices in several currencies
    months: list[SavingsMonth]
    realised_total: Money | None  # Σ realised monthly amounts in the range: the monthly run-rate saved
    potential_now: Money | None  # the newest run's listed monthly potential
    entries: int
    by_kind: dict[str, float]


class LedgerStore:
    """The ledger rows in one organisation's `insights` partition (rows of the run that realised them)."""

    def __init__(self, table: TablePartition) -> None:
        self._table = table

    @staticmethod
    def _prefix(as_of: date, run_id: str) -> str:
        return compose_key(LEDGER, as_of.isoformat(), run_id, "")

    def write(self, as_of: date, run_id: str, entries: Iterable[Row], pool: Mapping[str, int]) -> None:
        rows = [
            (compose_key(LEDGER, as_of.isoformat(), run_id, f"{n:06d}"), {"e": json.dumps(entry)})
            for n, entry in enumerate(entries)
        ]
        rows.append((compose_key(LEDGER, as_of.isoformat(), run_id, POOL), {"p": json.dumps(dict(pool))}))
        self._table.upsert_many(rows)

    def entries(self, run: PublishedRun) -> Iterator[Row]:
        for entity in self._table.query(prefix=self._prefix(run.as_of, run.run_id)):
            if "e" in entity.properties:
                yield json.loads(entity.properties["e"])

    def pool(self, run: PublishedRun) -> dict[str, int]:
        for entity in self._table.query(prefix=compose_key(LEDGER, run.as_of.isoformat(), run.run_id, POOL)):
            return {str(k): int(v) for k, v in json.loads(entity.properties["p"]).items()}
        return {}


def potential(summary: UtilisationSummary) -> Money | None:
    """What a run lists a month: its monthly waste plus its right-sizing savings (one currency only)."""
    amounts: defaultdict[str, Fraction] = defaultdict(Fraction)
    for m in summary.totals.monthly_waste:
        amounts[m.currency] += exact(m.amount)
    for move in summary.rightsizing:
        amounts[move.monthly_saving.currency] += exact(move.monthly_saving.amount)
    if len(amounts) != 1:
        return None
    currency, amount = next(iter(amounts.items()))
    return Money(currency=currency, amount=money(amount))


def ledger(
    runs: list[PublishedRun],
    entries_of: Callable[[PublishedRun], Iterator[Row]],
    summary_of: Callable[[PublishedRun], UtilisationSummary | None],
    start: date,
    end: date,
) -> SavingsLedger:
    """The ledger over the published runs `runs` (oldest first, one per day): realised per month, each
    listing once, and each month's potential from its last run."""
    seen: set[tuple[str, str, str, str]] = set()
    realised: defaultdict[str, defaultdict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    counts: Counter[str] = Counter()
    by_kind: defaultdict[str, Fraction] = defaultdict(Fraction)
    currencies: set[str] = set()
    last_of_month: dict[str, PublishedRun] = {}
    for run in runs:
        last_of_month[run.as_of.strftime("%Y-%m")] = run
        for entry in entries_of(run):
            key = entry_key(entry)
            if key in seen:
                continue
            seen.add(key)
            month = str(entry["realised_on"])[:7]
            currency = str(entry.get("currency") or "")
            realised[month][currency] += exact(entry["monthly_amount"])
            by_kind[str(entry["kind"])] += exact(entry["monthly_amount"])
            counts[month] += 1
            currencies.add(currency)
    single = next(iter(currencies)) if len(currencies) == 1 else None
    potentials = {month: summary_of(run) for month, run in last_of_month.items()}
    months = []
    for month in sorted(set(realised) | set(potentials)):
        summary = potentials.get(month)
        amounts: Mapping[str, Fraction] = realised.get(month, {})
        months.append(
            SavingsMonth(
                month=month,
                potential=potential(summary) if summary is not None else None,
                realised=Money(currency=single, amount=money(sum(amounts.values(), Fraction())))
                if single is not None and amounts
                else None,
                entries=counts[month],
            )
        )
    total = sum((a for m in realised.values() for a in m.values()), Fraction())
    newest = summary_of(runs[-1]) if runs else None
    return SavingsLedger(
        start=start,
        end=end,
        currency=single,
        months=months,
        realised_total=Money(currency=single, amount=money(total)) if single is not None else None,
        potential_now=potential(newest) if newest is not None else None,
        entries=len(seen),
        by_kind={kind: money(amount) for kind, amount in sorted(by_kind.items())},
    )


def _users_complete(summary: UtilisationSummary) -> bool:
    return any(s.dataset == Dataset.USERS.value and s.status == "complete" for s in summary.sources)


def record_savings(run: ComputedRun, store: InsightStore) -> None:
    """Write the run's ledger rows against the previous published run, and its `realised-savings` list."""
    entries: list[Row] = []
    pool: dict[str, int] = {}
    published = store.published_before(run.as_of)
    summary = store.summary_of(Family.UTILISATION, published) if published is not None else None
    if published is not None and isinstance(summary, UtilisationSummary):
        previous = Previous(
            run=published,
            skus=summary.skus,
            reclaimable=lambda: store.iter_report(RECLAIMABLE_LIST, published.as_of) or iter(()),
            rightsizing=lambda: store.iter_report(RIGHTSIZING_LIST, published.as_of) or iter(()),
            pool=store.ledger().pool(published),
            complete=_users_complete(summary),
        )
        if previous.complete and run.users_complete:
            entries, pool = realise(previous, run.licences_of, run.utilisation.skus, run.as_of)
        else:
            pool = dict(previous.pool)
    store.ledger().write(run.as_of, run.run_id, entries, pool)
    run.lists[LEDGER_LIST] = lambda: (ordered(entry) for entry in entries)


__all__ = ["LedgerStore", "Previous", "SavingsLedger", "ledger", "realise", "record_savings"]
