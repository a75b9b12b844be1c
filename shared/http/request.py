"""The request a route handler sees: plain data, independent of the Functions runtime."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.http.problems import ApiError, bad_request, unsupported_media_type

JSON_MEDIA_TYPE = "application/json"


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused rather than silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


BodyT = TypeVar("BodyT", bound=BaseModel)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def is_json_media_type(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == JSON_MEDIA_TYPE


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    route_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    request_id: str
    client_address: str | None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self, model: type[BodyT]) -> BodyT:
        """Parse the body as JSON into `model`: 415 for another media type, 400 malformed, 422 invalid."""
        if not is_json_media_type(self.header("content-type")):
            raise unsupported_media_type()
        try:
            document = json.loads(self.body.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise bad_request("The body is not valid UTF-8 JSON.") from None
        try:
            return model.model_validate(document)
        except ValidationError as error:
            raise ApiError(
                422,
                "validation-error",
                "The request body is invalid",
                extensions={
                    # Location and reason only: echoing the input could reflect secrets into logs.
                    "errors": [
                        {"loc": [str(part) for part in item["loc"]], "msg": item["msg"], "type": item["type"]}
                        for item in error.errors()
                    ]
                },
            ) from None
