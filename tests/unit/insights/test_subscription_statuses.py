"""What a subscription in each lifecycle status counts for, on one hand-built snapshot (issue 11).

Microsoft: companySubscription `status` is Enabled, Warning, Suspended, LockedOut or Deleted
(learn.microsoft.com/graph/api/resources/companysubscription); Warning units are expired but in their grace
period, suspended units "can't be assigned", locked-out ones belong to a canceled subscription
(.../resources/licenseunitsdetail), and licences assigned from a suspended or locked-out subscription "no
longer provide benefits" (.../resources/cloudlicensing-subscription). So only Enabled and Warning seats are
purchased, unassigned or waste; licences beyond them cost nothing to remove; only Enabled and Warning
subscriptions have a next event; a Deleted SKU nobody holds is gone.

The tenant (as_of 2026-03-02, prices per month):
- Microsoft 365 E3 (£33): 10 Enabled seats renewing in 60 days, 4 Suspended, 3 LockedOut and a Deleted
  subscription of 5; 5 holders, one inactive and one disabled.
- Microsoft 365 E5 (£54.75): only a Suspended subscription of 5; 3 holders left on it (one inactive, one
  disabled): capabilityStatus Suspended.
- Office 365 E3 (£19): 2 Enabled seats renewing in 20 days and 3 Suspended; 4 holders, one disabled and two
  inactive (90 and 60 days).
- Copilot (£24.60): 4 paid Enabled seats renewing in 90 days and a Suspended trial of 5; 3 holders.
- Visio Plan 2 (£11.30): only 3 expired (Warning) seats, suspended in 12 days; 2 holders.
- EMS E3 (£9): only a LockedOut subscription of 15, nobody holds it.
- Project Online Premium: only a Deleted subscription, nobody holds it: capabilityStatus Deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pytest
from pydantic import BaseModel

from shared.insights.engine import ComputedRun, ComputeSettings
from shared.insights.models import SkuUtilisation, UtilisationSummary
from shared.insights.utilisation import PriceInfo
from shared.snapshot import Dataset
from tests.unit.insights.test_definitions import COPILOT, GBP, VISIO, subscription, utilisation
from tests.unit.insights.test_formulas import E3, E5, O365_E3, run, sign_in, sku, user

EMS = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"  # EMS, Enterprise Mobility + Security E3
PROJECT_PREMIUM = "09015f9f-377f-4538-bbb5-f75ceb09358a"  # PROJECTPREMIUM, Project Online Premium
PRICES = {
    E3: PriceInfo(GBP, 33.0),
    E5: PriceInfo(GBP, 54.75),
    O365_E3: PriceInfo(GBP, 19.0),
    COPILOT: PriceInfo(GBP, 24.6),
    VISIO: PriceInfo(GBP, 11.3),
    EMS: PriceInfo(GBP, 9.0),
    PROJECT_PREMIUM: PriceInfo(GBP, 25.0),
}


def every_status() -> dict[Dataset, Sequence[BaseModel]]:
    holders = {
        "e3a": ((E3,), 1, True),
        "e3b": ((E3,), 40, True),
        "e3c": ((E3,), 1, False),
        "e3d": ((E3,), 2, True),
        "e3e": ((E3,), 3, True),
        "x1": ((E5,), 1, True),
        "x2": ((E5,), 45, True),
        "x3": ((E5,), 1, False),
        "o1": ((O365_E3,), 1, True),
        "o2": ((O365_E3,), 60, True),
        "o3": ((O365_E3,), 1, False),
        "o4": ((O365_E3,), 90, True),
        "c1": ((COPILOT,), 1, True),
        "c2": ((COPILOT,), 2, True),
        "c3": ((COPILOT,), 3, True),
        "v1": ((VISIO,), 1, True),
        "v2": ((VISIO,), 2, True),
    }
    return {
        Dataset.USERS: [user(name, held, enabled=enabled) for name, (held, _, enabled) in holders.items()],
        Dataset.SIGN_IN_ACTIVITY: [sign_in(name, successful=days) for name, (_, days, _) in holders.items()],
        Dataset.SUBSCRIBED_SKUS: [
            sku(E3, "SPE_E3", enabled=10, suspended=4, locked_out=3, consumed=5),
            sku(E5, "SPE_E5", enabled=0, suspended=5, consumed=3, capability="Suspended"),
            sku(O365_E3, "ENTERPRISEPACK", enabled=2, suspended=3, consumed=4),
            sku(COPILOT, "Microsoft_365_Copilot", enabled=4, suspended=5, consumed=3),
            sku(VISIO, "VISIOCLIENT", enabled=0, warning=3, consumed=2, capability="Warning"),
            sku(EMS, "EMS", enabled=0, locked_out=15, consumed=0, capability="LockedOut"),
            sku(PROJECT_PREMIUM, "PROJECTPREMIUM", enabled=0, consumed=0, capability="Deleted"),
        ],
        Dataset.SUBSCRIPTIONS: [
            subscription("s-e3", E3, "Enabled", 10, 60),
            subscription("s-e3-suspended", E3, "Suspended", 4, 50),
            subscription("s-e3-locked", E3, "LockedOut", 3, 40),
            subscription("s-e3-deleted", E3, "Deleted", 5, 10),
            subscription("s-e5", E5, "Suspended", 5, 30),
            subscription("s-o365", O365_E3, "Enabled", 2, 20),
            subscription("s-o365-suspended", O365_E3, "Suspended", 3, 70),
            subscription("s-copilot", COPILOT, "Enabled", 4, 90),
            subscription("s-copilot-trial", COPILOT, "Suspended", 5, 15, trial=True),
            subscription("s-visio", VISIO, "Warning", 3, 12),
            subscription("s-ems", EMS, "LockedOut", 15, 45),
            subscription("s-project", PROJECT_PREMIUM, "Deleted", 10, -20),
        ],
    }


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> ComputedRun:
    return run(tmp_path_factory.mktemp("statuses"), every_status(), ComputeSettings(prices=PRICES))


@pytest.fixture(scope="module")
def u(computed: ComputedRun) -> UtilisationSummary:
    return utilisation(computed)


def _row(u: UtilisationSummary, sku_id: str) -> SkuUtilisation:
    return next(row for row in u.skus if row.sku_id == sku_id)


def _seats(row: SkuUtilisation) -> tuple[str, int, int, int, int, int, int]:
    return (
        row.capability_status,
        row.purchased,
        row.unassigned,
        row.over_assigned,
        row.trial_seats,
        row.reclaimable,
        row.waste_seats,
    )


def test_only_enabled_and_warning_seats_are_purchased_unassigned_or_waste(u: UtilisationSummary) -> None:
    # (capabilityStatus, purchased, unassigned, over-assigned, trial, reclaimable, waste seats)
    assert _seats(_row(u, E3)) == ("Enabled", 10, 5, 0, 0, 2, 7)  # suspended 4, locked out 3: neither
    assert _seats(_row(u, VISIO)) == ("Warning", 3, 1, 0, 0, 0, 1)  # expired seats are still paid for
    assert _seats(_row(u, EMS)) == ("LockedOut", 0, 0, 0, 0, 0, 0)
    # A suspended trial gives no free seats: Copilot's spare paid seat is waste.
    assert _seats(_row(u, COPILOT)) == ("Enabled", 4, 1, 0, 0, 0, 1)
    assert (u.totals.purchased, u.totals.unassigned, u.totals.waste_seats) == (19, 7, 10)


def test_licences_left_on_suspended_seats_cost_nothing_to_remove(u: UtilisationSummary) -> None:
    # Every E5 licence sits on a suspended seat: 3 over-assigned, 2 of them reclaimable, no money.
    e5 = _row(u, E5)
    assert _seats(e5) == ("Suspended", 0, 0, 3, 0, 2, 0)
    assert e5.monthly_waste is not None and e5.monthly_waste.amount == 0.0
    assert e5.utilisation_pct is None  # no usable seat to use
    # Office 365 E3: 4 holders on 2 usable seats; removing the first 2 of its 3 reclaimable licences
    # only brings it back within its seats, the third frees a paid one: max(3 + 0 − 0 − 2, 0) = 1.
    o365 = _row(u, O365_E3)
    assert _seats(o365) == ("Enabled", 2, 0, 2, 0, 3, 1)
    assert o365.monthly_waste is not None and o365.monthly_waste.amount == 19.0
    # 7 × 33 + 0 + 1 × 19 + 1 × 24.6 + 1 × 11.3
    assert [(m.currency, m.amount) for m in u.totals.monthly_waste] == [(GBP, 285.9)]


def test_a_deleted_sku_nobody_holds_is_gone(u: UtilisationSummary, computed: ComputedRun) -> None:
    assert PROJECT_PREMIUM not in {row.sku_id for row in u.skus}
    assert PROJECT_PREMIUM not in {row["sku_id"] for row in computed.lists["sku-utilisation"]()}
    assert EMS in {row["sku_id"] for row in computed.lists["sku-utilisation"]()}  # locked out: still there


def test_only_enabled_and_warning_subscriptions_have_a_next_event(u: UtilisationSummary) -> None:
    events = {e.subscription_id: (e.event, e.reclaimable_seats, e.monthly_saving) for e in u.renewals}
    saving = {sub: None if money is None else money.amount for sub, (_, _, money) in events.items()}
    assert {sub: (event, seats) for sub, (event, seats, _) in events.items()} == {
        "s-o365": ("renewal", 1),
        "s-visio": ("expiry", 0),
        "s-e3": ("renewal", 7),
        "s-copilot": ("renewal", 1),
    }
    assert saving == {"s-o365": 19.0, "s-visio": None, "s-e3": 231.0, "s-copilot": 24.6}
    assert [e.subscription_id for e in u.renewals] == ["s-visio", "s-o365", "s-e3", "s-copilot"]


def test_the_reclaimable_list_prices_only_licences_that_free_a_paid_seat(computed: ComputedRun) -> None:
    rows = list(computed.lists["reclaimable-licences"]())
    cost: defaultdict[str, float] = defaultdict(float)
    for row in rows:
        cost[row["sku_id"]] += row["monthly_cost"] or 0.0
    assert round(sum(cost.values()), 2) == 285.9
    assert {E5: 0.0, O365_E3: 19.0}.items() <= {k: round(v, 2) for k, v in cost.items()}.items()
    office = [
        (row["user_principal_name"], row["monthly_cost"], "no usable seat" in row["action"])
        for row in rows
        if row["sku_id"] == O365_E3
    ]
    # Disabled first, then the longest inactive: the first frees the paid seat, the other two only end
    # the over-assignment.
    assert office == [
        ("o3@t.example", 19.0, False),
        ("o4@t.example", 0.0, True),
        ("o2@t.example", 0.0, True),
    ]
    suspended_e5 = [
        (row["monthly_cost"], "no usable seat" in row["action"]) for row in rows if row["sku_id"] == E5
    ]
    assert suspended_e5 == [(0.0, True), (0.0, True)]
