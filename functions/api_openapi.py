"""The API contract, generated from the endpoint registry and the models (anonymous, like health)."""

from __future__ import annotations

from functools import cache
from typing import Any

import azure.functions as func

from shared.api.openapi import openapi_document
from shared.http.adapter import Access, Api, ApiResponse, endpoints
from shared.http.request import ApiRequest

bp = func.Blueprint()
api = Api(bp)


@cache
def _document() -> dict[str, Any]:
    # Built on first request, when every blueprint of the app has declared its endpoints.
    return openapi_document(endpoints())


@api.get("v1/openapi.json", access=Access.ANONYMOUS, summary="This OpenAPI 3.1 document", tags=("meta",))
def get_openapi(_request: ApiRequest) -> ApiResponse:
    return ApiResponse(body=_document())
