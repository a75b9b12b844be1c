"""Insights and reports through the API, against a run published by the insight engine (Azurite).

Each organisation gets a run computed from a generated snapshot and published the way the compute job
publishes it; every department is mapped to the reporting group `=HYPERLINK("x")`, so that cell reaches
the reports and shows that CSV neutralises it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from dev.tenant.names import DEPARTMENTS
from shared.api.csv_export import BOM
from shared.insights import ComputeSettings, Family, InsightStore, compute, report_catalogue
from shared.insights.rightsizing import RIGHTSIZING_LIST
from shared.services import Services
from shared.storage import OrgContainer, TenantContext
from tests.integration.api.client import Response
from tests.integration.api.conftest import Org, People
from tests.unit.insights.snapshot_builder import tenant, write_snapshot

FORMULA = '=HYPERLINK("x")'
USER_FAMILIES = (Family.UTILISATION, Family.ADOPTION, Family.PRODUCTIVITY)


@dataclass
class Published:
    org: Org
    store: InsightStore
    as_of: date
    run_id: str


def _publish(org: Org, services: Services, as_of: date, run_id: str, seed: int) -> Published:
    org_id = org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"]
    tenant_context = TenantContext(org_id)
    container = OrgContainer(services.storage, tenant_context)
    write_snapshot(container, tenant(seed, 150, as_of=as_of), run_id)
    settings = ComputeSettings(groups={department: FORMULA for department, _ in DEPARTMENTS.items})
    run = compute(container, as_of=as_of, run_id=run_id, settings=settings, now=services.clock())
    store = InsightStore.for_tenant(services.storage, tenant_context, services.page_signer, services.clock)
    store.publish(run)
    return Published(org, store, as_of, run_id)


@pytest.fixture(scope="module")
def home(people: People, services: Services) -> Published:
    as_of = services.clock().date() - timedelta(days=1)
    return _publish(people.organisation("Insights Home"), services, as_of, "home-run", seed=3)


@pytest.fixture(scope="module")
def foreign(people: People, services: Services, home: Published) -> Published:
    # Another organisation, another day: its run must be invisible to the home organisation.
    return _publish(people.organisation("Insights Foreign"), services, home.as_of - timedelta(3), "away", 4)


def _csv(response: Response) -> list[list[str]]:
    assert response.body.startswith(BOM.encode("utf-8"))
    text = response.body[len(BOM.encode("utf-8")) :].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


# -- summaries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("family", list(Family))
def test_summaries_are_the_engines_figures(home: Published, family: Family) -> None:
    expected = home.store.summary(family)
    assert expected is not None and expected.run_id == home.run_id
    reader = home.org.admin if family is Family.ASSURANCE else home.org.user
    current = reader.call("GET", f"/api/v1/insights/{family.value}")
    assert current.status == 200, current.body
    assert current.json() == expected.model_dump(mode="json")
    dated = reader.call("GET", f"/api/v1/insights/{family.value}?as_of={home.as_of.isoformat()}")
    assert dated.status == 200 and dated.json() == current.json()


def test_assurance_needs_admin(home: Published) -> None:
    for path in ("/api/v1/insights/assurance", "/api/v1/insights/assurance/trend"):
        assert home.org.user.call("GET", path).status == 403
        assert home.org.admin.call("GET", path).status == 200
        assert home.org.super_admin.call("GET", path).status == 200
    for family in USER_FAMILIES:
        assert home.org.user.call("GET", f"/api/v1/insights/{family.value}").status == 200


def test_a_day_without_a_run_answers_404_and_a_bad_date_422(home: Published) -> None:
    missing = home.org.user.call("GET", "/api/v1/insights/utilisation?as_of=2001-01-01")
    assert (missing.status, missing.problem_type) == (404, "insights-not-published")
    for bad in ("yesterday", "2026-02-30", "2026-1-1x", ""):
        response = home.org.user.call("GET", f"/api/v1/insights/adoption?as_of={bad}")
        assert (response.status, response.problem_type) == (422, "validation-error"), bad
    unknown_parameter = home.org.user.call("GET", "/api/v1/insights/adoption?asof=2026-01-01")
    assert unknown_parameter.status == 422


def test_another_organisations_run_is_invisible(home: Published, foreign: Published) -> None:
    day = foreign.as_of.isoformat()
    own = foreign.org.user.call("GET", f"/api/v1/insights/utilisation?as_of={day}")
    assert own.status == 200 and own.json()["run_id"] == foreign.run_id
    for path in (
        f"/api/v1/insights/utilisation?as_of={day}",
        f"/api/v1/reports/sku-utilisation?as_of={day}",
        f"/api/v1/reports/sku-utilisation?as_of={day}&format=csv",
    ):
        response = home.org.admin.call("GET", path)
        assert (response.status, response.problem_type) == (404, "insights-not-published"), path
    trend = home.org.user.call(
        "GET", f"/api/v1/insights/utilisation/trend?from={day}&to={home.as_of.isoformat()}"
    )
    assert trend.status == 200
    assert [p["run_id"] for p in trend.json()["points"]] == [home.run_id]
    # Each organisation's current run is its own.
    assert home.org.user.call("GET", "/api/v1/insights/utilisation").json()["run_id"] == home.run_id
    assert foreign.org.user.call("GET", "/api/v1/insights/utilisation").json()["run_id"] == foreign.run_id


# -- trends ------------------------------------------------------------------------------------------------


def test_trend_is_the_engines_series(home: Published) -> None:
    start, end = home.as_of - timedelta(days=40), home.as_of
    for family in Family:
        reader = home.org.admin if family is Family.ASSURANCE else home.org.user
        response = reader.call(
            "GET", f"/api/v1/insights/{family.value}/trend?from={start.isoformat()}&to={end.isoformat()}"
        )
        assert response.status == 200, response.body
        assert response.json() == home.store.trend(family, start, end).model_dump(mode="json")
    default = home.org.user.call("GET", "/api/v1/insights/utilisation/trend").json()
    assert date.fromisoformat(default["end"]) - date.fromisoformat(default["start"]) == timedelta(days=29)
    assert [p["run_id"] for p in default["points"]] == [home.run_id]


def test_trend_range_is_validated(home: Published) -> None:
    user = home.org.user
    base = "/api/v1/insights/adoption/trend"
    cases = {
        "?from=2026-03-02&to=2026-03-01": (422, "invalid-date-range"),  # from after to
        "?from=2025-01-01&to=2026-02-05": (422, "invalid-date-range"),  # 401 days
        "?to=9999-12-31": (422, "invalid-date-range"),
        "?from=2026-03-0x": (422, "validation-error"),
        "?from=2025-01-01&to=2026-02-04": (200, ""),  # exactly 400 days
        "?from=2026-03-01&to=2026-03-01": (200, ""),
        "?to=0001-01-05": (200, ""),
    }
    for query, (status, kind) in cases.items():
        response = user.call("GET", base + query)
        assert response.status == status, (query, response.body)
        if kind:
            assert response.problem_type == kind, query


# -- reports -----------------------------------------------------------------------------------------------


def test_catalogue_lists_what_the_role_may_read(home: Published) -> None:
    listed = {
        role: [item["id"] for item in home.org.by_role(role).call("GET", "/api/v1/reports").json()["items"]]
        for role in ("user", "admin", "super_admin")
    }
    assert listed["user"] == [spec.id for spec in report_catalogue("user")]
    assert listed["admin"] == listed["super_admin"] == [spec.id for spec in report_catalogue("admin")]
    person_level = {spec.id for spec in report_catalogue() if spec.person_level}
    assert person_level and not person_level & set(listed["user"])
    assert person_level <= set(listed["admin"])


def test_person_level_reports_need_admin(home: Published) -> None:
    for spec in report_catalogue():
        for fmt in ("json", "csv"):
            as_user = home.org.user.call("GET", f"/api/v1/reports/{spec.id}?format={fmt}")
            assert as_user.status == (403 if spec.person_level else 200), (spec.id, fmt)
            assert home.org.admin.call("GET", f"/api/v1/reports/{spec.id}?format={fmt}").status == 200
    unknown = home.org.admin.call("GET", "/api/v1/reports/no-such-report")
    assert (unknown.status, unknown.problem_type) == (404, "not-found")
    bad_format = home.org.admin.call("GET", "/api/v1/reports/sku-utilisation?format=xlsx")
    assert bad_format.status == 422


@pytest.mark.parametrize("spec", report_catalogue(), ids=lambda spec: spec.id)
def test_json_and_csv_carry_the_same_rows(home: Published, spec: object) -> None:
    report_id = getattr(spec, "id")  # noqa: B009 - the parametrised value is a ReportSpec
    columns = getattr(spec, "column_names")()  # noqa: B009
    as_json = home.org.admin.call("GET", f"/api/v1/reports/{report_id}")
    assert as_json.status == 200 and as_json.media_type == "application/json"
    document = as_json.json()
    assert {key: document[key] for key in ("report", "as_of", "run_id", "columns")} == {
        "report": report_id,
        "as_of": home.as_of.isoformat(),
        "run_id": home.run_id,
        "columns": columns,
    }
    rows = home.store.iter_report(report_id)
    assert rows is not None
    engine_rows = list(rows)
    # The generated tenant fills every report but the changes and realised savings, which need a previous
    # run to compare with, and right-sizing, which needs prices (this organisation set none).
    assert engine_rows or report_id in {"assurance-changes", "realised-savings", RIGHTSIZING_LIST}
    assert document["rows"] == [{name: row.get(name) for name in columns} for row in engine_rows]
    as_csv = home.org.admin.call("GET", f"/api/v1/reports/{report_id}?format=csv&as_of={home.as_of}")
    assert as_csv.status == 200
    table = _csv(as_csv)
    assert table[0] == columns
    assert len(table) - 1 == len(document["rows"]) == len(engine_rows)


def test_csv_is_a_safe_download(home: Published) -> None:
    response = home.org.user.call("GET", "/api/v1/reports/adoption-by-group?format=csv")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="adoption-by-group-{home.as_of.isoformat()}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in response.body and b"\n" not in response.body.replace(b"\r\n", b"")
    table = _csv(response)
    group = table[0].index("group")
    groups = {row[group] for row in table[1:]}
    assert "'" + FORMULA in groups  # the cell reads back as '=HYPERLINK("x")
    assert b'"\'=HYPERLINK(""x"")"' in response.body  # written as "'=HYPERLINK(""x"")"
    for row in table:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) for cell in row)
    # JSON is data, not a spreadsheet: the value is unchanged there.
    document = home.org.user.call("GET", "/api/v1/reports/adoption-by-group").json()
    assert FORMULA in {row["group"] for row in document["rows"]}


def test_reports_of_a_day_without_a_run_answer_404(home: Published) -> None:
    response = home.org.user.call("GET", "/api/v1/reports/sku-utilisation?as_of=2001-01-01&format=csv")
    assert (response.status, response.problem_type) == (404, "insights-not-published")
    assert response.media_type == "application/problem+json"
