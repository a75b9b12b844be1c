"""What a route handler returns when a bare model is not enough (status, headers, another media type)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from shared.http.request import JSON_MEDIA_TYPE, ApiRequest


@dataclass(frozen=True)
class ApiResponse:
    status: int = 200
    body: BaseModel | Mapping[str, Any] | Sequence[Any] | bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    media_type: str = JSON_MEDIA_TYPE


Handler = Callable[[ApiRequest], BaseModel | ApiResponse]
