"""Every report reconciles with the headline it explains, on the demo tenant and every ground-truth tenant.

Rows and totals of each list equal the payload's figures (counts and money, per SKU and in total); every
group breakdown adds up to its total; every list is in the order its reader acts on: most money first,
soonest event first, riskiest account first, high-severity checks first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import pytest

from dev.run import DEMO_PRICES_GBP
from shared.insights.adoption import COMBINED_GROUP
from shared.insights.engine import ComputedRun, ComputeSettings
from shared.insights.models import AdoptionSummary, AssuranceSummary, Family, UtilisationSummary
from shared.insights.rounding import money, times
from shared.insights.utilisation import REASON_ORDER, PriceInfo
from shared.licensing import load_catalogue
from tests.unit.insights.conftest import Build
from tests.unit.insights.test_ground_truth import CASES

DEMO = (1, 2000, {})  # what `make run` serves: seed 1, 2,000 accounts
PRICES = {
    found.id: PriceInfo("GBP", monthly)
    for part, monthly in DEMO_PRICES_GBP.items()
    if (found := load_catalogue().by_part_number(part)) is not None
}
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}


@dataclass
class Computed:
    """One tenant's run, its utilisation payload and its lists, read once per module."""

    result: ComputedRun
    u: UtilisationSummary
    lists: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module", params=[DEMO, *CASES], ids=lambda c: f"seed{c[0]}-{c[1]}")
def computed(request: pytest.FixtureRequest, build: Build) -> Computed:
    seed, accounts, spec = request.param
    result = build(seed, accounts, **spec).compute(ComputeSettings(prices=PRICES))
    u = result.payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    return Computed(result, u, {name: list(rows()) for name, rows in result.lists.items()})


def test_sku_report_adds_up_to_the_totals(computed: Computed) -> None:
    u, lists = computed.u, computed.lists
    rows = lists["sku-utilisation"]
    paid = {row.sku_id: row for row in u.skus if not row.free}
    assert {row["sku_id"] for row in rows} == set(paid)  # free SKUs are in no list
    totals = {
        "purchased": u.totals.purchased,
        "assigned": u.totals.assigned,
        "unassigned": u.totals.unassigned,
        "reclaimable": u.totals.reclaimable_assignments,
        "redundant": u.totals.redundant_assignments,
        "waste_seats": u.totals.waste_seats,
    }
    for field, total in totals.items():
        assert sum(row[field] for row in rows) == total, field
    for row in rows:
        price = PRICES.get(row["sku_id"])
        expected = times(row["waste_seats"], price.monthly) if price else None
        assert row["monthly_waste"] == expected, row["sku_id"]
    assert [m.amount for m in u.totals.monthly_waste] == [
        money(sum(row["monthly_waste"] or 0 for row in rows))
    ]


def test_reclaimable_list_explains_the_waste_per_sku_and_in_total(computed: Computed) -> None:
    u, lists = computed.u, computed.lists
    rows = lists["reclaimable-licences"]
    assignments: Counter[str] = Counter()
    unassigned: Counter[str] = Counter()
    cost: defaultdict[str, float] = defaultdict(float)
    for row in rows:
        if row["reason"] == "unassigned":
            unassigned[row["sku_id"]] += row["seats"]
        else:
            assert row["seats"] == 1
            assignments[row["sku_id"]] += 1
        cost[row["sku_id"]] = money(cost[row["sku_id"]] + (row["monthly_cost"] or 0))
    for sku in u.skus:
        if sku.free:
            assert sku.sku_id not in assignments and sku.sku_id not in unassigned
            continue
        assert assignments[sku.sku_id] == sku.reclaimable, sku.sku_part_number
        assert unassigned[sku.sku_id] == sku.unassigned, sku.sku_part_number
        if sku.monthly_waste is not None:
            assert cost[sku.sku_id] == sku.monthly_waste.amount, sku.sku_part_number
    assert sum(assignments.values()) == u.totals.reclaimable_assignments
    assert [money(sum(cost.values()))] == [m.amount for m in u.totals.monthly_waste]
    # most money per seat first, then disabled before redundant before inactive, longest inactive first
    keys = [
        (
            -(row["monthly_cost"] or 0) / row["seats"],
            REASON_ORDER[row["reason"]],
            -(10**6 if row["days_inactive"] is None else row["days_inactive"]),  # never active first
        )
        for row in rows
        if row["monthly_cost"] is not None
    ]
    assert keys == sorted(keys)


