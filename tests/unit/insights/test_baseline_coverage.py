"""The baseline coverage map (docs/baseline-coverage.md) and the checks' `baselines` agree both ways."""

from __future__ import annotations

import re
from pathlib import Path

from shared.insights.checks import CHECKS, CHECKS_BY_ID

MAP = Path(__file__).resolve().parents[3] / "docs" / "baseline-coverage.md"
ROW = re.compile(r"^\| ((?:MS|CIS|EIDSCA|MT)\.[\w.]+) \| (.*?) \| (.*?) \|$")


def coverage_map() -> dict[str, tuple[list[str], str]]:
    """policy id → (the check ids its Checks column names, its 'why no check' text)."""
    rows: dict[str, tuple[list[str], str]] = {}
    for line in MAP.read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line):
            policy, checks, why = match.groups()
            assert policy not in rows, f"{policy} is listed twice"
            rows[policy] = (re.findall(r"`([a-z0-9-]+)`", checks), why.strip())
    return rows


def cited_by_checks() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for check in CHECKS:
        for policy in check.info.baselines:
            cited.setdefault(policy, set()).add(check.info.id)
    return cited


def test_every_baseline_id_a_check_cites_is_in_the_map() -> None:
    assert sorted(set(cited_by_checks()) - set(coverage_map())) == []


def test_every_check_the_map_names_exists_and_cites_that_policy() -> None:
    cited = cited_by_checks()
    for policy, (checks, _) in coverage_map().items():
        assert [c for c in checks if c not in CHECKS_BY_ID] == [], policy
        assert set(checks) == cited.get(policy, set()), policy


def test_every_policy_without_a_check_says_why() -> None:
    unexplained = [policy for policy, (checks, why) in coverage_map().items() if not checks and not why]
    assert unexplained == []


def test_the_map_covers_every_scuba_entra_id_policy_section() -> None:
    sections = {p.split(".")[2] for p in coverage_map() if p.startswith("MS.AAD.")}
    assert sections == {str(n) for n in range(1, 9)}
