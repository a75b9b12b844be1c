"""The realised-savings ledger: potential vs realised licence savings per month (user; the person-level
entries are the admin report `realised-savings`)."""

from __future__ import annotations

from datetime import timedelta

import azure.functions as func

from shared.api.insights import TrendQuery, insight_store, trend_range
from shared.http.adapter import Access, Api
from shared.http.request import ApiRequest
from shared.insights import Family
from shared.insights.ledger import SavingsLedger, ledger
from shared.insights.models import PublishedRun, UtilisationSummary
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
DEFAULT_DAYS = 365


@api.get(
    "v1/insights/utilisation/savings",
    access=Access.USER,
    summary="Realised-savings ledger: potential vs realised monthly savings per month, from `from` to `to` "
    f"(default: the {DEFAULT_DAYS} days to `to`)",
    query=TrendQuery,
    response=SavingsLedger,
    tags=("insights",),
    support_read=True,
)
def get_savings(request: ApiRequest) -> SavingsLedger:
    services = get_services()
    query = request.query_as(TrendQuery)
    if query.from_ is None:
        end = query.to or services.clock().date()
        query = query.model_copy(update={"from_": end - timedelta(days=DEFAULT_DAYS - 1), "to": end})
    start, end = trend_range(query, services.clock().date())
    store = insight_store(request, services)

    def summary_of(run: PublishedRun) -> UtilisationSummary | None:
        found = store.summary_of(Family.UTILISATION, run)
        return found if isinstance(found, UtilisationSummary) else None

    return ledger(store.published_between(start, end), store.ledger().entries, summary_of, start, end)
