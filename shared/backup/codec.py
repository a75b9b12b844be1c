"""Table rows as JSON lines that restore to the same entity, types included.

A property is written as a plain JSON value when JSON keeps its type (strings, booleans, 32-bit integers,
finite doubles), and otherwise as a one-key object naming its EDM type with the value as the service
spells it: `{"Edm.Int64": "9007199254740993"}`, `{"Edm.DateTime": "2026-06-15T12:00:00.1234567Z"}` (all
seven fractional digits, which a Python datetime cannot hold), `{"Edm.Binary": "<base64>"}`,
`{"Edm.Guid": "…"}`, `{"Edm.Double": "NaN"}`. No property is a JSON object otherwise, so the two forms
never collide. Type names: https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations
"""

from __future__ import annotations

import base64
import math
import uuid
from datetime import UTC, datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

Row = dict[str, Any]  # PartitionKey, RowKey and the properties, as the tables SDK hands them out
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _service_datetime(value: datetime) -> str:
    service_value = getattr(value, "tables_service_value", "")  # the SDK keeps the service's spelling
    if service_value:
        return str(service_value)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode_value(value: Any) -> Any:  # noqa: PLR0911 - one branch per EDM type
    if isinstance(value, EntityProperty):
        return {str(EdmType(value.edm_type).value): str(value.value)}
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if _INT32_MIN <= value <= _INT32_MAX else {EdmType.INT64.value: str(value)}
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        spelling = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return {EdmType.DOUBLE.value: spelling}
    if isinstance(value, datetime):
        return {EdmType.DATETIME.value: _service_datetime(value)}
    if isinstance(value, bytes | bytearray):
        return {EdmType.BINARY.value: base64.b64encode(value).decode()}
    if isinstance(value, uuid.UUID):
        return {EdmType.GUID.value: str(value)}
    raise TypeError(f"a table property of type {type(value).__name__} has no backup form")


def encode_row(entity: Row) -> Row:
    """A row as returned by the tables SDK, in its JSON form."""
    return {name: _encode_value(value) for name, value in entity.items()}


def _decode_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((edm, text),) = value.items()
    edm_type = EdmType(edm)
    if edm_type is EdmType.BINARY:
        return base64.b64decode(text)
    # The SDK passes a string through unchanged for these types, so the service gets the saved spelling.
    return EntityProperty(text, edm_type)


def decode_row(row: Row) -> Row:
    """The entity to upsert for a row in its JSON form."""
    return {name: _decode_value(value) for name, value in row.items()}
