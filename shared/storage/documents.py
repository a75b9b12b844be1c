"""The `document` column: most rows keep their model as one JSON property of that name.

Repositories write and read it through these two functions only, so its name and encoding are decided
once; a model with an `etag` field gets the row's ETag on the way out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

DOCUMENT = "document"
M = TypeVar("M", bound=BaseModel)


def document_of(model: BaseModel) -> dict[str, str]:
    """The properties that store `model`: `{"document": <its JSON>}` (add indexed columns beside it)."""
    return {DOCUMENT: model.model_dump_json()}


def read_document(model: type[M], properties: Mapping[str, Any], *, etag: str | None = None) -> M:
    """The model stored in a row's properties; with `etag`, the model's `etag` field set to it."""
    decoded = model.model_validate_json(properties[DOCUMENT])
    return decoded if etag is None else decoded.model_copy(update={"etag": etag})
