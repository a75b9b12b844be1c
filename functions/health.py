"""Liveness: answers without touching storage and says nothing about versions or dependencies."""

from __future__ import annotations

from typing import Literal

import azure.functions as func
from pydantic import BaseModel

from shared.http.adapter import Access, Api
from shared.http.request import ApiRequest

bp = func.Blueprint()
api = Api(bp)


class Health(BaseModel):
    status: Literal["ok"] = "ok"


@api.get("v1/health", access=Access.ANONYMOUS)
def get_health(_request: ApiRequest) -> Health:
    return Health()
