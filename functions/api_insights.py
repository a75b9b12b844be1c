"""Insight summaries and daily trends: utilisation, adoption, productivity (user) and assurance (admin).

Each family has its own two routes, so each declares its own minimum role (deny by default).
"""

from __future__ import annotations

import azure.functions as func

from shared.api.insights import InsightQuery, TrendQuery, get_summary, get_trend
from shared.http.adapter import Access, Api
from shared.http.request import ApiRequest
from shared.http.response import Handler
from shared.insights import (
    AdoptionSummary,
    AssuranceSummary,
    Family,
    Payload,
    ProductivitySummary,
    TrendSeries,
    UtilisationSummary,
)
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("insights",)

FAMILIES: dict[Family, tuple[Access, type[Payload], str]] = {
    Family.UTILISATION: (Access.USER, UtilisationSummary, "Licence utilisation"),
    Family.ADOPTION: (Access.USER, AdoptionSummary, "Adoption by workload"),
    Family.PRODUCTIVITY: (Access.USER, ProductivitySummary, "Productivity aggregates"),
    Family.ASSURANCE: (Access.ADMIN, AssuranceSummary, "Security assurance checks and posture score"),
}


def _declare(family: Family, access: Access, payload: type[Payload], title: str) -> tuple[Handler, Handler]:
    @api.get(
        f"v1/insights/{family.value}",
        access=access,
        summary=f"{title} of the published run (`as_of`: that day's run)",
        query=InsightQuery,
        response=payload,
        tags=TAGS,
        support_read=True,
    )
    def summary(request: ApiRequest) -> Payload:
        return get_summary(request, family, request.query_as(InsightQuery), get_services())

    @api.get(
        f"v1/insights/{family.value}/trend",
        access=access,
        summary=f"{title}: daily headline numbers from `from` to `to`",
        query=TrendQuery,
        response=TrendSeries,
        tags=TAGS,
        support_read=True,
    )
    def trend(request: ApiRequest) -> TrendSeries:
        return get_trend(request, family, request.query_as(TrendQuery), get_services())

    summary.__name__, trend.__name__ = f"get_{family.value}", f"get_{family.value}_trend"
    return summary, trend


HANDLERS = {family: _declare(family, *declaration) for family, declaration in FAMILIES.items()}
