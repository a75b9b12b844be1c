"""Refresh runs: progress and history of the caller's organisation.

Runs are shown as a reader should see them (`RunRecord.as_seen`): one that stopped making progress reads
`failed` with the reason, never `collecting` forever.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.api.lookup import RUN_ID, missing, path_id
from shared.http.request import ApiRequest, RequestModel
from shared.runs import RunRecord
from shared.services import Services


class RunsQuery(RequestModel):
    limit: int = Field(default=50, ge=1, le=200)


class RunList(BaseModel):
    """Newest first. An organisation has about one run a day, so one bounded list replaces paging."""

    items: list[RunRecord]


def list_runs(request: ApiRequest, query: RunsQuery, services: Services) -> RunList:
    runs = services.org(request.tenant).runs.list_recent(query.limit)
    now = services.clock()
    return RunList(items=[run.as_seen(now) for run in runs])


def get_run(request: ApiRequest, services: Services) -> RunRecord:
    run_id = path_id(request, "run_id", RUN_ID)
    run = services.org(request.tenant).runs.find(run_id)
    if run is None:
        raise missing(request, "run_id", run_id)
    return run.as_seen(services.clock())
