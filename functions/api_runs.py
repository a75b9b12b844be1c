"""Refresh runs: progress and history (admin)."""

from __future__ import annotations

import azure.functions as func

from shared.api.runs import RunList, RunsQuery, get_run, list_runs
from shared.http.adapter import Access, Api
from shared.http.request import ApiRequest
from shared.runs import RunRecord
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("runs",)


@api.get(
    "v1/runs",
    access=Access.ADMIN,
    summary="Recent runs, newest first",
    query=RunsQuery,
    response=RunList,
    tags=TAGS,
)
def get_runs(request: ApiRequest) -> RunList:
    return list_runs(request, request.query_as(RunsQuery), get_services())


@api.get(
    "v1/runs/{run_id}",
    access=Access.ADMIN,
    summary="One run with its progress",
    response=RunRecord,
    tags=TAGS,
)
def get_one_run(request: ApiRequest) -> RunRecord:
    return get_run(request, get_services())
