"""The OpenAPI 3.1 document, generated from the endpoint registry and the pydantic models.

Every endpoint contributes its method, path, summary, minimum role (`x-min-role`), security, query and
path parameters, request body and success response; every error is an RFC 9457 problem (`default`).
The committed copy (`openapi.json` at the repository root) is checked against this by a test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.auth.roles import Access
from shared.http.adapter import Endpoint
from shared.http.problems import PROBLEM_MEDIA_TYPE, Problem
from shared.http.request import JSON_MEDIA_TYPE

TITLE = "Insight365 API"
VERSION = "1.0.0"
API_VERSION_PREFIX = "v1/"
REF_TEMPLATE = "#/components/schemas/{model}"
_PATH_PARAMETER = re.compile(r"{([A-Za-z_]+)}")
PATH_PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "member_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    "request_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    "run_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "report_id": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"},
    "grant_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "session": {"type": "apiKey", "in": "header", "name": "X-Session"},
}
_UPDATES = frozenset({"PUT", "PATCH"})


def _security(access: Access) -> list[dict[str, list[str]]]:
    if access is Access.ANONYMOUS:
        return []
    if not access.needs_session:  # a bearer token only: before a session exists
        return [{"bearer": []}]
    return [{"bearer": [], "session": []}]


Refs = dict[Any, dict[str, Any]]  # (model, mode) -> {"$ref": ...}


def _schemas(endpoints: Iterable[Endpoint]) -> tuple[Refs, dict[str, Any]]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for endpoint in endpoints:
        if endpoint.body is not None:
            models.append((endpoint.body, "validation"))
        if endpoint.response is not None:
            models.append((endpoint.response, "serialization"))
    unique = list(dict.fromkeys(models))
    refs, definitions = models_json_schema(unique, ref_template=REF_TEMPLATE)
    found: Refs = dict(refs)
    return found, definitions.get("$defs", {})


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True, ref_template=REF_TEMPLATE)
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": property_schema}
        for name, property_schema in schema.get("properties", {}).items()
    ]


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": PATH_PARAMETER_SCHEMAS.get(name, {"type": "string"}),
        }
        for name in _PATH_PARAMETER.findall(endpoint.path)
    ]
    if endpoint.query is not None:
        parameters += _query_parameters(endpoint.query)
    if endpoint.method in _UPDATES:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "The ETag read; required when the resource exists (428 without, 412 if stale)",
                "schema": {"type": "string"},
            }
        )
    return parameters


def _content(schema: dict[str, Any], media_types: Iterable[str]) -> dict[str, Any]:
    return {
        media_type: {"schema": schema if media_type == JSON_MEDIA_TYPE else {"type": "string"}}
        for media_type in media_types
    }


def _operation(endpoint: Endpoint, refs: Refs) -> dict[str, Any]:
    success: dict[str, Any] = {"description": endpoint.summary or "Success"}
    if endpoint.response is not None:
        success["content"] = _content(refs[(endpoint.response, "serialization")], endpoint.media_types)
    operation: dict[str, Any] = {
        "operationId": f"{endpoint.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', endpoint.path).strip('_')}",
        "summary": endpoint.summary,
        "tags": list(endpoint.tags),
        "x-min-role": endpoint.access.value,
        "security": _security(endpoint.access),
        "parameters": _parameters(endpoint),
        "responses": {
            str(endpoint.status): success,
            "default": {
                "description": "An RFC 9457 problem",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": refs[(Problem, "serialization")]}},
            },
        },
    }
    if endpoint.support_read:  # an operator may call it under a support grant the organisation approved
        operation["x-support-read"] = True
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {JSON_MEDIA_TYPE: {"schema": refs[(endpoint.body, "validation")]}},
        }
    return operation


def openapi_document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    """The contract of API version 1: every endpoint under `v1/`."""
    ordered = sorted(
        (endpoint for endpoint in endpoints if endpoint.path.startswith(API_VERSION_PREFIX)),
        key=lambda endpoint: (endpoint.path, endpoint.method),
    )
    refs, definitions = _schemas(ordered)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ordered:
        paths.setdefault(f"/api/{endpoint.path}", {})[endpoint.method.lower()] = _operation(endpoint, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION},
        "paths": paths,
        "components": {"schemas": definitions, "securitySchemes": SECURITY_SCHEMES},
    }


def render(document: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indents, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
