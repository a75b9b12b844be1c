"""Hand-computed fixtures that pin each insight formula (README "Insights").

Each test writes a tiny raw snapshot by hand (a few `shared/snapshot/records` records in a `LocalFolder`,
plus the manifest, through the same `BlobStore.write_jsonl_gz` / `Manifest` calls `snapshot_builder` uses),
runs the engine, and compares with literals whose arithmetic is written next to them. The assurance
boundaries are pinned on the pure check functions; the planted-fact golden case runs a generated tenant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from shared.insights.assurance import posture
from shared.insights.engine import ComputedRun, ComputeSettings, compute
from shared.insights.models import (
    AdoptionSummary,
    AssuranceSummary,
    CheckResult,
    Family,
    ProductivitySummary,
    UtilisationSummary,
)
from shared.insights.source import LocalFolder
from shared.insights.utilisation import PriceInfo
from shared.snapshot import Dataset, DatasetEntry, Manifest, snapshot_prefix
from shared.snapshot import records as r
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR
from tests.unit.insights.conftest import Build

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
RUN = "run-hand"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"  # SPE_E3, Microsoft 365 E3
O365_E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"  # ENTERPRISEPACK, Office 365 E3
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"  # SPE_E5, Microsoft 365 E5
O365_E5 = "c7df2760-2c81-4ef7-b578-5b5392b571df"  # ENTERPRISEPREMIUM, Office 365 E5
PBI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560"  # POWER_BI_PRO: EXCHANGE_S_FOUNDATION + BI_AZURE_P2
BI_AZURE_P2 = "70d33638-9c74-4d01-bfd3-562de28bd4ba"  # the Power BI plan, also inside E5
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"


# --- writing a hand-made snapshot ------------------------------------------------------------------------


def snapshot(root: Path, data: Mapping[Dataset, Sequence[BaseModel]]) -> LocalFolder:
    """`raw/<as_of>/<run>/<dataset>.jsonl.gz` for each dataset given (complete) plus the manifest."""
    store = LocalFolder(root)
    prefix = snapshot_prefix(AS_OF, RUN)
    entries = []
    for dataset, rows in data.items():
        assert all(isinstance(row, dataset.record_model) for row in rows), dataset
        count = store.write_jsonl_gz(prefix + dataset.blob_name, (x.model_dump(mode="json") for x in rows))
        entries.append(DatasetEntry(dataset=dataset.value, status="complete", rows=count))
    manifest = Manifest(
        run_id=RUN, as_of=AS_OF, collected_at=NOW, tenant_id="t-hand", datasets=entries
    ).model_dump(mode="json")
    store.write_json(prefix + "manifest.json", manifest)
    return store


def run(
    root: Path, data: Mapping[Dataset, Sequence[BaseModel]], settings: ComputeSettings | None = None
) -> ComputedRun:
    store = snapshot(root, data)
    return compute(store, as_of=AS_OF, run_id=RUN, settings=settings or ComputeSettings(), now=NOW)


def ago(days: int) -> datetime:
    return datetime.combine(AS_OF - timedelta(days=days), time(9, 0), UTC)


def day(days: int) -> date:
    return AS_OF - timedelta(days=days)


def user(
    name: str,
    *licences: tuple[str, ...],
    enabled: bool = True,
    guest: bool = False,
    department: str | None = None,
    created: int = 400,
    synced: bool | None = None,
) -> r.User:
    """`licences`: (sku id, *disabled plan ids) per assigned licence."""
    upn = f"{name}_ext#EXT#@t.example" if guest else f"{name}@t.example"
    return r.User(
        id=f"id-{name}",
        user_principal_name=upn,
        display_name=name,
        account_enabled=enabled,
        user_type="Guest" if guest else "Member",
        created_date_time=ago(created),
        department=department,
        on_premises_sync_enabled=synced,
        assigned_licenses=[
            r.AssignedLicense(sku_id=lic[0], disabled_plans=list(lic[1:])) for lic in licences
        ],
    )


def sign_in(
    name: str,
    successful: int | None = None,
    non_interactive: int | None = None,
    attempted: int | None = None,
) -> r.SignInActivity:
    return r.SignInActivity(
        id=f"id-{name}",
        last_sign_in=None if attempted is None else ago(attempted),
        last_successful_sign_in=None if successful is None else ago(successful),
        last_non_interactive_sign_in=None if non_interactive is None else ago(non_interactive),
    )


def sku(
    sku_id: str,
    part: str,
    *,
    enabled: int,
    consumed: int,
    warning: int = 0,
    suspended: int = 0,
    locked_out: int = 0,
    capability: str = "Enabled",
) -> r.SubscribedSku:
    return r.SubscribedSku(
        sku_id=sku_id,
        sku_part_number=part,
        capability_status=capability,
        consumed_units=consumed,
        prepaid_enabled=enabled,
        prepaid_warning=warning,
        prepaid_suspended=suspended,
        prepaid_locked_out=locked_out,
    )


def checks_of(result: ComputedRun) -> dict[str, CheckResult]:
    summary = result.payloads[Family.ASSURANCE]
    assert isinstance(summary, AssuranceSummary)
    return {c.id: c for c in summary.checks}


# --- utilisation -----------------------------------------------------------------------------------------


def utilisation_snapshot() -> dict[Dataset, Sequence[BaseModel]]:
    """Ten licensed accounts and one unlicensed; as_of 2026-03-02, blended activity."""
    return {
        Dataset.USERS: [
            user("a1", (E3,)),  # signed in exactly 30 days ago: active at 30 (inactive means > 30)
            user("a2", (E3,)),  # success 40 days ago; a non-interactive *attempt* 5 days ago: inactive
            user("a3", (E3,)),  # sign-in 100 days, Exchange activity in the report 20 days ago: active
            user("a4", (E3,)),  # sign-in 31 days: inactive at 30, active at 60 and 90
            user("a5", (E3,)),  # sign-in 75 days: inactive at 30 and 60, active at 90
            user("a6", (E3,)),  # never signed in, no report row: inactive at 30/60/90
            user("a7", (E3,), enabled=False),  # disabled, recently active: disabled-but-licensed
            user("a8", (E5,), (PBI_PRO,)),  # E5 contains BI_AZURE_P2 → Power BI Pro redundant
            user("a9", (E5, BI_AZURE_P2), (PBI_PRO,)),  # BI_AZURE_P2 off in E5 → Pro needed
            user("a10", (E3,)),  # failed attempt 1 day ago, last success 50 days: inactive at 30
            user("a11"),  # unlicensed: in no licence figure
        ],
        Dataset.SIGN_IN_ACTIVITY: [
            sign_in("a1", successful=30),
            sign_in("a2", successful=40, non_interactive=5),
            sign_in("a3", successful=100),
            sign_in("a4", successful=31),
            sign_in("a5", successful=75),
            sign_in("a6"),
            sign_in("a7", successful=1),
            sign_in("a8", successful=2),
            sign_in("a9", successful=3, non_interactive=3),  # a successful non-interactive sign-in
            sign_in("a10", successful=50, attempted=1),
            sign_in("a11", successful=1),
        ],
        Dataset.ACTIVE_USER_DETAIL: [
            r.ActiveUserDetail(
                report_refresh_date=day(2),
                user_principal_name="a3@t.example",
                has_exchange_license=True,
                exchange_last_activity_date=day(20),
            ),
        ],
        Dataset.SUBSCRIBED_SKUS: [
            sku(E3, "SPE_E3", enabled=9, warning=1, suspended=5, consumed=8),  # purchased 9 + 1 = 10
            sku(E5, "SPE_E5", enabled=2, consumed=2),
            sku(PBI_PRO, "POWER_BI_PRO", enabled=5, consumed=2),
        ],
        Dataset.SUBSCRIPTIONS: [
            r.Subscription(id="s-e3-a", sku_id=E3, status="Enabled", total_licenses=6,
                           next_lifecycle_date_time=ago(-20)),
            r.Subscription(id="s-e3-b", sku_id=E3, status="Enabled", total_licenses=4,
                           next_lifecycle_date_time=ago(-200)),
            r.Subscription(id="s-e3-past", sku_id=E3, status="Enabled", total_licenses=9,
                           next_lifecycle_date_time=ago(3)),
            r.Subscription(id="s-e3-off", sku_id=E3, status="Suspended", total_licenses=9,
                           next_lifecycle_date_time=ago(-10)),
            r.Subscription(id="s-pbi", sku_id=PBI_PRO, status="Enabled", total_licenses=5,
                           next_lifecycle_date_time=ago(-40)),
        ],
    }  # fmt: skip


def test_utilisation_per_sku_and_totals(tmp_path: Path) -> None:
    result = run(tmp_path, utilisation_snapshot(), ComputeSettings(prices={E3: PriceInfo("GBP", 30.0)}))
    u = result.payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    assert u.activity_basis == "blended"  # sign-ins complete and a report row joined
    rows = {row.sku_id: row for row in u.skus}
    e3, e5, pro = rows[E3], rows[E5], rows[PBI_PRO]

    assert e3.purchased == 10  # prepaid enabled 9 + warning 1 (suspended 5 not counted)
    assert e3.assigned == 8  # consumedUnits
    assert e3.unassigned == 2  # 10 − 8
    # lastNonInteractiveSignInDateTime is an attempt, successful or not: a2's counts for nothing
    assert (e3.holders, e3.active, e3.inactive, e3.disabled) == (8, 2, 5, 1)  # a1,a3 / a2,a4,a5,a6,a10 / a7
    assert e3.redundant == 0
    assert e3.reclaimable == 6  # 5 inactive + 1 disabled
    assert e3.utilisation_pct == 20.0  # 2 active / 10 purchased
    assert e3.waste_seats == 8  # 6 reclaimable + 2 unassigned, no trial seats
    assert e3.monthly_waste is not None and e3.monthly_waste.amount == 240.0  # 8 × 30

    assert (e5.purchased, e5.unassigned, e5.active, e5.redundant, e5.reclaimable) == (2, 0, 2, 0, 0)
    assert e5.utilisation_pct == 100.0  # 2 / 2
    assert e5.monthly_waste is None  # no price configured

    assert (pro.purchased, pro.assigned, pro.unassigned) == (5, 2, 3)  # 5 − 2
    # Power BI Pro is an add-on with no usage report in Graph: its active holders are "no usage signal"
    assert pro.usage_signal == "none"
    assert (pro.active, pro.no_signal, pro.redundant, pro.reclaimable) == (0, 2, 1, 1)  # a8's Pro redundant
    assert pro.utilisation_pct is None
    assert u.redundant_by_sku == {PBI_PRO: 1}

    t = u.totals
    assert (t.purchased, t.assigned, t.unassigned) == (17, 12, 5)  # 10+2+5, 8+2+2, 2+0+3
    assert t.licensed_accounts == 10  # a1–a10 (a11 unlicensed)
    assert (t.active_accounts, t.inactive_accounts, t.disabled_licensed) == (4, 5, 1)  # a1,a3,a8,a9 / .. / a7
    assert t.redundant_assignments == 1
    assert t.reclaimable_assignments == 7  # E3 6 + E5 0 + Pro 1
    assert t.utilisation_pct == 33.3  # (2 + 2) active / (10 + 2) purchased of the SKUs with a usage signal
    assert [(m.currency, m.amount) for m in t.monthly_waste] == [("GBP", 240.0)]  # E3 only has a price
    assert u.inactive_licensed == {30: 5, 60: 2, 90: 1}  # a2,a4,a5,a6,a10 / a5,a6 / a6

    codes = {w.code for w in u.warnings}
    assert f"price_missing:{PBI_PRO}" in codes  # unpriced with waste (3 unassigned + 1 redundant)
    assert f"price_missing:{E5}" not in codes  # unpriced but nothing to waste
    assert f"price_missing:{E3}" not in codes


@pytest.mark.parametrize(("threshold", "inactive", "active"), [(30, 5, 4), (60, 2, 7), (90, 1, 8)])
def test_threshold_selects_the_headline(tmp_path: Path, threshold: int, inactive: int, active: int) -> None:
    result = run(tmp_path, utilisation_snapshot(), ComputeSettings(threshold_days=threshold))
    u = result.payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    # enabled licensed = 9 at every threshold: active + inactive = 9
    assert (u.totals.inactive_accounts, u.totals.active_accounts) == (inactive, active)
    assert u.totals.disabled_licensed == 1


def test_reclaim_before_renewal(tmp_path: Path) -> None:
    result = run(tmp_path, utilisation_snapshot(), ComputeSettings(prices={E3: PriceInfo("GBP", 30.0)}))
    u = result.payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    got = [
        (
            x.subscription_id,
            x.event,
            x.days_to_event,
            x.reclaimable_seats,
            x.monthly_saving.amount if x.monthly_saving else None,
            x.term_saving.amount if x.term_saving else None,
        )
        for x in u.renewals
    ]
    # E3 waste seats = 2 unassigned + 6 reclaimable = 8, allotted in renewal order: 6 to s-e3-a, 2 to s-e3-b.
    # Pro = 3 + 1 = 4 ≤ 5 seats, no price. The past-dated and suspended subscriptions are skipped.
    assert got == [
        ("s-e3-a", "renewal", 20, 6, 180.0, 2160.0),  # 6 × 30; × 12
        ("s-pbi", "renewal", 40, 4, None, None),
        ("s-e3-b", "renewal", 200, 2, 60.0, 720.0),  # 2 × 30; × 12
    ]


def test_reclaimable_detail_list_gives_each_reason(tmp_path: Path) -> None:
    result = run(tmp_path, utilisation_snapshot(), ComputeSettings(prices={E3: PriceInfo("GBP", 30.0)}))
    listed = list(result.lists["reclaimable-licences"]())
    rows = {(x["user_principal_name"], x["sku_id"]): x for x in listed}
    assert len(rows) == 9  # 7 reclaimable assignments + one unassigned-seats row for E3 and for Pro
    assert rows[None, E3]["seats"] == 2 and rows[None, E3]["monthly_cost"] == 60.0
    assert rows[None, PBI_PRO]["reason"] == "unassigned" and rows[None, PBI_PRO]["monthly_cost"] is None
    assert sum(x["monthly_cost"] or 0 for x in listed) == 240.0  # = the monthly waste
    assert rows["a7@t.example", E3]["reasons"] == "disabled"
    assert rows["a4@t.example", E3]["reasons"] == "inactive"
    assert rows["a4@t.example", E3]["days_inactive"] == 31
    assert rows["a6@t.example", E3]["last_activity"] is None  # never
    assert rows["a8@t.example", PBI_PRO]["reasons"] == "redundant"
    assert rows["a8@t.example", PBI_PRO]["redundant_with"] == "Microsoft 365 E5"
    assert rows["a4@t.example", E3]["monthly_cost"] == 30.0
    assert ("a9@t.example", PBI_PRO) not in rows


# --- adoption --------------------------------------------------------------------------------------------


def test_adoption_per_workload(tmp_path: Path) -> None:
    # The report was refreshed 2 days before as_of: every window counts back from that refresh date.
    refresh = day(2)

    def back(days: int) -> date:
        return refresh - timedelta(days=days)

    def detail(n: int, **fields: Any) -> r.ActiveUserDetail:
        return r.ActiveUserDetail(
            report_refresh_date=refresh, user_principal_name=f"u{n}@t.example", **fields
        )

    def apps(n: int, last: int | None, **fields: Any) -> r.M365AppUserDetail:
        return r.M365AppUserDetail(
            report_refresh_date=refresh,
            user_principal_name=f"u{n}@t.example",
            last_activity_date=None if last is None else back(last),
            report_period=30,
            **fields,
        )

    ex = {"has_exchange_license": True}
    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.ACTIVE_USER_DETAIL: [
            detail(1, **ex, exchange_last_activity_date=back(7), has_teams_license=True,
                   teams_last_activity_date=back(30)),
            detail(2, **ex, exchange_last_activity_date=back(20), has_teams_license=True,
                   teams_last_activity_date=back(31)),
            detail(3, **ex, exchange_last_activity_date=back(60)),
            detail(4, **ex),  # licensed, never active
            detail(5, **ex, exchange_last_activity_date=back(1), is_deleted=True),  # deleted: left out
        ],
        Dataset.M365_APP_USER_DETAIL: [
            apps(1, 1, windows=True, web=True, word=True),
            apps(2, 40, mac=True, word=True, excel=True),
            apps(3, None),
        ],
    }  # fmt: skip
    a = run(tmp_path, data).payloads[Family.ADOPTION]
    assert isinstance(a, AdoptionSummary)
    w = {x.workload: (x.licensed, x.active_7, x.active_30, x.active_90, x.adoption_pct) for x in a.workloads}
    assert w["exchange"] == (4, 1, 2, 3, 50.0)  # 7 d (≤ 7 counts), 20 d, 60 d, never; 2 / 4
    assert w["teams"] == (2, 0, 1, 2, 50.0)  # 30 d (≤ 30 counts), 31 d; 1 / 2
    assert w["onedrive"] == (0, 0, 0, 0, None)  # nobody licensed: no percentage
    assert w["apps"] == (3, 1, 1, 2, 33.3)  # 1 d, 40 d, never; 1 / 3
    assert a.apps_by_platform == {"windows": 1, "mac": 1, "mobile": 0, "web": 1}
    assert a.apps_by_product["word"] == 2
    assert a.apps_report_period_days == 30


def test_adoption_windows_count_back_from_the_report_refresh_date(tmp_path: Path) -> None:
    # Refreshed 3 days before as_of; activity 6 days before the refresh (9 before as_of) is within 7 days.
    row = r.ActiveUserDetail(
        report_refresh_date=day(3),
        user_principal_name="u@t.example",
        has_exchange_license=True,
        exchange_last_activity_date=day(9),
    )
    a = run(tmp_path, {Dataset.ACTIVE_USER_DETAIL: [row]}).payloads[Family.ADOPTION]
    assert isinstance(a, AdoptionSummary)
    exchange = next(x for x in a.workloads if x.workload == "exchange")
    assert (exchange.active_7, exchange.active_30) == (1, 1)
    refreshed = next(x for x in a.sources if x.dataset == "active_user_detail")
    assert refreshed.data_as_of == day(3)  # the date the windows count from is shown


# --- productivity ----------------------------------------------------------------------------------------


def test_productivity_medians_p90_and_small_group_suppression(tmp_path: Path) -> None:
    refresh = day(2)

    def email(name: str, sent: int, lag: int | None) -> r.EmailActivityUserDetail:
        return r.EmailActivityUserDetail(
            report_refresh_date=refresh,
            user_principal_name=f"{name}@t.example",
            last_activity_date=None if lag is None else refresh - timedelta(days=lag),
            send_count=sent,
            receive_count=2 * sent,
            report_period=7,
        )

    sales = [("s1", 1), ("s2", 2), ("s3", 3), ("s4", 4), ("s5", 5), ("s6", 101)]
    legal = [("l1", 7), ("l2", 9)]
    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.USERS: [
            *(user(n, department="Sales") for n, _ in sales),
            *(user(n, department="Legal") for n, _ in legal),
            user("x1", department="Sales"),
            user("x2", department="Sales"),
        ],
        Dataset.EMAIL_ACTIVITY_USER_DETAIL: [
            *(email(n, sent, 6 if n == "s1" else 0) for n, sent in sales),  # 6 days < 7-day period: in
            *(email(n, sent, 1) for n, sent in legal),
            email("x1", 50, 7),  # last activity 7 days before refresh: outside the 7-day period
            email("x2", 60, None),  # no activity
        ],
    }
    p = run(tmp_path, data).payloads[Family.PRODUCTIVITY]
    assert isinstance(p, ProductivitySummary)
    sent = next(m for m in p.metrics if m.metric == "emails_sent")
    # active values sorted: 1 2 3 4 5 7 9 101 (x1, x2 are not active in the period)
    assert sent.active_users == 8
    assert sent.total == 132  # 1+2+3+4+5+7+9+101
    assert sent.mean == 16.5  # 132 / 8
    assert sent.median == 4.5  # (4 + 5) / 2
    assert sent.p90 == 101  # nearest rank ⌈0.9 × 8⌉ = 8th smallest
    assert sent.period_days == 7
    received = next(m for m in p.metrics if m.metric == "emails_received")
    assert (received.median, received.p90) == (9, 202)  # 2 × 4.5, 2 × 101
    assert next(m for m in p.metrics if m.metric == "calls").active_users == 0  # no Teams report

    groups = {g.group: g for g in p.groups}
    assert groups["Sales"].active_users == 6 and not groups["Sales"].suppressed
    assert groups["Sales"].metrics["emails_sent"].model_dump() == {"median": 3.5, "p90": 101}  # 1..5,101
    assert groups["Legal"].active_users == 2 and groups["Legal"].suppressed  # 2 < 5
    assert groups["Legal"].metrics == {}
    rows = list(run(tmp_path / "again", data).lists["productivity-by-group"]())
    legal_rows = [x for x in rows if x["group"] == "Legal"]
    assert legal_rows == [{**dict.fromkeys(rows[0]), "group": "Legal", "active_users": 2, "suppressed": True}]
    assert "@" not in p.model_dump_json()  # aggregates only


def test_org_wide_metric_with_fewer_than_5_active_people_has_no_figure(tmp_path: Path) -> None:
    def calls(name: str, count: int) -> r.TeamsUserActivityUserDetail:
        return r.TeamsUserActivityUserDetail(
            report_refresh_date=day(2),
            user_principal_name=f"{name}@t.example",
            last_activity_date=day(3),
            call_count=count,
            report_period=30,
        )

    rows = [calls(f"c{n}", 10 * n) for n in range(1, 5)]  # 4 active people
    p = run(tmp_path, {Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL: rows}).payloads[Family.PRODUCTIVITY]
    assert isinstance(p, ProductivitySummary)
    stats = next(m for m in p.metrics if m.metric == "calls")
    assert stats.active_users == 4  # 4 < 5: the count is given, no figure
    assert (stats.total, stats.mean, stats.median, stats.p90) == (None, None, None, None)
    p5 = run(tmp_path / "five", {Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL: [*rows, calls("c5", 50)]})
    five = next(m for m in p5.payloads[Family.PRODUCTIVITY].model_dump()["metrics"] if m["metric"] == "calls")
    assert (five["active_users"], five["total"], five["median"]) == (5, 150, 30)  # 10+…+50; middle of 5


# --- assurance: the per-check boundaries are in test_checks_*.py ------------------------------------------


def _result(severity: str, status: str) -> CheckResult:
    return CheckResult.model_validate(
        {
            "id": f"{severity}-{status}",
            "title": "x",
            "severity": severity,
            "status": status,
            "remediation": "r",
        }
    )


@pytest.mark.parametrize(
    ("results", "score"),
    [
        ([("high", "pass"), ("medium", "warn"), ("low", "fail")], 67),  # (3·1 + 2·0.5 + 1·0) / 6 = 0.667
        ([("high", "pass"), ("low", "fail")], 75),  # 3 / 4
        ([("high", "fail"), ("low", "pass")], 25),  # 1 / 4
        ([("high", "warn"), ("high", "not_applicable")], 50),  # 1.5 / 3; not_applicable left out
        ([("high", "pass"), ("medium", "pass")], 100),
        ([("medium", "fail")], 0),
        ([("high", "not_applicable"), ("low", "not_applicable")], None),  # nothing applies
        ([], None),
    ],
)
def test_posture_score_formula(results: list[tuple[str, str]], score: int | None) -> None:
    assert posture([_result(sev, status) for sev, status in results]).score == score


# --- assurance: facts folded by the engine from a hand-made snapshot --------------------------------------


def test_assurance_facts_from_a_hand_snapshot(tmp_path: Path) -> None:
    def role(name: str, role_id: str, synced: bool | None = None) -> r.RoleAssignment:
        return r.RoleAssignment(
            id=f"ra-{name}-{role_id[:4]}",
            role_definition_id=role_id,
            principal_id=f"id-{name}",
            principal_type="user",
            principal_on_premises_sync_enabled=synced,
        )

    def registered(name: str, yes: bool) -> r.RegistrationDetail:
        return r.RegistrationDetail(id=f"id-{name}", is_mfa_registered=yes)

    data: dict[Dataset, Sequence[BaseModel]] = {
        Dataset.USERS: [
            user("m1", (E3,)),
            user("m2", (E3,)),
            user("m3", (E3,)),
            user("m4", (E3,)),
            user("m5"),
            user("m6", (E3,), enabled=False),
            user("g1", (E3,), guest=True, created=200),  # never signed in, created 200 d ago: stale
            user("g2", guest=True, created=10),  # never signed in but new: not a stale guest
            user("g3", guest=True),  # signed in 91 days ago: stale, unlicensed
        ],
        Dataset.SIGN_IN_ACTIVITY: [
            sign_in("m1", successful=5),
            sign_in("m2", successful=90),  # exactly 90 days: not stale (stale means > 90)
            sign_in("m3", successful=95),
            sign_in("m4"),
            sign_in("m5", non_interactive=1),
            sign_in("g3", successful=91),
        ],
        Dataset.REGISTRATION_DETAILS: [
            registered("m1", True),
            registered("m2", True),
            registered("m3", True),
            registered("m4", False),
            registered("m5", False),
            registered("m6", True),
        ],
        Dataset.ROLE_ASSIGNMENTS: [
            role("m1", GLOBAL_ADMINISTRATOR),
            role("m2", GLOBAL_ADMINISTRATOR, synced=True),
            role("m2", USER_ADMIN),  # a GA holding another role still counts as a GA only
            role("m4", EXCHANGE_ADMIN),
            role("m5", USER_ADMIN),
            r.RoleAssignment(
                id="ra-sp",
                role_definition_id=GLOBAL_ADMINISTRATOR,
                principal_id="sp",
                principal_type="servicePrincipal",
            ),  # not a person
        ],
        Dataset.CONDITIONAL_ACCESS_POLICIES: [
            r.ConditionalAccessPolicy(
                id="p1", display_name="Block legacy", state="enabled", include_users=["All"],
                include_applications=["All"], client_app_types=["exchangeActiveSync", "other"],
                built_in_controls=["block"],
            ),
        ],
    }  # fmt: skip
    checks = checks_of(run(tmp_path, data))

    def got(check: str, *keys: str) -> tuple[Any, ...]:
        return (checks[check].status, *(checks[check].evidence[k] for k in keys))

    # enabled members m1–m5 (m6 disabled, g* guests); registered m1, m2, m3 → 3 / 5 = 60 %
    assert got(
        "mfa-registration-coverage", "enabled_members", "registered_enabled_members", "coverage_pct"
    ) == (
        "fail",
        5,
        3,
        60.0,
    )
    assert got("mfa-registration-coverage", "registered_all_accounts") == ("fail", 4)  # m1, m2, m3, m6 rows
    assert got("admins-without-mfa", "admins", "admins_without_mfa") == ("fail", 4, 2)  # m1,m2,m4,m5 / m4,m5
    assert got("global-admin-count", "global_admins") == (
        "pass",
        2,
    )  # m1, m2 (the service principal is left out)
    assert got("global-admin-ratio", "other_privileged_users") == ("pass", 2)  # m4, m5; 2 GA ≤ 2
    assert got("synced-admins", "synced_admins") == ("fail", 1)  # m2
    assert got("legacy-auth-blocked", "blocking_policies") == ("pass", 1)
    assert got("mfa-required-for-all", "requiring_policies") == ("fail", 0)
    # enabled accounts 8 (all but m6); no successful sign-in in 90 d: m3, m4, m5 (a non-interactive
    # attempt is not a success), g1, g2, g3 → 6 / 8 = 75 % > 5
    assert got("stale-enabled-accounts", "enabled_accounts", "stale_enabled_90", "stale_pct") == (
        "fail",
        8,
        6,
        75.0,
    )
    # stale guests: g1 (never, created 200 d ago, licensed) and g3 (91 d, unlicensed)
    assert got("stale-guests", "enabled_guests", "stale_guests", "stale_licensed_guests") == ("fail", 3, 2, 1)
    # licensed admins inactive 90 d: m4 (never) only; m5 is unlicensed, m1/m2 active
    assert got("inactive-licensed-admins", "inactive_licensed_admins_90") == ("fail", 1)
    # licensed enabled: m1–m4, g1 = 5; without MFA: m4, g1 (no registration row) → 2 / 5 = 40 %
    assert got("licensed-without-mfa", "licensed_enabled", "licensed_without_mfa") == ("fail", 5, 2)
    assert checks["secure-score"].status == "not_applicable"  # no scores dataset


# --- planted facts: a generated tenant -------------------------------------------------------------------


def test_planted_nine_global_admins_and_open_legacy_auth(build: Build) -> None:
    case = build(11, 400, global_admins=9, legacy_auth_blocked=False)
    result = case.compute()
    checks = checks_of(result)
    assert checks["global-admin-count"].evidence["global_admins"] == 9
    assert checks["global-admin-count"].status == "fail"
    assert checks["global-admin-count"].reason == "too many"
    assert checks["global-admin-ratio"].status == "fail"  # 9 is outside 2..8 whatever the other roles
    assert checks["legacy-auth-blocked"].status == "fail"
    assert checks["legacy-auth-blocked"].evidence["blocking_policies"] == 0
    summary = result.payloads[Family.ASSURANCE]
    assert isinstance(summary, AssuranceSummary)
    assert summary.posture.counts["fail"] >= 3


def test_planted_licence_overlaps_are_counted_per_sku(build: Build) -> None:
    case = build(11, 400, global_admins=9, legacy_auth_blocked=False)
    # Count the planted overlaps from the generator's accounts and plain plan lists (not the engine's rule).
    catalogue = case.tenant.catalogue
    e3_with_o365_e3 = pro_covered = 0
    for account in case.tenant.accounts():
        held = {lic.sku_id: lic.disabled_plans for lic in account.licences}
        if O365_E3 in held and E3 in held and not held[E3]:
            e3_with_o365_e3 += 1  # M365 E3 with no plan off ⊇ Office 365 E3
        if PBI_PRO in held and any(
            BI_AZURE_P2 in catalogue.sku(other).plan_ids() - set(off)
            for other, off in held.items()
            if other != PBI_PRO
        ):
            pro_covered += 1  # Pro's only billable plan is BI_AZURE_P2: another licence with it left on
    u = case.compute().payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    truth = case.tenant.ground_truth
    assert e3_with_o365_e3 > 0 or pro_covered > 0  # the seed plants at least one overlap
    assert u.redundant_by_sku.get(O365_E3, 0) == e3_with_o365_e3 == truth.redundant_by_sku.get(O365_E3, 0)
    assert u.redundant_by_sku.get(PBI_PRO, 0) == pro_covered == truth.redundant_by_sku.get(PBI_PRO, 0)
