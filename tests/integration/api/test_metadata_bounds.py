"""Metadata size bounds through the API: what fits the body limit is stored, anything out of bounds is 422,
never 500."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from shared.metadata import MAX_DEPARTMENTS
from tests.integration.api.client import Actor
from tests.integration.api.conftest import Org, People

BODY_LIMIT = 65536


def _put(actor: Actor, path: str, body: dict[str, Any]) -> Any:
    """PUT `body` as compact UTF-8 JSON (as a browser sends it), within the body limit."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(raw) <= BODY_LIMIT, "the body limit is not the point here"
    etag = actor.call("GET", path).headers.get("ETag") or "*"
    return actor.call("PUT", path, raw=raw, headers={"if-match": etag, "content-type": "application/json"})


@pytest.fixture(scope="module")
def org(people: People) -> Org:
    return people.organisation("Bounds Ltd")


def test_two_thousand_non_ascii_departments_are_stored_and_read_back(org: Org) -> None:
    # Under 64 KB as a UTF-8 body, but over the 64 KiB a single table property holds as UTF-16.
    departments = {f"Équipe-{index:04d}": f"Région-{index % 40:02d}" for index in range(2000)}
    assert len(json.dumps(departments, ensure_ascii=False).encode("utf-16-le")) > 65536

    saved = _put(
        org.super_admin, "/api/v1/metadata/groups", {"departments": departments, "inactivity_days": 60}
    )

    assert saved.status == 200, saved.body
    read = org.admin.call("GET", "/api/v1/metadata/groups").json()
    assert read == {"departments": departments, "inactivity_days": 60}


def test_hundreds_of_prices_are_stored_and_keys_are_lower_case_sku_ids(org: Org) -> None:
    prices = {str(uuid.uuid4()).upper(): {"currency": "GBP", "monthly": 12.5} for _ in range(600)}

    saved = _put(org.super_admin, "/api/v1/metadata/prices", {"prices": prices})

    assert saved.status == 200, saved.body
    read = org.admin.call("GET", "/api/v1/metadata/prices").json()["prices"]
    assert read == {sku.lower(): price for sku, price in prices.items()}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/metadata/prices", {"prices": {"x" * 20_000: {"currency": "GBP", "monthly": 1}}}),
        ("/api/v1/metadata/prices", {"prices": {"SPE_E5": {"currency": "GBP", "monthly": 1}}}),
        ("/api/v1/metadata/groups", {"departments": {"D" * 65: "Sales"}}),
        ("/api/v1/metadata/groups", {"departments": {"Sales": "G" * 65}}),
        ("/api/v1/metadata/groups", {"departments": {"": "Sales"}}),
        ("/api/v1/metadata/groups", {"departments": {"Sales": "Evil\u202egroup"}}),
        ("/api/v1/metadata/groups", {"departments": {"Sales\x00": "Sales"}}),
        (
            "/api/v1/metadata/groups",
            {"departments": {f"d{index}": "g" for index in range(MAX_DEPARTMENTS + 1)}},
        ),
    ],
    ids=["long-key", "part-number", "long-department", "long-group", "empty", "bidi", "nul", "too-many"],
)
def test_out_of_bounds_metadata_is_422(org: Org, path: str, body: dict[str, Any]) -> None:
    refused = _put(org.super_admin, path, body)
    assert (refused.status, refused.problem_type) == (422, "validation-error"), refused.body
