"""Journey: finance prices the suites and the cheaper licences, "refresh now" recomputes the day, and the
organisation sees which licences could be right-sized — every member the aggregate sentence, admins the
person-level list (JSON and CSV) that adds up to it — and the savings ledger, which stays empty until a
later day's run finds something done.

The simulator's tenant has planted mail-only and web-only suite holders (`rightsizing_plants`): the
recommendations are exactly the planted ones, with the savings to the penny at the demo's prices."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from dev.run import DEMO_PRICES_GBP
from dev.tenant.rightsizing import rightsizing_truth
from shared.licensing import load_catalogue
from tests.journeys.conftest import Person, Stack


def _prices() -> dict[str, Any]:
    catalogue = load_catalogue()
    prices = {}
    for part, amount in DEMO_PRICES_GBP.items():
        sku = catalogue.by_part_number(part)
        assert sku is not None
        prices[sku.id] = {"currency": "GBP", "monthly": amount}
    return {"prices": prices}


def _refresh(stack: Stack, admin: Person) -> str:
    accepted = admin.call("POST", "/integrations/m365/refresh")
    assert accepted.status_code == 202, accepted.text
    run = stack.wait_for_run(admin, accepted.json()["run_id"])
    assert run["state"] == "published", run
    return str(run["run_id"])


def test_priced_licences_show_right_sizing_and_the_ledger(stack: Stack) -> None:
    admin = stack.sign_up()
    assert stack.connect_good_tenant(admin).status_code == 200
    _refresh(stack, admin)
    etag = admin.get("/metadata/prices").headers.get("ETag")
    saved = admin.call("PUT", "/metadata/prices", json=_prices(), headers={"If-Match": etag} if etag else {})
    assert saved.status_code == 200, saved.text
    run_id = _refresh(stack, admin)  # recomputed from the same snapshot with the prices

    summary = admin.get("/insights/utilisation").json()
    assert summary["run_id"] == run_id
    codes = {w["code"] for w in summary["warnings"]}
    # The simulator's tenant has a risk-based Conditional Access policy: the E5 rule says why it is off.
    assert "rightsizing_signal_in_use:e5_features_unseen" in codes

    # The person-level list is exactly the planted candidates: rule, from → to and saving to the penny at
    # the prices `make run` sets.
    planted = rightsizing_truth(stack.simulator.tenant, DEMO_PRICES_GBP)
    assert {e.rule for e in planted.values()} == {"mail_only", "web_mobile_only"}
    report = admin.get("/reports/rightsizing-recommendations").json()
    assert report["run_id"] == run_id
    rows = report["rows"]
    found = {
        (r["user_principal_name"], r["sku_id"]): (r["rule"], r["to_sku_id"], r["monthly_saving"])
        for r in rows
    }
    assert found == {key: (e.rule, e.to_sku, e.saving) for key, e in planted.items()}
    assert len(rows) == len(planted) and all(r["user_id"] and r["currency"] == "GBP" for r in rows)
    csv = admin.get("/reports/rightsizing-recommendations", params={"format": "csv"})
    assert csv.status_code == 200 and csv.text.count("\n") == len(rows) + 1

    # The aggregate every member sees: one move per (rule, from, to) with its accounts and Σ saving.
    by_move: defaultdict[tuple[str, str, str], list[Decimal]] = defaultdict(list)
    for (_, sku_id), e in planted.items():
        by_move[e.rule, sku_id, e.to_sku].append(Decimal(str(e.saving)))
    moves = {(m["rule"], m["from_sku_id"], m["to_sku_id"]): m for m in summary["rightsizing"]}
    assert set(moves) == set(by_move)
    for key, savings in by_move.items():
        move = moves[key]
        assert move["accounts"] == len(savings)
        assert move["monthly_saving"] == {"currency": "GBP", "amount": float(sum(savings))}
        noun = "account" if len(savings) == 1 else "accounts"
        assert move["summary"] == (
            f"{len(savings)} {noun} could move from {move['from_name']} to {move['to_name']}, "
            f"saving £{sum(savings):,.2f} a month"
        )

    ledger = admin.get("/insights/utilisation/savings").json()
    assert ledger["entries"] == 0 and ledger["realised_total"] is None  # no earlier day to compare with
    # What the run lists a month: its waste plus the planted right-sizing savings.
    waste = sum(Decimal(str(m["amount"])) for m in summary["totals"]["monthly_waste"])
    rightsizing = sum(Decimal(str(e.saving)) for e in planted.values())
    assert ledger["potential_now"] == {"currency": "GBP", "amount": float(waste + rightsizing)}
    assert [m["month"] for m in ledger["months"]] == [summary["as_of"][:7]]

    user = stack.join(admin, "user")
    assert user.get("/insights/utilisation/savings").status_code == 200
    assert user.get("/reports/rightsizing-recommendations").status_code == 403
    assert user.get("/reports/realised-savings").status_code == 403
