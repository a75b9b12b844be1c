"""Microsoft 365 Copilot usage reports: the simulator answers as Microsoft documents, and `python -m
dev.collect` reads them over HTTP through the same Graph session into the snapshot."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dev import collect
from dev.graph_sim import AppRegistration, RunningSimulator, SimulatorConfig, start_simulator
from dev.graph_sim.copilot import DETAIL_V1, DETAIL_V2, TREND_V2
from dev.graph_sim.permissions import ALL_NEEDED
from tests.integration.collection.conftest import AS_OF, SECRET_ENV, cli_args, manifest, rows

DETAIL = "/copilot/reports/getMicrosoft365CopilotUsageUserDetail"
TREND = "/copilot/reports/getMicrosoft365CopilotUserCountTrend"
TOKEN_FORM = {"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with start_simulator(
        SimulatorConfig(accounts=900, seed=4, as_of=AS_OF, client_secret="s3cret")
    ) as running:
        yield running


@pytest.fixture
def graph(sim: RunningSimulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sim.issue_token()}"}
    with httpx.Client(base_url=sim.graph_url, headers=headers, timeout=30) as client:
        yield client


def _csv(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/octet-stream")
    return [line.split(",") for line in response.text.strip().split("\r\n")]


def test_the_user_detail_lists_copilot_holders_with_microsofts_columns(
    sim: RunningSimulator, graph: httpx.Client
):
    table = _csv(graph.get(f"{DETAIL}(period='D28')"))  # version 2 by default: no redirect, the CSV itself
    assert table[0] == DETAIL_V2 and len(table) - 1 == sim.ground_truth.copilot_holders > 0
    holders = {a.upn for a in sim.tenant.accounts() if a.copilot is not None}
    assert {row[1] for row in table[1:]} == holders  # nobody without a Copilot licence
    assert {row[DETAIL_V2.index("Report Period")] for row in table[1:]} == {"28"}
    v1 = _csv(graph.get(f"{DETAIL}(period='D30',version='v1')"))
    assert v1[0] == DETAIL_V1
    trend = _csv(graph.get(f"{TREND}(period='D90')"))
    assert trend[0] == TREND_V2 and len(trend) == 91
    enabled = TREND_V2.index("Any App Enabled Users")
    assert {row[enabled] for row in trend[1:]} == {str(sim.ground_truth.copilot_holders)}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (f"{DETAIL}(period='D30')", "Invalid value for period: 'D30'."),  # v2 has D28, not D30
        (f"{DETAIL}(period='D28',version='v1')", "Invalid value for period: 'D28'."),
        (f"{TREND}(period='D7',version='v3')", "Invalid value for version: 'v3'."),
        (
            "/copilot/reports/getMicrosoft365CopilotSomethingElse(period='D7')",
            "Resource not found for the segment",
        ),
    ],
)
def test_a_wrong_period_or_version_is_a_bad_request_in_graphs_shape(
    graph: httpx.Client, call: str, message: str
):
    response = graph.get(call)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BadRequest" and error["message"].startswith(message)


def test_the_reports_need_reports_read_all(sim: RunningSimulator):
    sim.register_app(
        AppRegistration(
            client_id="no-reports", client_secret="x", permissions=ALL_NEEDED - {"Reports.Read.All"}
        )
    )
    token = httpx.post(sim.token_url, data={**TOKEN_FORM, "client_id": "no-reports", "client_secret": "x"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    denied = httpx.get(f"{sim.graph_url}{DETAIL}(period='D7')", headers=headers)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "Authorization_RequestDenied"


def test_concealed_names_are_concealed_in_the_copilot_report_too():
    with start_simulator(SimulatorConfig(accounts=600, seed=4, as_of=AS_OF, concealed=True)) as hidden:
        headers = {"Authorization": f"Bearer {hidden.issue_token()}"}
        table = _csv(httpx.get(f"{hidden.graph_url}{DETAIL}(period='D7')", headers=headers))
    assert len(table) > 1 and all(re.fullmatch(r"[0-9A-F]{32}", row[1]) for row in table[1:])


def test_collection_reads_both_reports_into_the_snapshot(
    sim: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    assert collect.main(cli_args(sim, tmp_path)) == 0
    found = manifest(tmp_path)
    detail, trend = found.entry("copilot_usage_user_detail"), found.entry("copilot_user_count_trend")
    assert detail is not None and trend is not None
    assert (detail.status, trend.status) == ("complete", "complete")
    assert (
        detail.endpoint
        == "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D180',version='v2')"
    )
    assert detail.rows == sim.ground_truth.copilot_holders and trend.rows == 90
    by_upn = {r["user_principal_name"]: r for r in rows(tmp_path, "copilot_usage_user_detail")}
    for account in sim.tenant.accounts():
        if account.copilot is None:
            assert account.upn not in by_upn
            continue
        row = by_upn[account.upn]
        assert row["report_period"] == 180 and row["report_refresh_date"] == "2026-01-13"
        age = account.copilot.last_age
        assert (row["last_activity_date"] is None) == (age is None or age > 180)
