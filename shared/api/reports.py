"""Reports: the catalogue the caller's role may read, and one report's rows as JSON or a CSV download.

A report's rows are the detail list its published run wrote (`insights/<as_of>/<run_id>/<id>.jsonl.gz`
in the organisation's own container). The run is resolved once and its list read by the name that run
recorded, so the document's `run_id` and its rows always belong to the same run. The body is written
row by row into one buffer: a long report is never held as a list of rows nor copied row by row.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.api.csv_export import CSV_CONTENT_TYPE, CSV_MEDIA_TYPE, write_csv
from shared.api.insights import InsightQuery, insight_store, not_published
from shared.http.problems import ApiError, forbidden, not_found
from shared.http.request import JSON_MEDIA_TYPE, ApiRequest
from shared.http.response import ApiResponse
from shared.insights import Column, Family, PublishedRun, ReportSpec, report_catalogue, report_spec
from shared.insights.store import InsightStore
from shared.roles import rank
from shared.services import Services
from shared.storage import NotFoundError


class ReportQuery(InsightQuery):
    format: Literal["json", "csv"] = Field(default="json", description="`csv`: a download (UTF-8, BOM)")


class ReportInfo(BaseModel):
    id: str
    title: str
    description: str
    family: Family
    min_role: Literal["user", "admin"]
    person_level: bool
    columns: list[Column]

    @classmethod
    def of(cls, spec: ReportSpec) -> ReportInfo:
        return cls.model_validate(spec.model_dump())


class ReportCatalogue(BaseModel):
    """The reports the caller's role may read (person-level ones need `admin`)."""

    items: list[ReportInfo]


class ReportDocument(BaseModel):
    """One report of one published run; each row has exactly the report's columns, in their order."""

    report: str
    as_of: date
    run_id: str
    columns: list[str]
    rows: list[dict[str, Any]]


def list_reports(request: ApiRequest) -> ReportCatalogue:
    role = request.role
    return ReportCatalogue(items=[ReportInfo.of(spec) for spec in report_catalogue(role)])


def _readable_spec(request: ApiRequest, report_id: str) -> ReportSpec:
    spec = report_spec(report_id)
    if spec is None:
        raise not_found()  # report ids are global names, not an organisation's data
    if rank(request.role) < rank(spec.min_role):
        raise forbidden("This report names people: it needs the admin role.")
    return spec


def _rows(store: InsightStore, run: PublishedRun, spec: ReportSpec) -> Iterator[list[Any]]:
    names = spec.column_names()
    for row in store.iter_list(run, spec.id):
        yield [row.get(name) for name in names]


def _json_body(spec: ReportSpec, run: PublishedRun, rows: Iterator[list[Any]]) -> bytes:
    names = spec.column_names()
    head = {"report": spec.id, "as_of": run.as_of.isoformat(), "run_id": run.run_id, "columns": names}
    out = io.BytesIO()
    out.write(json.dumps(head, separators=(",", ":"))[:-1].encode())
    out.write(b',"rows":[')
    for number, values in enumerate(rows):
        if number:
            out.write(b",")
        row = dict(zip(names, values, strict=True))
        out.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False, default=str).encode())
    out.write(b"]}")
    return out.getvalue()


def _csv_body(spec: ReportSpec, rows: Iterator[list[Any]]) -> bytes:
    out = io.BytesIO()
    write_csv(out, spec.column_names(), rows)
    return out.getvalue()


def get_report(request: ApiRequest, query: ReportQuery, services: Services) -> ApiResponse:
    spec = _readable_spec(request, request.route_params.get("report_id", ""))
    store = insight_store(request, services)
    run = store.published(query.as_of)
    if run is None:
        raise not_published(query.as_of)
    if spec.id not in run.lists:
        raise ApiError(404, "report-not-in-run", "Report not in this run", "The run did not produce it.")
    request.audit.target = f"report={spec.id},run_id={run.run_id},format={query.format}"
    rows = _rows(store, run, spec)
    try:
        if query.format == "csv":
            filename = f"{spec.id}-{run.as_of.isoformat()}.csv"
            return ApiResponse(
                body=_csv_body(spec, rows),
                headers={
                    "Content-Type": CSV_CONTENT_TYPE,
                    "Content-Disposition": f'attachment; filename="{filename}"',
                },
                media_type=CSV_MEDIA_TYPE,
            )
        return ApiResponse(body=_json_body(spec, run, rows), media_type=JSON_MEDIA_TYPE)
    except NotFoundError:
        # Retention removed the run's list between the pointer read and this one.
        raise ApiError(404, "report-not-in-run", "Report not in this run", "Try again.") from None
