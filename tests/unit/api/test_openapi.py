"""The committed OpenAPI document is the generated one. Regenerate after an API change with:

UPDATE_OPENAPI=1 .venv/bin/pytest tests/unit/api/test_openapi.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from shared.api.openapi import openapi_document, render
from shared.http.adapter import Access, endpoints
from tests.unit.test_http_pipeline import FUNCTIONS, call

COMMITTED = Path(__file__).resolve().parents[3] / "openapi.json"


def test_committed_document_matches_the_code() -> None:
    generated = render(openapi_document(endpoints()))
    if os.environ.get("UPDATE_OPENAPI") == "1":
        COMMITTED.write_text(generated, encoding="utf-8")
    assert COMMITTED.read_text(encoding="utf-8") == generated, (
        "openapi.json drifted: UPDATE_OPENAPI=1 .venv/bin/pytest tests/unit/api/test_openapi.py"
    )


def test_every_registered_route_is_documented_with_its_minimum_role() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    routes = {
        "/api/" + binding.route
        for function in FUNCTIONS.values()
        for binding in function.get_bindings()
        if getattr(binding, "route", None)
    }
    routes.discard("/api/{*path}")
    assert routes <= set(document["paths"])
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert operation["x-min-role"] in {access.value for access in Access}, path
            assert not re.search(
                r"token|session|secret",
                " ".join(p["name"] for p in operation["parameters"] if p["in"] == "query"),
            )


def test_served_document_is_the_committed_one() -> None:
    response = call("http_v1_openapi_json")
    assert response.status_code == 200
    assert json.loads(response.get_body()) == json.loads(COMMITTED.read_text(encoding="utf-8"))
