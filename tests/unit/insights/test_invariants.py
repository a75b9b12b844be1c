"""Property tests: invariants of the computed families over small generated tenants (hypothesis).

Each example draws a synthetic tenant (`dev.tenant`: seed, size, premium, concealment, Global Admin count,
guest share) and a threshold, writes it with `snapshot_builder`, computes, and checks what must hold for
any tenant. Examples are few and small so the module stays within a few seconds.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dev.tenant import Tenant
from shared.insights.adoption import MIN_GROUP
from shared.insights.engine import ComputedRun, ComputeSettings, compute
from shared.insights.models import (
    AdoptionSummary,
    AssuranceSummary,
    Family,
    ProductivitySummary,
    UtilisationSummary,
)
from shared.insights.productivity import METRICS
from shared.insights.reports import REPORTS
from shared.insights.source import LocalFolder
from tests.unit.insights.snapshot_builder import SnapshotOptions, tenant, write_snapshot

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PROPERTY = settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@dataclass
class Example:
    tenant: Tenant
    run: ComputedRun
    threshold: int


@st.composite
def examples(draw: st.DrawFn) -> Example:
    seed = draw(st.integers(min_value=1, max_value=10_000))
    accounts = draw(st.integers(min_value=8, max_value=150))
    premium = draw(st.booleans())
    concealed = draw(st.booleans())
    threshold = draw(st.sampled_from((30, 60, 90)))
    t = tenant(
        seed,
        accounts,
        AS_OF,
        premium=premium,
        global_admins=draw(st.integers(min_value=0, max_value=10)),
        guest_ratio=draw(st.sampled_from((0.0, 0.08, 0.3))),
        legacy_auth_blocked=draw(st.booleans()),
    )
    with tempfile.TemporaryDirectory() as folder:
        store = LocalFolder(Path(folder))
        write_snapshot(store, t, "run-p", SnapshotOptions(concealed=concealed))
        result = compute(
            store, as_of=AS_OF, run_id="run-p", settings=ComputeSettings(threshold_days=threshold), now=NOW
        )
        # Materialise the lazy detail lists while the folder exists (they read in-memory state only,
        # but keep the example self-contained).
        lists = {name: list(rows()) for name, rows in result.lists.items()}
    result.lists = {name: (lambda rows=rows: iter(rows)) for name, rows in lists.items()}
    return Example(t, result, threshold)


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _walk(item, f"{path}[{n}]")
    else:
        yield path, value


def _is_share(path: str) -> bool:
    leaf = path.rsplit(".", 1)[-1]
    return leaf == "pct" or leaf.endswith("_pct")


@given(examples())
@PROPERTY
def test_assigned_accounts_split_into_active_inactive_disabled(example: Example) -> None:
    u = example.run.payloads[Family.UTILISATION]
    assert isinstance(u, UtilisationSummary)
    truth = example.tenant.ground_truth
    for row in u.skus:
        # The engine's identity, per SKU: every account holding the SKU is exactly one of disabled
        # (account disabled), inactive (enabled, last activity older than the threshold or none), no usage
        # signal (an active account holding an add-on Graph shows no use of) or active (the rest).
        assert row.holders == row.active + row.inactive + row.no_signal + row.disabled, row.sku_id
        assert row.no_signal == 0 or row.usage_signal == "none", row.sku_id
        # consumedUnits agrees with the holders in the snapshot (the generator keeps them consistent).
        assert row.assigned == row.holders, row.sku_id
        assert row.unassigned == max(row.purchased - row.assigned, 0)
        assert row.redundant <= row.holders
        # reclaimable = distinct assignments that are disabled, inactive or redundant
        assert row.inactive + row.disabled <= row.reclaimable <= row.inactive + row.disabled + row.redundant
    t = u.totals
    # In total the identity is per account (one account, many SKUs):
    assert t.licensed_accounts == t.active_accounts + t.inactive_accounts + t.disabled_licensed
    assert t.licensed_accounts == truth.licensed
    assert t.disabled_licensed == truth.disabled_licensed
    assert t.inactive_accounts == u.inactive_licensed[example.threshold]
    assert u.inactive_licensed[30] >= u.inactive_licensed[60] >= u.inactive_licensed[90]
    paid = [row for row in u.skus if not row.free]
    assert t.assigned == sum(row.assigned for row in paid)
    assert t.purchased == sum(row.purchased for row in paid)
    assert t.unassigned == sum(row.unassigned for row in paid)
    assert t.redundant_assignments == sum(u.redundant_by_sku.values()) == truth.redundant_assignments


@given(examples())
@PROPERTY
def test_every_share_is_a_percentage(example: Example) -> None:
    shares = 0
    for family, payload in example.run.payloads.items():
        for path, value in _walk(payload.model_dump(mode="json")):
            if _is_share(path) and value is not None:
                shares += 1
                assert 0 <= value <= 100, f"{family}{path} = {value}"
    for name, rows in example.run.lists.items():
        for row in rows():
            for key, value in row.items():
                if _is_share(key) and value is not None:
                    assert 0 <= value <= 100, f"{name}.{key} = {value}"
    assert shares > 0


@given(examples())
@PROPERTY
def test_small_groups_never_carry_figures(example: Example) -> None:
    a = example.run.payloads[Family.ADOPTION]
    p = example.run.payloads[Family.PRODUCTIVITY]
    assert isinstance(a, AdoptionSummary)
    assert isinstance(p, ProductivitySummary)
    for g in a.groups:
        assert g.suppressed or g.people >= MIN_GROUP, g.group  # small ones always, others to cover them
        if g.suppressed:
            assert g.workloads == {}, g.group
    hidden = sum(g.people for g in a.groups if g.suppressed)
    assert hidden == 0 or hidden >= MIN_GROUP or len(a.groups) == sum(g.suppressed for g in a.groups)
    for pg in p.groups:
        assert pg.suppressed == (pg.active_users < MIN_GROUP), pg.group
        if pg.suppressed:
            assert pg.metrics == {}, pg.group
    small = {g.group for g in a.groups if g.suppressed} | {g.group for g in p.groups if g.suppressed}
    figures = {"licensed", "active_30", "adoption_pct", "metric", "median", "p90", "workload"}
    for name in ("adoption-by-group", "productivity-by-group"):
        for row in example.run.lists[name]():
            if row["group"] in small and row["suppressed"]:
                assert all(row.get(key) is None for key in figures), row
            else:
                assert row["suppressed"] is False
                size = row.get("people", row.get("active_users"))
                assert size is not None and size >= MIN_GROUP, row


@given(examples())
@PROPERTY
def test_no_per_person_productivity_figure(example: Example) -> None:
    p = example.run.payloads[Family.PRODUCTIVITY]
    assert isinstance(p, ProductivitySummary)
    text = p.model_dump_json()
    people = [(a.upn, a.display_name, a.id) for a in example.tenant.accounts()]
    for upn, name, account_id in people:
        assert upn.lower() not in text.lower()
        assert f'"{name}"' not in text
        assert account_id not in text
    assert "user_principal_name" not in text
    # Org-wide statistics: either nobody was active, or at least MIN_GROUP people stand behind the figure.
    for m in p.metrics:
        if 0 < m.active_users < MIN_GROUP:
            assert (m.total, m.mean, m.median, m.p90) == (None, None, None, None), m.metric
    # No person-level detail list has a productivity column; the by-group list names no person.
    forbidden = {m.id for m in METRICS}
    for spec in REPORTS:
        names = set(spec.column_names())
        if spec.person_level:
            assert not names & forbidden, spec.id
    rows = json.dumps(list(example.run.lists["productivity-by-group"]()))
    for upn, _, _ in people:
        assert upn.lower() not in rows.lower()


@given(examples())
@PROPERTY
def test_posture_score_is_a_percentage_or_null(example: Example) -> None:
    s = example.run.payloads[Family.ASSURANCE]
    assert isinstance(s, AssuranceSummary)
    score = s.posture.score
    applicable = [c for c in s.checks if c.status != "not_applicable"]
    assert (score is None) == (not applicable)
    assert score is None or 0 <= score <= 100
    assert sum(s.posture.counts.values()) == len(s.checks)
