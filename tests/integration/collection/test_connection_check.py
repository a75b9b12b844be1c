"""Test connection against the simulator over HTTP: a token, then one cheap call per Graph permission."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from dev.graph_sim import AppRegistration, RunningSimulator, SimulatorConfig, start_simulator
from dev.graph_sim.permissions import ALL_NEEDED
from shared.graph import tenant_credential
from shared.graph.permissions import PROBES, ConnectionReport, check_connection
from tests.integration.collection.conftest import AS_OF

SECRET = "right-secret"
APPS = (
    AppRegistration(client_id="all-granted", client_secret=SECRET),
    AppRegistration(
        client_id="no-policy", client_secret=SECRET, permissions=ALL_NEEDED - {"Policy.Read.All"}
    ),
    AppRegistration(client_id="no-users", client_secret=SECRET, permissions=ALL_NEEDED - {"User.Read.All"}),
)


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(accounts=60, seed=3, as_of=AS_OF, apps=APPS, refuse_unknown_clients=True)
    with start_simulator(config) as running:
        yield running


def _check(
    sim: RunningSimulator, client_id: str, secret: str = SECRET, tenant: str | None = None
) -> ConnectionReport:
    credential = tenant_credential(sim.base_url, tenant or sim.tenant.spec.tenant_id, client_id, secret)
    return asyncio.run(check_connection(sim.graph_url, credential))


def test_every_permission_the_collectors_need_is_probed_and_granted(sim: RunningSimulator):
    report = _check(sim, "all-granted")
    assert report.refused is None and report.problem is None and report.missing == []
    assert [p.permission for p in report.permissions] == [probe.permission for probe in PROBES]
    assert {p.permission for p in report.permissions} == ALL_NEEDED
    assert {p.status for p in report.permissions} == {"granted"}


def test_a_missing_optional_permission_is_named_but_does_not_block(sim: RunningSimulator):
    report = _check(sim, "no-policy")
    assert report.missing == ["Policy.Read.All"] and report.problem is None
    policy = next(p for p in report.permissions if p.permission == "Policy.Read.All")
    assert policy.status == "missing" and "Authorization_RequestDenied" in (policy.detail or "")


def test_a_missing_required_permission_blocks_refreshes(sim: RunningSimulator):
    report = _check(sim, "no-users")
    assert report.missing == ["User.Read.All"]
    assert report.problem is not None and "User.Read.All" in report.problem


@pytest.mark.parametrize(
    ("client_id", "secret", "tenant", "field", "code"),
    [
        ("all-granted", "wrong-secret", None, "client_secret", 7000215),
        ("not-registered", SECRET, None, "client_id", 700016),
        ("all-granted", SECRET, "0b3e6d1c-0000-4000-a000-000000000000", "tenant_id", 90002),
    ],
)
def test_refused_credentials_say_which_value_is_wrong(
    sim: RunningSimulator, client_id: str, secret: str, tenant: str | None, field: str, code: int
):
    report = _check(sim, client_id, secret, tenant)
    assert report.refused is not None and report.refused.field == field and report.refused.code == code
    assert report.permissions == () and report.problem is not None and report.problem.startswith(field)
    assert secret not in report.problem


def test_a_tenant_without_entra_id_p1_shows_that_data_as_unlicensed():
    config = SimulatorConfig(accounts=40, seed=3, as_of=AS_OF, premium=False, client_secret=SECRET)
    with start_simulator(config) as sim:
        report = _check(sim, "any-client")
    statuses = {p.permission: p.status for p in report.permissions}
    assert statuses.pop("AuditLog.Read.All") == statuses.pop("Policy.Read.All") == "unlicensed"
    assert set(statuses.values()) == {"granted"} and report.problem is None
