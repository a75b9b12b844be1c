"""Risk acceptances and the changes between runs over HTTP (admins; see `shared.insights.acceptance` and
`shared.insights.changes`). Each acceptance answers with its `ETag`; changing or revoking one needs it
in `If-Match`. Every call leaves its audit row (the target names the acceptance and its check)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.api.insights import insight_store, not_published
from shared.http.etags import etag_headers, require_if_match
from shared.http.problems import ApiError, conflict, not_found, precondition_failed
from shared.http.request import ApiRequest, RequestModel
from shared.http.response import ApiResponse
from shared.insights.acceptance import (
    Acceptance,
    AcceptanceRepository,
    AcceptanceState,
    latest_expiry,
    new_acceptance,
)
from shared.insights.assurance import AccountRule
from shared.insights.changes import FINDINGS_LIST
from shared.insights.checks import CHECKS_BY_ID
from shared.insights.engine import CHANGES_LIST
from shared.insights.models import AssuranceSummary, ChangeSummary, Family, PublishedRun
from shared.insights.store import InsightStore
from shared.services import Services
from shared.storage import ConcurrencyError

MAX_CHANGE_DAYS = 31
Reason = Field(min_length=1, max_length=1000, description="Why the risk is accepted")
Owner = Field(min_length=1, max_length=200, description="Who answers for the risk (a name or a team)")


class AcceptanceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check_id: str = Field(max_length=100, description="The failing or warning check")
    subject_id: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Fa-f-]{36}$",
        description="One finding of it: the `subject_id` of its `assurance-findings` row (omit: whole check)",
    )
    reason: str = Reason
    owner: str = Owner
    expires_on: date = Field(description="The last day it holds: today at the earliest, 12 months at most")


class AcceptanceChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, min_length=1, max_length=1000)
    owner: str | None = Field(default=None, min_length=1, max_length=200)
    expires_on: date | None = None


class AcceptanceView(Acceptance):
    state: AcceptanceState


class AcceptanceList(BaseModel):
    acceptances: list[AcceptanceView]


class ChangesQuery(RequestModel):
    as_of: date | None = Field(default=None, description="The day of the run (default: the current run)")
    from_: date | None = Field(default=None, alias="from", description="First day of a range (with `to`)")
    to: date | None = Field(
        default=None, description=f"Last day of a range, inclusive (at most {MAX_CHANGE_DAYS} days)"
    )


class RunChanges(BaseModel):
    run_id: str
    as_of: date
    summary: ChangeSummary | None  # None: published before changes were recorded
    rows: list[dict[str, Any]]  # the run's `assurance-changes` report


class ChangesList(BaseModel):
    runs: list[RunChanges]  # oldest first


def _repository(request: ApiRequest, services: Services) -> AcceptanceRepository:
    return services.org(request.tenant).acceptances


def _shown(acceptance: Acceptance, etag: str, services: Services, status: int = 200) -> ApiResponse:
    view = AcceptanceView(**acceptance.model_dump(), state=acceptance.state_on(services.clock().date()))
    return ApiResponse(status=status, body=view, headers=etag_headers(etag))


def _invalid(detail: str) -> ApiError:
    return ApiError(422, "invalid-acceptance", "The acceptance is invalid", detail)


def _check_expiry(expires_on: date, today: date) -> None:
    if not today <= expires_on <= latest_expiry(today):
        raise _invalid(f"`expires_on` must be from {today} to {latest_expiry(today)} (at most 12 months).")


def _loaded(request: ApiRequest, services: Services) -> tuple[Acceptance, str]:
    found = _repository(request, services).find(request.route_params.get("acceptance_id", ""))
    if found is None:
        raise not_found()
    request.audit.target = f"acceptance_id={found[0].acceptance_id},check_id={found[0].check_id}"
    return found


def _require_failing(store: InsightStore, body: AcceptanceBody) -> None:
    """Only what the current run finds failing or warning (or already accepted) can be accepted."""
    current = store.summary(Family.ASSURANCE)
    checks = current.checks if isinstance(current, AssuranceSummary) else []
    check = next((c for c in checks if c.id == body.check_id), None)
    verdict = (check.verdict or check.status) if check else None
    if verdict not in ("fail", "warn"):
        raise conflict(
            "check-not-failing", "Nothing to accept", "The current run does not find this check failing."
        )
    if body.subject_id is None:
        return
    rows = store.iter_report(FINDINGS_LIST) or iter(())
    subject = body.subject_id.lower()
    if not any(row["check_id"] == body.check_id and row.get("subject_id") == subject for row in rows):
        raise conflict(
            "finding-not-found", "Nothing to accept", "The current run has no such finding of this check."
        )


def list_acceptances(request: ApiRequest, services: Services) -> AcceptanceList:
    today = services.clock().date()
    return AcceptanceList(
        acceptances=[
            AcceptanceView(**a.model_dump(), state=a.state_on(today))
            for a, _ in _repository(request, services).all()
        ]
    )


def show_acceptance(request: ApiRequest, services: Services) -> ApiResponse:
    return _shown(*_loaded(request, services), services)


def create_acceptance(request: ApiRequest, body: AcceptanceBody, services: Services) -> ApiResponse:
    check = CHECKS_BY_ID.get(body.check_id)
    if check is None:
        raise _invalid(f"There is no check `{body.check_id}`.")
    if body.subject_id is not None and not isinstance(check, AccountRule):
        raise _invalid(f"`{body.check_id}` is a whole-tenant check: it has no findings to accept one of.")
    now = services.clock()
    _check_expiry(body.expires_on, now.date())
    _require_failing(insight_store(request, services), body)
    repository = _repository(request, services)
    subject = body.subject_id.lower() if body.subject_id else None
    if any(
        a.check_id == body.check_id and a.subject_id == subject and a.state_on(now.date()) == "active"
        for a, _ in repository.all()
    ):
        raise conflict("already-accepted", "Already accepted", "An active acceptance covers this already.")
    acceptance = new_acceptance(
        check_id=body.check_id,
        subject_id=subject,
        reason=body.reason,
        owner=body.owner,
        expires_on=body.expires_on,
        member_id=request.member.member_id,
        now=now,
    )
    request.audit.target = f"acceptance_id={acceptance.acceptance_id},check_id={acceptance.check_id}"
    return _shown(acceptance, repository.create(acceptance), services, status=201)


def _changed(request: ApiRequest, services: Services, update: dict[str, Any]) -> ApiResponse:
    acceptance, etag = _loaded(request, services)
    require_if_match(request, etag)
    now = services.clock()
    state = acceptance.state_on(now.date())
    if state != "active":
        raise conflict("acceptance-ended", "The acceptance has ended", f"It is {state}.")
    changed = acceptance.model_copy(
        update={**update, "updated_at": now, "updated_by": request.member.member_id}
    )
    try:
        new_etag = _repository(request, services).replace(changed, etag)
    except ConcurrencyError:
        raise precondition_failed() from None
    return _shown(changed, new_etag, services)


def change_acceptance(request: ApiRequest, body: AcceptanceChange, services: Services) -> ApiResponse:
    update = body.model_dump(exclude_none=True)
    if "expires_on" in update:
        _check_expiry(update["expires_on"], services.clock().date())
    return _changed(request, services, update)


def revoke_acceptance(request: ApiRequest, services: Services) -> ApiResponse:
    now = services.clock()
    return _changed(request, services, {"revoked_at": now, "revoked_by": request.member.member_id})


def _run_changes(store: InsightStore, run: PublishedRun) -> RunChanges:
    summary = store.summary_of(Family.ASSURANCE, run)
    rows: Iterator[dict[str, Any]] = store.iter_report(CHANGES_LIST, run.as_of) or iter(())
    changes = summary.changes if isinstance(summary, AssuranceSummary) else None
    return RunChanges(run_id=run.run_id, as_of=run.as_of, summary=changes, rows=list(rows))


def get_changes(request: ApiRequest, query: ChangesQuery, services: Services) -> ChangesList:
    store = insight_store(request, services)
    if query.from_ is None and query.to is None:
        run = store.published(query.as_of)
        if run is None:
            raise not_published(query.as_of)
        request.audit.target = f"run_id={run.run_id}"
        return ChangesList(runs=[_run_changes(store, run)])
    if query.as_of is not None or query.from_ is None or query.to is None:
        raise ApiError(
            422, "invalid-date-range", "The date range is invalid", "Give `as_of`, or both `from` and `to`."
        )
    if query.from_ > query.to or query.to - query.from_ >= timedelta(days=MAX_CHANGE_DAYS):
        raise ApiError(
            422,
            "invalid-date-range",
            "The date range is invalid",
            f"`from` must not be after `to`, and a range covers at most {MAX_CHANGE_DAYS} days.",
        )
    return ChangesList(
        runs=[_run_changes(store, run) for run in store.published_between(query.from_, query.to)]
    )
