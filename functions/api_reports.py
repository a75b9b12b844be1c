"""Reports: the catalogue (filtered by role) and one report as JSON or a CSV download (per-report role)."""

from __future__ import annotations

import azure.functions as func

from shared.api.csv_export import CSV_MEDIA_TYPE
from shared.api.reports import ReportCatalogue, ReportDocument, ReportQuery, get_report, list_reports
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import JSON_MEDIA_TYPE, ApiRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("reports",)


@api.get(
    "v1/reports",
    access=Access.USER,
    summary="The reports your role may read",
    response=ReportCatalogue,
    tags=TAGS,
    support_read=True,
)
def get_reports(request: ApiRequest) -> ReportCatalogue:
    return list_reports(request)


@api.get(
    "v1/reports/{report_id}",
    access=Access.USER,  # the minimum; each report's own role is checked by the handler (403)
    summary="One report of the published run, as JSON or a CSV download",
    query=ReportQuery,
    response=ReportDocument,
    media_types=(JSON_MEDIA_TYPE, CSV_MEDIA_TYPE),
    tags=TAGS,
    support_read=True,
)
def get_one_report(request: ApiRequest) -> ApiResponse:
    return get_report(request, request.query_as(ReportQuery), get_services())