def test_subscription_events_reconcile_with_the_waste(computed: Computed) -> None:
    u, lists = computed.u, computed.lists
    events = lists["renewal-reclaim"]
    assert [e["event_date"] for e in events] == sorted(e["event_date"] for e in events)  # soonest first
    allotted: Counter[str] = Counter()
    for e in events:
        if e["event"] != "renewal":
            assert (e["reclaimable_seats"], e["monthly_saving"], e["term_saving"]) == (0, None, None)
            continue
        allotted[e["sku_id"]] += e["reclaimable_seats"]
        price = PRICES.get(e["sku_id"])
        assert e["monthly_saving"] == (times(e["reclaimable_seats"], price.monthly) if price else None)
    for sku in u.skus:
        assert allotted[sku.sku_id] <= sku.waste_seats, sku.sku_part_number
    assert len(events) == len(u.renewals)


def test_group_breakdown_adds_up_to_each_workload_total(computed: Computed) -> None:
    result = computed.result
    a = result.payloads[Family.ADOPTION]
    assert isinstance(a, AdoptionSummary)
    if not a.groups_available:
        return
    shown = [g for g in a.groups if not g.suppressed]
    hidden = sum(g.people for g in a.groups if g.suppressed)
    assert hidden == 0 or any(g.group == COMBINED_GROUP for g in shown)
    for w in a.workloads:
        assert sum(g.workloads[w.workload].licensed for g in shown if w.workload in g.workloads) == w.licensed
        assert (
            sum(g.workloads[w.workload].active_30 for g in shown if w.workload in g.workloads) == w.active_30
        )


def test_findings_name_exactly_the_accounts_each_check_counts(computed: Computed) -> None:
    result, lists = computed.result, computed.lists
    s = result.payloads[Family.ASSURANCE]
    assert isinstance(s, AssuranceSummary)
    checks = {c.id: c for c in s.checks}
    listed = Counter(row["check_id"] for row in lists["assurance-findings"])
    counted = {
        "mfa-registration-coverage": lambda e: e["enabled_members"] - e["registered_enabled_members"],
        "stale-enabled-accounts": lambda e: e["stale_enabled_90"],
        "stale-guests": lambda e: e["stale_guests"],
        "licensed-without-mfa": lambda e: e["licensed_without_mfa"],
        "inactive-licensed-admins": lambda e: e["inactive_licensed_admins_90"],
    }
    for check_id, count in counted.items():
        check = checks[check_id]
        if check.status in ("fail", "warn"):
            assert listed[check_id] == count(check.evidence), check_id
        else:
            assert listed[check_id] == 0, check_id
    severities = [SEVERITY_RANK[row["severity"]] for row in lists["assurance-findings"]]
    assert severities == sorted(severities, reverse=True)


def test_waste_risk_is_riskiest_first(computed: Computed) -> None:
    lists = computed.lists
    rows = lists["waste-risk"]
    severities = [SEVERITY_RANK[row["severity"]] for row in rows]
    assert severities == sorted(severities, reverse=True)
    # within a severity, Global Administrators come first
    for severity in set(severities):
        band = [row for row in rows if SEVERITY_RANK[row["severity"]] == severity]
        not_global_admin = [int("Global Administrator" not in (row["roles"] or "")) for row in band]
        assert not_global_admin == sorted(not_global_admin)
