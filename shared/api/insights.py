"""Insight summaries and daily trends of the caller's organisation, from its published runs.

The organisation comes from the session (`request.tenant`), so another organisation's runs are simply
not there: a day it published answers 404 here, exactly like a day nobody published.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field

from shared.http.problems import ApiError
from shared.http.request import ApiRequest, RequestModel
from shared.insights import Family, InsightStore, Payload, TrendSeries
from shared.services import Services

MAX_TREND_DAYS = 400  # runs are kept 400 days (README "Data we hold")
DEFAULT_TREND_DAYS = 30


class InsightQuery(RequestModel):
    as_of: date | None = Field(default=None, description="The day of the run (default: the current run)")


class TrendQuery(RequestModel):
    from_: date | None = Field(
        default=None, alias="from", description=f"First day (default: {DEFAULT_TREND_DAYS} days to `to`)"
    )
    to: date | None = Field(default=None, description="Last day, inclusive (default: today, UTC)")


def insight_store(request: ApiRequest, services: Services) -> InsightStore:
    return services.org(request.tenant).insights


def not_published(as_of: date | None) -> ApiError:
    day = "yet" if as_of is None else f"for {as_of.isoformat()}"
    return ApiError(
        404,
        "insights-not-published",
        "No insights published",
        f"No refresh has been published {day}.",
    )


def _invalid_range(detail: str) -> ApiError:
    return ApiError(422, "invalid-date-range", "The date range is invalid", detail)


def trend_range(query: TrendQuery, today: date) -> tuple[date, date]:
    """`from`..`to` with defaults filled in; 422 unless from ≤ to and the span is at most the limit."""
    end = query.to or today
    if end >= date.max:
        raise _invalid_range(f"`to` must be before {date.max.isoformat()}.")
    if query.from_ is not None:
        start = query.from_
    else:
        start = max(date.min, end - timedelta(days=min(DEFAULT_TREND_DAYS - 1, (end - date.min).days)))
    if start > end:
        raise _invalid_range("`from` must not be after `to`.")
    if (end - start).days + 1 > MAX_TREND_DAYS:
        raise _invalid_range(f"A trend covers at most {MAX_TREND_DAYS} days.")
    return start, end


def get_summary(request: ApiRequest, family: Family, query: InsightQuery, services: Services) -> Payload:
    payload = insight_store(request, services).summary(family, query.as_of)
    if payload is None:
        raise not_published(query.as_of)
    request.audit.target = f"run_id={payload.run_id}"
    return payload


def get_trend(request: ApiRequest, family: Family, query: TrendQuery, services: Services) -> TrendSeries:
    start, end = trend_range(query, services.clock().date())
    return insight_store(request, services).trend(family, start, end)
