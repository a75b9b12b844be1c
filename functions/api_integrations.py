"""The Microsoft 365 connection (write-only secret, tested on connect), test connection, and refresh now
(super admin)."""

from __future__ import annotations

import azure.functions as func

from shared.api.integration import (
    ConnectionTestView,
    IntegrationBody,
    IntegrationView,
    RefreshAccepted,
    check_stored_connection,
    connect,
    disconnect,
    refresh,
    show,
)
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("integration",)
M365 = "v1/integrations/m365"


@api.get(
    M365,
    access=Access.SUPER_ADMIN,
    summary="Connection status (never the secret)",
    response=IntegrationView,
    tags=TAGS,
)
def get_integration(request: ApiRequest) -> ApiResponse:
    return show(request, get_services())


@api.put(
    M365,
    access=Access.SUPER_ADMIN,
    summary="Connect the tenant (If-Match when replacing): tested first, 422 when Entra ID refuses the "
    "credentials; the secret is write-only",
    body=IntegrationBody,
    response=IntegrationView,
    tags=TAGS,
)
def put_integration(request: ApiRequest) -> ApiResponse:
    return connect(request, request.json(IntegrationBody), get_services())


@api.delete(
    M365, access=Access.SUPER_ADMIN, summary="Disconnect and delete the secret", status=204, tags=TAGS
)
def delete_integration(request: ApiRequest) -> ApiResponse:
    return disconnect(request, get_services())


@api.post(
    M365 + "/test",
    access=Access.SUPER_ADMIN,
    summary="Test the stored connection: token, then one cheap Graph call per permission needed",
    response=ConnectionTestView,
    tags=TAGS,
)
def post_test(request: ApiRequest) -> ConnectionTestView:
    return check_stored_connection(request, get_services())


@api.post(
    M365 + "/refresh",
    access=Access.SUPER_ADMIN,
    summary="Refresh now: collect (once per 15 minutes unless the last one failed), or recompute the "
    "published run when settings changed, or answer the run under way",
    response=RefreshAccepted,
    status=202,
    tags=TAGS,
)
def post_refresh(request: ApiRequest) -> ApiResponse:
    return refresh(request, get_services())
