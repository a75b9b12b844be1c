"""Organisation metadata: licence prices and groups (admin reads, super admin writes)."""

from __future__ import annotations

import azure.functions as func

from shared.api.metadata import (
    GroupsBody,
    PricesBody,
    replace_groups,
    replace_prices,
    show_groups,
    show_prices,
)
from shared.http.adapter import Access, Api, ApiResponse
from shared.http.request import ApiRequest
from shared.metadata import Groups, Prices
from shared.services import get_services

bp = func.Blueprint()
api = Api(bp)
TAGS = ("metadata",)
PRICES = "v1/metadata/prices"
GROUPS = "v1/metadata/groups"


@api.get(PRICES, access=Access.ADMIN, summary="Monthly licence prices per SKU", response=Prices, tags=TAGS)
def get_prices(request: ApiRequest) -> ApiResponse:
    return show_prices(request, get_services())


@api.put(
    PRICES,
    access=Access.SUPER_ADMIN,
    summary="Replace prices (If-Match once set)",
    body=PricesBody,
    response=Prices,
    tags=TAGS,
)
def put_prices(request: ApiRequest) -> ApiResponse:
    return replace_prices(request, request.json(PricesBody), get_services())


@api.get(
    GROUPS,
    access=Access.ADMIN,
    summary="Department groups and inactivity threshold",
    response=Groups,
    tags=TAGS,
)
def get_groups(request: ApiRequest) -> ApiResponse:
    return show_groups(request, get_services())


@api.put(
    GROUPS,
    access=Access.SUPER_ADMIN,
    summary="Replace groups (If-Match once set)",
    body=GroupsBody,
    response=Groups,
    tags=TAGS,
)
def put_groups(request: ApiRequest) -> ApiResponse:
    return replace_groups(request, request.json(GroupsBody), get_services())
