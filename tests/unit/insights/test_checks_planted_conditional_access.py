"""The planted Conditional Access policies (dev.graph_sim.directory, knobs in dev.tenant.policies) come out
of the engine as the verdicts written down for them: the typical tenant a mix, the hardened one passing
every check its licences allow (the synthetic tenant holds Entra ID P2 through Microsoft 365 E5)."""

from __future__ import annotations

import pytest

from dev.tenant.policies import HARDENED, TYPICAL
from tests.unit.insights.conftest import Build


@pytest.mark.parametrize("hardened", [False, True], ids=["typical", "hardened"])
def test_every_conditional_access_check_reaches_its_planted_verdict(build: Build, hardened: bool) -> None:
    case = build(3, 300, hardened_policies=hardened)
    published = {c.id: c.status for c in case.compute().assurance.checks}
    planted = (HARDENED if hardened else TYPICAL).conditional_access
    assert {check: published[check] for check in planted} == planted


def test_the_typical_tenant_plants_passes_and_failures() -> None:
    assert set(TYPICAL.conditional_access.values()) == {"pass", "fail"}
    assert set(HARDENED.conditional_access.values()) == {"pass"}


def test_without_p1_every_conditional_access_check_is_not_licensed(build: Build) -> None:
    case = build(3, 300, hardened_policies=True, premium=False)
    published = {c.id: c for c in case.compute().assurance.checks}
    for check in HARDENED.conditional_access:
        assert (published[check].status, published[check].not_applicable) == (
            "not_applicable",
            "not_licensed",
        ), check
