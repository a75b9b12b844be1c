"""The Table service's size limits, enforced before a request: 64 KiB per property, 252 properties and
1 MiB per row. An oversize row is refused with `EntityTooLargeError` and nothing is written."""

from __future__ import annotations

import pytest

from shared.storage import NotFoundError, OrgTable, PageTokenSigner, StorageClients, TableName, TenantContext
from shared.storage.errors import EntityTooLargeError
from shared.storage.tables import MAX_PROPERTY_BYTES, join_text, split_text

FACE = "\U0001f600"  # outside the BMP: two UTF-16 units
UNITS = MAX_PROPERTY_BYTES // 2


@pytest.fixture
def table(clients: StorageClients, org_a: TenantContext, tokens: PageTokenSigner) -> OrgTable:
    return OrgTable(clients, org_a, TableName.METADATA, tokens=tokens)


@pytest.mark.parametrize(
    ("largest", "too_large"),
    [
        ("a" * UNITS, "a" * (UNITS + 1)),  # ASCII: two bytes a character in UTF-16
        ("é" * UNITS, "é" * (UNITS + 1)),  # Latin-1 is two bytes too, though one in UTF-8 here
        (FACE * (UNITS // 2), FACE * (UNITS // 2) + "a"),  # a surrogate pair counts twice
    ],
)
def test_a_string_property_holds_64_kib_and_no_more(table: OrgTable, largest: str, too_large: str) -> None:
    table.upsert("largest", {"text": largest})
    assert table.get("largest").properties["text"] == largest

    with pytest.raises(EntityTooLargeError, match="property text is over 64 KiB"):
        table.upsert("too-large", {"text": too_large})
    with pytest.raises(NotFoundError):
        table.get("too-large")


def test_binary_properties_rows_over_1_mib_and_too_many_properties_are_refused(table: OrgTable) -> None:
    with pytest.raises(EntityTooLargeError):
        table.insert("binary", {"blob": b"\0" * (MAX_PROPERTY_BYTES + 1)})
    with pytest.raises(EntityTooLargeError, match="over 1 MiB"):
        table.upsert("wide", {f"p{index}": "a" * UNITS for index in range(16)})
    with pytest.raises(EntityTooLargeError, match="at most 252 properties"):
        table.upsert("many", {f"p{index}": index for index in range(253)})
    with pytest.raises(EntityTooLargeError):
        table.upsert_many([("batched", {"text": "a" * (UNITS + 1)})])
    for row in ("binary", "wide", "many", "batched"):
        with pytest.raises(NotFoundError):
            table.get(row)


@pytest.mark.parametrize(
    "text", ["", "short", "a" * (3 * UNITS + 5), ("x" + FACE) * UNITS, FACE * (UNITS + 1)]
)
def test_split_text_round_trips_through_the_table_in_chunks_within_the_limit(
    table: OrgTable, text: str
) -> None:
    properties = split_text("document", text)
    assert all(len(chunk.encode("utf-16-le")) <= MAX_PROPERTY_BYTES for chunk in properties.values())

    table.upsert("document", properties)

    assert join_text("document", table.get("document").properties) == text
