"""One simulator serving many tenants enforces each Graph limit at its documented scope
(learn.microsoft.com/graph/throttling-limits): per app per tenant, per tenant for all apps, per app for
all tenants; a time scale multiplies every quota; signInActivity pages hold up to 500 users."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from dev.graph_sim import RunningSimulator, SimulatorConfig, ThrottleMode, start_simulator
from dev.graph_sim.tenancy import fleet_tenant
from dev.tenant import TenantSpec

AS_OF = date(2026, 1, 15)
FLEET = tuple(fleet_tenant(index, 40 + index, AS_OF, seed=10) for index in range(3))
# Windows ten times shorter than Graph's: signInActivity 10 per 6 s, other identity reports 5 per 1 s.
TIME_SCALE = 10.0
SIGN_IN = "/users?$top=1&$select=id,signInActivity"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(
        accounts=60,
        seed=3,
        as_of=AS_OF,
        tenants=FLEET,
        throttling=ThrottleMode.REALISTIC,
        time_scale=TIME_SCALE,
    )
    with start_simulator(config) as running:
        yield running


def _graph(sim: RunningSimulator, tenant: TenantSpec, client_id: str) -> httpx.Client:
    """A client holding a token the simulator issued to `client_id` for `tenant`, the real way."""
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": "anything",
        "scope": "https://graph.microsoft.com/.default",
    }
    answer = httpx.post(f"{sim.base_url}/{tenant.domain}/oauth2/v2.0/token", data=form)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    return httpx.Client(base_url=sim.graph_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_each_tenant_is_answered_from_its_own_directory(sim: RunningSimulator):
    sim.set_throttling(ThrottleMode.OFF)
    for spec in FLEET:
        with _graph(sim, spec, "app-a") as graph:
            organisation = graph.get("/organization").json()["value"][0]
            users = graph.get("/users?$top=999&$select=id,userPrincipalName").json()["value"]
            assert organisation["id"] == spec.tenant_id
            assert len(users) == spec.accounts
            assert all(
                user["userPrincipalName"].endswith(f"@{spec.domain}")
                for user in users
                if "#EXT#" not in user["userPrincipalName"]
            )
    unknown = httpx.post(
        f"{sim.base_url}/nowhere.example/oauth2/v2.0/token", data={"grant_type": "client_credentials"}
    )
    assert unknown.status_code == 400 and "AADSTS90002" in unknown.text


def test_sign_in_activity_is_limited_per_app_across_all_tenants(sim: RunningSimulator):
    sim.set_throttling(ThrottleMode.REALISTIC)
    a0, a1, a2 = (_graph(sim, spec, "app-a") for spec in FLEET)
    b2 = _graph(sim, FLEET[2], "app-b")
    with a0, a1, a2, b2:
        # 5 + 5 pages: within each tenant's own 10 (and its 5 identity reports) but the app's 10 in all.
        statuses = [graph.get(SIGN_IN).status_code for graph in (a0, a1) for _ in range(5)]
        assert statuses == [200] * 10
        refused = a2.get(SIGN_IN)
        assert refused.status_code == 429
        assert refused.headers["x-ms-throttle-scope"] == "Application/Read/app-a/app-a"
        # Scaled: the wait is the scaled one, in fractional seconds, never more than the scaled minute.
        assert 0 < float(refused.headers["Retry-After"]) <= 60 / TIME_SCALE
        # Another app has its own budget for the same tenant.
        assert b2.get(SIGN_IN).status_code == 200
    counters = httpx.get(f"{sim.base_url}/_simulator/throttling").json()
    assert counters["refused"] == {"signInActivity/Application": 1}
    assert counters["admitted"]["users_signin"] == 11


def test_identity_reports_are_limited_per_app_per_tenant(sim: RunningSimulator):
    sim.set_throttling(ThrottleMode.REALISTIC)
    with _graph(sim, FLEET[0], "app-a") as a0, _graph(sim, FLEET[1], "app-a") as a1:
        registration = "/reports/authenticationMethods/userRegistrationDetails"
        assert [a0.get(registration).status_code for _ in range(6)] == [200] * 5 + [429]
        assert a1.get(registration).status_code == 200  # another tenant: its own 5
    assert sim.throttling_counters()["refused"] == {"identityReports/Tenant_Application": 1}


def test_conditional_access_is_limited_per_tenant_for_all_apps(sim: RunningSimulator):
    sim.set_throttling(ThrottleMode.REALISTIC)
    policies = "/identity/conditionalAccess/policies"
    with (
        _graph(sim, FLEET[0], "app-a") as a0,
        _graph(sim, FLEET[0], "app-b") as b0,
        _graph(sim, FLEET[1], "app-b") as b1,
    ):
        assert a0.get(policies).status_code == 200
        refused = b0.get(policies)  # another app, same tenant: the tenant's one request a second is spent
        assert refused.status_code == 429
        assert "Retry-After" not in refused.headers  # this family sends none
        assert refused.headers["x-ms-throttle-scope"].startswith("Tenant/Read/app-b/")
        assert b1.get(policies).status_code == 200


def test_sign_in_pages_hold_500_and_the_older_limit_refuses_more_than_120():
    older = SimulatorConfig(accounts=130, as_of=AS_OF, sign_in_page_max=120, sign_in_top_refused=True)
    with start_simulator(older) as sim, _graph(sim, sim.tenant.spec, "app-a") as graph:
        refused = graph.get("/users?$top=500&$select=id,signInActivity")
        assert refused.status_code == 400
        assert "more than 120 users" in refused.json()["error"]["message"]
        assert len(graph.get("/users?$top=120&$select=id,signInActivity").json()["value"]) == 120
    current = SimulatorConfig(accounts=700, as_of=AS_OF, empty_page_every=0)
    with start_simulator(current) as sim, _graph(sim, sim.tenant.spec, "app-a") as graph:
        first = graph.get("/users?$top=500&$select=id,signInActivity").json()
        assert len(first["value"]) == 500
        assert len(graph.get(first["@odata.nextLink"]).json()["value"]) == 200
