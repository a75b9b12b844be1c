"""The planted tenant-wide policies (`dev.tenant.policies`) come out of the engine as the verdicts written
down for them, through the simulator's wire shapes and the collector's conversion."""

from __future__ import annotations

import pytest

from dev.tenant.policies import HARDENED, TYPICAL
from shared.snapshot import Dataset
from tests.unit.insights.conftest import Build
from tests.unit.insights.snapshot_builder import SnapshotOptions


@pytest.mark.parametrize(
    ("hardened", "premium"),
    [(False, True), (True, True), (False, False)],
    ids=["typical", "hardened", "free"],
)
def test_every_policy_check_reaches_its_planted_verdict(build: Build, hardened: bool, premium: bool) -> None:
    case = build(3, 300, hardened_policies=hardened, premium=premium)
    published = {c.id: c for c in case.compute().assurance.checks}
    truth = case.tenant.ground_truth.policy_checks
    assert truth == (HARDENED if hardened else TYPICAL).expected
    assert {check: published[check].status for check in truth} == truth  # none needs a premium licence


def test_the_typical_tenant_plants_every_verdict() -> None:
    assert set(TYPICAL.expected.values()) == {"pass", "warn", "fail"}


def test_a_failed_policy_dataset_leaves_only_its_checks_not_applicable(build: Build) -> None:
    case = build(3, 300, SnapshotOptions(failed={Dataset.AUTHENTICATION_METHODS_POLICY}))
    published = {c.id: c for c in case.compute().assurance.checks}
    for check, verdict in TYPICAL.expected.items():
        result = published[check]
        if Dataset.AUTHENTICATION_METHODS_POLICY.value in result.requires:
            assert (result.status, result.not_applicable) == ("not_applicable", "data_unreadable")
        else:
            assert result.status == verdict
