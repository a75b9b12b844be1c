"""The organisation's audit log (admin)."""

from __future__ import annotations

import azure.functions as func

from shared.api.audit_query import AuditPage, AuditQuery, query_audit
from shared.http.adapter import Access, Api
from shared.http.request import ApiRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)


@api.get(
    "v1/audit",
    access=Access.ADMIN,
    summary="Audit log, newest first: filter by from/to, action, actor, outcome",
    query=AuditQuery,
    response=AuditPage,
    tags=("audit",),
)
def get_audit(request: ApiRequest) -> AuditPage:
    return query_audit(request, request.query_as(AuditQuery), get_services())
