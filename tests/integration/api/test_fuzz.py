"""Fuzz every operation from the OpenAPI document (schemathesis): no 5xx, every response as documented.

Runs as a signed-in super admin of its own organisation, so requests get past authentication and reach
validation and the handlers. `DELETE /session` is left out: it would end the fuzzer's own session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.api.client import Actor, wsgi_app
from tests.integration.api.conftest import People

# The committed contract (the drift test keeps it equal to the generated one), driven in-process.
schema = schemathesis.openapi.from_path(Path(__file__).resolve().parents[3] / "openapi.json")
schema.app = wsgi_app
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzzer(people: People) -> Actor:
    return people.sign_up("Fuzz Ltd")


@schema.exclude(method="DELETE", path="/api/v1/session").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_contract(case: schemathesis.Case, fuzzer: Actor) -> None:
    case.call_and_validate(headers=fuzzer.headers, checks=CHECKS)
