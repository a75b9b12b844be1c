"""Organisation metadata over HTTP: licence prices and groups (with the inactivity threshold)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from shared.http.etags import etag_headers, require_if_match
from shared.http.request import ApiRequest
from shared.http.response import ApiResponse
from shared.metadata import (
    MAX_DEPARTMENTS,
    MAX_PRICED_SKUS,
    GroupingName,
    Groups,
    MetadataRepository,
    Price,
    Prices,
    SkuId,
)
from shared.services import Services


class PricesBody(Prices):
    """Prices keyed by SKU id (a GUID, stored lower-case)."""

    model_config = ConfigDict(extra="forbid")

    prices: dict[SkuId, Price] = Field(default_factory=dict, max_length=MAX_PRICED_SKUS)


class GroupsBody(Groups):
    """Department (as named in Microsoft Entra) → reporting group, each name 1-64 characters."""

    model_config = ConfigDict(extra="forbid")

    departments: dict[GroupingName, GroupingName] = Field(default_factory=dict, max_length=MAX_DEPARTMENTS)


def _repository(request: ApiRequest, services: Services) -> MetadataRepository:
    return services.org(request.tenant).metadata


def _shown(document: BaseModel, etag: str) -> ApiResponse:
    return ApiResponse(body=document, headers=etag_headers(etag))


def _replaced(
    request: ApiRequest, etag: str, body: BaseModel, save: Callable[[str | None], str]
) -> ApiResponse:
    require_if_match(request, etag)
    return _shown(body, save(etag or None))


def show_prices(request: ApiRequest, services: Services) -> ApiResponse:
    return _shown(*_repository(request, services).prices_with_etag())


def show_groups(request: ApiRequest, services: Services) -> ApiResponse:
    return _shown(*_repository(request, services).groups_with_etag())


def replace_prices(request: ApiRequest, body: PricesBody, services: Services) -> ApiResponse:
    repository = _repository(request, services)
    prices = Prices.model_validate(body.model_dump())
    etag = repository.prices_with_etag()[1]
    return _replaced(request, etag, prices, lambda current: repository.save_prices(prices, etag=current))


def replace_groups(request: ApiRequest, body: GroupsBody, services: Services) -> ApiResponse:
    repository = _repository(request, services)
    groups = Groups.model_validate(body.model_dump())
    etag = repository.groups_with_etag()[1]
    return _replaced(request, etag, groups, lambda current: repository.save_groups(groups, etag=current))
