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
    AppRegistration,
    Endpoint,
    FaultKind,
    FaultRule,
    RunningSimulator,
    SimulatorConfig,
    ThrottleMode,
    start_simulator,
)
from dev.graph_sim.permissions import ALL_NEEDED
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


TOKEN_FORM = {"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}


@pytest.fixture(scope="module")
def registry() -> Iterator[RunningSimulator]:
    """A tenant whose only client is one registered app: Entra ID's refusals, and its permissions."""
    apps = (
        AppRegistration(client_id="app-1", client_secret="right", permissions=frozenset({"User.Read.All"})),
    )
    config = SimulatorConfig(accounts=50, seed=5, as_of=AS_OF, apps=apps, refuse_unknown_clients=True)
    with start_simulator(config) as running:
        yield running


@pytest.mark.parametrize(
    ("tenant", "client_id", "secret", "status", "error", "code"),
    [
        (None, "app-1", "wrong", 401, "invalid_client", 7000215),
        (None, "someone-else", "right", 400, "unauthorized_client", 700016),
        ("11111111-2222-3333-4444-555555555555", "app-1", "right", 400, "invalid_request", 90002),
    ],
)
def test_the_token_endpoint_refuses_as_entra_id_does(
    registry: RunningSimulator,
    tenant: str | None,
    client_id: str,
    secret: str,
    status: int,
    error: str,
    code: int,
):
    url = registry.token_url if tenant is None else f"{registry.base_url}/{tenant}/oauth2/v2.0/token"
    response = httpx.post(url, data={**TOKEN_FORM, "client_id": client_id, "client_secret": secret})
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error and body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert {"timestamp", "trace_id", "correlation_id"} <= body.keys()
    assert "right" not in response.text and "wrong" not in response.text


def test_a_call_without_its_permission_is_denied_as_graph_does(registry: RunningSimulator):
    form = {**TOKEN_FORM, "client_id": "app-1", "client_secret": "right"}
    token = httpx.post(registry.token_url, data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(registry.graph_url + "/users?$top=1&$select=id", headers=headers).status_code == 200
    for path in (
        "/subscribedSkus",
        "/users?$select=id,signInActivity",
        "/reports/getOffice365ActiveUserCounts(period='D7')",
    ):
        denied = httpx.get(registry.graph_url + path, headers=headers)
        assert denied.status_code == 403, path
        error = denied.json()["error"]
        assert error["code"] == "Authorization_RequestDenied"
        assert error["message"] == "Insufficient privileges to complete the operation."
        assert {"date", "request-id", "client-request-id"} <= error["innerError"].keys()


def test_an_app_registered_at_run_time_gets_exactly_its_permissions(sim: RunningSimulator):
    sim.register_app(
        AppRegistration(
            client_id="late", client_secret="late-secret", permissions=ALL_NEEDED - {"Policy.Read.All"}
        )
    )
    form = {**TOKEN_FORM, "client_id": "late", "client_secret": "late-secret"}
    token = httpx.post(sim.token_url, data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(sim.graph_url + "/security/secureScores?$top=1", headers=headers).status_code == 200
    assert (
        httpx.get(sim.graph_url + "/identity/conditionalAccess/policies", headers=headers).status_code == 403
    )
    assert httpx.post(sim.token_url, data={**form, "client_secret": "other"}).status_code == 401


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


def test_sign_in_activity_pages_hold_at_most_500(sim: RunningSimulator, graph: httpx.Client):
    pages = list(_pages(graph, "/users?$top=999&$select=id,signInActivity"))
    sizes = [len(p["value"]) for p in pages]
    assert max(sizes) == 500 and sum(sizes) == sim.ground_truth.accounts
    activity = [u["signInActivity"] for p in pages for u in p["value"]]
    assert None in activity  # signInActivity: null
    assert any(a and a["lastNonInteractiveSignInDateTime"] == "0001-01-01T00:00:00Z" for a in activity)
    # never signed in = no successful sign-in; a non-interactive date alone is an attempt, maybe failed
    never = sum(
        a is None or a["lastSuccessfulSignInDateTime"] in (None, "0001-01-01T00:00:00Z") for a in activity
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
    assert {s["skuId"]: s["consumedUnits"] for s in skus if s["consumedUnits"]} == truth.sku_consumed
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


def test_sign_in_fields_follow_microsofts_semantics(sim: RunningSimulator, graph: httpx.Client):
    """lastSuccessfulSignInDateTime = the last successful sign-in, interactive or non-interactive;
    lastNonInteractiveSignInDateTime = the last non-interactive attempt, successful or not
    (learn.microsoft.com/graph/api/resources/signinactivity)."""
    pages = _pages(graph, "/users?$top=120&$select=id,signInActivity")
    activity = [u["signInActivity"] for p in pages for u in p["value"] if u["signInActivity"]]

    def when(a: dict[str, str | None], key: str) -> str | None:
        value = a[key]
        return None if value in (None, "0001-01-01T00:00:00Z") else value

    successful_non_interactive = [
        a
        for a in activity
        if when(a, "lastSuccessfulSignInDateTime") is not None
        and when(a, "lastSuccessfulSignInDateTime") == when(a, "lastNonInteractiveSignInDateTime")
        and (when(a, "lastSignInDateTime") or "") < (when(a, "lastSuccessfulSignInDateTime") or "")
    ]
    failed_non_interactive_only = [
        a
        for a in activity
        if when(a, "lastSuccessfulSignInDateTime") is None and when(a, "lastNonInteractiveSignInDateTime")
    ]
    assert successful_non_interactive, (
        "a successful non-interactive sign-in moves lastSuccessfulSignInDateTime"
    )
    assert failed_non_interactive_only, "a failed non-interactive attempt does not"
    assert len(failed_non_interactive_only) <= sim.ground_truth.failed_signin_only


def test_roles_held_by_role_assignable_groups_expand_to_their_members(
    sim: RunningSimulator, graph: httpx.Client
):
    """A group principal in roleAssignments, its members from transitiveMembers (both cast spellings), and
    a 404 for an unknown group (learn.microsoft.com/graph/api/group-list-transitivemembers)."""
    tenant = sim.simulator.tenant
    helpdesk = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
    listed = graph.get(
        "/roleManagement/directory/roleAssignments",
        params={"$filter": f"roleDefinitionId eq '{helpdesk}'", "$expand": "principal"},
    ).json()["value"]
    groups = [item for item in listed if item["principal"]["@odata.type"] == "#microsoft.graph.group"]
    assert [g["principal"]["displayName"] for g in groups] == ["Helpdesk team"]
    assert groups[0]["principal"]["isAssignableToRole"] is True
    group_id = groups[0]["principalId"]
    expected = sorted(
        tenant.account(i).id
        for i, held in tenant.role_group_members.items()
        if any(g.id == group_id for g in held)
    )
    for cast in ("microsoft.graph.user", "graph.user"):
        members = graph.get(
            f"/groups/{group_id}/transitiveMembers/{cast}", params={"$select": "id,accountEnabled"}
        ).json()["value"]
        assert sorted(m["id"] for m in members) == expected and len(expected) == 4
        assert all(set(m) == {"@odata.type", "id", "accountEnabled"} for m in members)
    missing = graph.get("/groups/00000000-0000-4000-a000-000000000000/transitiveMembers")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"


def test_groups_and_licence_assignment_states(sim: RunningSimulator, graph: httpx.Client):
    """`GET /groups` names every group; `licenseAssignmentStates` has one entry per path of each licence:
    assignedByGroup null when direct, the group's id when inherited (resources/licenseassignmentstate)."""
    tenant = sim.simulator.tenant
    groups = graph.get("/groups", params={"$select": "id,displayName"}).json()["value"]
    assert {g["id"]: g["displayName"] for g in groups} == {g.id: g.display_name for g in tenant.groups}
    paths: dict[str, int] = {}
    for page in _pages(graph, "/users?$select=id,assignedLicenses,licenseAssignmentStates"):
        for item in page["value"]:
            held = {lic["skuId"] for lic in item["assignedLicenses"]}
            by_sku: dict[str, list[str | None]] = {}
            for state in item["licenseAssignmentStates"]:
                assert state["state"] == "Active" and state["error"] is None
                by_sku.setdefault(state["skuId"], []).append(state["assignedByGroup"])
            assert set(by_sku) == held
            for sources in by_sku.values():
                kind = (
                    "direct" if sources == [None] else "group" if None not in sources else "direct and group"
                )
                paths[kind] = paths.get(kind, 0) + 1
    assert paths == tenant.ground_truth.licence_paths
    assert paths["group"] > 0 and paths["direct and group"] > 0


def test_group_endpoints_need_group_member_read_all(registry: RunningSimulator):
    form = {**TOKEN_FORM, "client_id": "app-1", "client_secret": "right"}
    token = httpx.post(registry.token_url, data=form).json()["access_token"]
    denied = httpx.get(
        registry.graph_url + "/groups?$select=id", headers={"Authorization": f"Bearer {token}"}
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "Authorization_RequestDenied"
