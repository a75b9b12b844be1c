"""The Graph simulator over real HTTP: shapes, paging, reports, throttling, faults, licensing modes."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from dev.graph_sim import (
    Endpoint,
    FaultKind,
    FaultRule,
    RunningSimulator,
    SimulatorConfig,
    ThrottleMode,
    start_simulator,
)
from dev.graph_sim.report_csv import HEADERS
from dev.graph_sim.users import DEFAULT_PROPERTIES
from dev.tenant import Report
from dev.tenant.roles import GLOBAL_ADMIN

AS_OF = date(2026, 1, 15)
GA_FILTER = f"roleDefinitionId eq '{GLOBAL_ADMIN}'"


def _client(sim: RunningSimulator) -> httpx.Client:
    return httpx.Client(
        base_url=sim.graph_url, headers={"Authorization": f"Bearer {sim.issue_token()}"}, timeout=30
    )


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with start_simulator(SimulatorConfig(accounts=700, seed=5, as_of=AS_OF, empty_page_every=3)) as running:
        yield running


@pytest.fixture
def graph(sim: RunningSimulator) -> Iterator[httpx.Client]:
    sim.set_faults()
    with _client(sim) as client:
        yield client


def _pages(client: httpx.Client, url: str, **kwargs: object) -> Iterator[dict[str, Any]]:
    while url:
        response = client.get(url, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        page = response.json()
        yield page
        url = page.get("@odata.nextLink")


def test_token_endpoint_issues_a_bearer_the_simulator_accepts(sim: RunningSimulator):
    form = {
        "grant_type": "client_credentials",
        "client_id": "app",
        "client_secret": "s",
        "scope": "https://graph.microsoft.com/.default",
    }
    token = httpx.post(sim.token_url, data=form).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3599
    ok = httpx.get(
        sim.graph_url + "/subscribedSkus", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert ok.status_code == 200
    assert httpx.post(sim.token_url, data={**form, "grant_type": "password"}).status_code == 400


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer forged"}])
def test_graph_requires_an_issued_bearer(sim: RunningSimulator, headers: dict[str, str]):
    response = httpx.get(sim.graph_url + "/users", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_paging_users_to_the_end_through_empty_pages(sim: RunningSimulator, graph: httpx.Client):
    pages = list(_pages(graph, "/users?$top=50&$select=id,accountEnabled"))
    ids = [u["id"] for p in pages for u in p["value"]]
    assert len(ids) == len(set(ids)) == sim.ground_truth.accounts
    assert any(not p["value"] and "@odata.nextLink" in p for p in pages)
    assert "@odata.nextLink" not in pages[-1]
    links = [p["@odata.nextLink"] for p in pages if "@odata.nextLink" in p]
    assert all(link.startswith(sim.graph_url + "/users?") and "$skiptoken=" in link for link in links)


def test_double_slash_paths_are_collapsed(sim: RunningSimulator, graph: httpx.Client):
    response = graph.get(sim.graph_url + "//users?$top=1")  # what msgraph-sdk sends (graph_api.md §8)
    assert response.url.path == "/v1.0//users"
    assert response.status_code == 200


def test_default_properties_without_select(graph: httpx.Client):
    user = graph.get("/users?$top=1").json()["value"][0]
    assert set(user) == set(DEFAULT_PROPERTIES)


def test_select_returns_id_and_only_the_selected(graph: httpx.Client):
    user = graph.get("/users?$top=1&$select=department,assignedLicenses").json()["value"][0]
    assert set(user) == {"id", "department", "assignedLicenses"}
    bad = graph.get("/users?$select=nonsense")
    assert bad.status_code == 400


def test_sign_in_activity_pages_hold_at_most_120(sim: RunningSimulator, graph: httpx.Client):
    pages = list(_pages(graph, "/users?$top=999&$select=id,signInActivity"))
    sizes = [len(p["value"]) for p in pages]
    assert max(sizes) == 120 and sum(sizes) == sim.ground_truth.accounts
    activity = [u["signInActivity"] for p in pages for u in p["value"]]
    assert None in activity  # signInActivity: null
    assert any(a and a["lastNonInteractiveSignInDateTime"] == "0001-01-01T00:00:00Z" for a in activity)
    never = sum(
        a is None
        or all(
            a[k] in (None, "0001-01-01T00:00:00Z")
            for k in ("lastSuccessfulSignInDateTime", "lastNonInteractiveSignInDateTime")
        )
        for a in activity
    )
    assert never == sim.ground_truth.never_signed_in


def test_filters_match_ground_truth(sim: RunningSimulator, graph: httpx.Client):
    disabled = sum(
        len(p["value"]) for p in _pages(graph, "/users?$filter=accountEnabled eq false&$select=id")
    )
    assert disabled == sim.ground_truth.disabled
    licensed_url = "/users?$filter=assignedLicenses/$count ne 0&$count=true&$select=id"
    assert graph.get(licensed_url).status_code == 400  # advanced query without ConsistencyLevel
    pages = list(_pages(graph, licensed_url, headers={"ConsistencyLevel": "eventual"}))
    assert pages[0]["@odata.count"] == sim.ground_truth.licensed
    assert sum(len(p["value"]) for p in pages) == sim.ground_truth.licensed


def test_directory_endpoints_match_ground_truth(sim: RunningSimulator, graph: httpx.Client):
    truth = sim.ground_truth
    skus = graph.get("/subscribedSkus").json()["value"]
    assert {s["skuId"]: s["consumedUnits"] for s in skus} == truth.sku_consumed
    assigned = graph.get(
        "/roleManagement/directory/roleAssignments", params={"$filter": GA_FILTER, "$expand": "principal"}
    ).json()["value"]
    assert len(assigned) == truth.global_admins
    assert all(a["principal"]["@odata.type"] == "#microsoft.graph.user" for a in assigned)
    registration = [
        r for p in _pages(graph, "/reports/authenticationMethods/userRegistrationDetails") for r in p["value"]
    ]
    assert sum(r["isMfaRegistered"] for r in registration) == truth.mfa_registered
    assert (
        graph.get("/security/secureScores?$top=1").json()["value"][0]["currentScore"]
        == truth.secure_score_current
    )


def _download(graph: httpx.Client, call: str) -> tuple[bytes, list[list[str]]]:
    redirect = graph.get(f"/reports/{call}")
    assert redirect.status_code == 302, redirect.text
    assert redirect.headers["Content-Type"].startswith("text/plain")
    body = httpx.get(redirect.headers["Location"]).content  # pre-authenticated: no bearer
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "report",
    [
        r
        for r in Report
        if r.value
        in {
            "getEmailActivityUserDetail",
            "getTeamsUserActivityUserDetail",
            "getOneDriveUsageAccountDetail",
            "getSharePointActivityUserDetail",
            "getM365AppUserDetail",
            "getOffice365ActiveUserDetail",
        }
    ],
)
def test_detail_reports_redirect_to_csv_with_bom(sim: RunningSimulator, graph: httpx.Client, report: Report):
    body, rows = _download(graph, f"{report.value}(period='D30')")
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    assert ",".join(rows[0]) == HEADERS[report]
    assert len(rows) - 1 == sim.ground_truth.report_rows[report.value]
    assert all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.parametrize("form", ["date=2026-01-10", "date='2026-01-10'"])
def test_date_form_quoted_or_not(graph: httpx.Client, form: str):
    _, rows = _download(graph, f"getM365AppUserDetail({form})")
    assert rows[1][rows[0].index("Report Period")] == "1"


def test_counts_reports_are_period_only(graph: httpx.Client):
    _, rows = _download(graph, "getOffice365ActiveUserCounts(period='D90')")
    assert len(rows) - 1 == 90
    assert graph.get("/reports/getOffice365ActiveUserCounts(date=2026-01-10)").status_code == 400
    assert graph.get("/reports/getEmailActivityUserDetail(date=2025-01-10)").status_code == 400


def test_fault_throttle_retry_after_forms(sim: RunningSimulator, graph: httpx.Client):
    for value, header in ((2.128, "2.128"), (3.0, "3"), (None, None)):
        sim.set_faults(
            FaultRule(
                kind=FaultKind.THROTTLE,
                endpoints=frozenset({Endpoint.SUBSCRIBED_SKUS}),
                limit=1,
                retry_after=value,
            )
        )
        throttled = graph.get("/subscribedSkus")
        assert throttled.status_code == 429
        assert throttled.headers.get("Retry-After") == header
        assert throttled.json()["error"]["code"] == "TooManyRequests"
        assert graph.get("/subscribedSkus").status_code == 200


def test_fault_storm_then_recovery(sim: RunningSimulator, graph: httpx.Client):
    sim.set_faults(
        FaultRule(kind=FaultKind.UNAVAILABLE, limit=3),
        FaultRule(kind=FaultKind.GATEWAY_TIMEOUT, every=2, limit=1),
    )
    statuses = [graph.get("/admin/reportSettings").status_code for _ in range(5)]
    assert statuses == [503, 503, 503, 504, 200]


def test_fault_truncated_and_malformed_bodies(sim: RunningSimulator, graph: httpx.Client):
    for kind in (FaultKind.TRUNCATED, FaultKind.MALFORMED):
        sim.set_faults(FaultRule(kind=kind, endpoints=frozenset({Endpoint.USERS}), limit=1))
        response = graph.get("/users?$top=5")
        assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    sim.set_faults(
        FaultRule(kind=FaultKind.TRUNCATED, endpoints=frozenset({Endpoint.REPORT_DOWNLOAD}), limit=1)
    )
    location = graph.get("/reports/getEmailActivityUserDetail(period='D7')").headers["Location"]
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(location)


def test_realistic_throttling(sim: RunningSimulator, graph: httpx.Client):
    sim.set_throttling(ThrottleMode.REALISTIC)
    try:
        first, second = (
            graph.get("/identity/conditionalAccess/policies"),
            graph.get("/identity/conditionalAccess/policies"),
        )
        assert first.status_code == 200 and second.status_code == 429
        assert "Retry-After" not in second.headers  # CA throttling sends none (graph_api.md §6)
        statuses = [graph.get("/users?$top=120&$select=id,signInActivity") for _ in range(6)]
        assert [r.status_code for r in statuses] == [200] * 5 + [429]
        assert statuses[-1].headers["Retry-After"].isdigit()
    finally:
        sim.set_throttling(ThrottleMode.OFF)


def test_non_premium_tenant_answers_403_where_p1_is_needed():
    with (
        start_simulator(SimulatorConfig(accounts=150, as_of=AS_OF, premium=False)) as basic,
        _client(basic) as graph,
    ):
        for url in (
            "/users?$select=id,signInActivity",
            "/identity/conditionalAccess/policies",
            "/reports/authenticationMethods/userRegistrationDetails",
        ):
            response = graph.get(url)
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
        assert graph.get("/users?$select=id,assignedLicenses").status_code == 200


def test_concealed_names():
    with (
        start_simulator(SimulatorConfig(accounts=150, as_of=AS_OF, concealed=True)) as hidden,
        _client(hidden) as graph,
    ):
        assert graph.get("/admin/reportSettings").json()["displayConcealedNames"] is True
        _, rows = _download(graph, "getTeamsUserActivityUserDetail(period='D7')")
        upns = [row[rows[0].index("User Principal Name")] for row in rows[1:]]
        assert upns and all(re.fullmatch(r"[0-9A-F]{32}", upn) for upn in upns)
        users = graph.get("/users?$select=userPrincipalName").json()["value"]
        assert "@" in users[0]["userPrincipalName"]  # only reports are concealed
