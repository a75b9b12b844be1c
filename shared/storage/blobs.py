"""`OrgContainer`: the blobs of one organisation, in its own container `org-<org_id>`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from azure.storage.blob import ContentSettings

from shared.storage.clients import StorageClients
from shared.storage.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    NotFoundError,
    StorageError,
    translate_errors,
)
from shared.storage.jsonl import DEFAULT_BLOCK_BYTES, BlobWriteResult, iter_jsonl_gz, upload_jsonl_gz
from shared.storage.names import org_container_name
from shared.storage.tenant import TenantContext

MAX_BLOB_NAME_LENGTH = 1024
# Our names are built from dates, ids and dataset names (`raw/<as_of>/<run_id>/<dataset>.jsonl.gz`); an
# allow-list per path segment rules out `..`, empty segments, backslashes and anything URL-significant.
_SEGMENT = re.compile(r"[A-Za-z0-9_=-][A-Za-z0-9._=-]*")
_DELETE_BATCH = 256  # the Blob Batch API's limit per request


@dataclass(frozen=True, slots=True)
class BlobInfo:
    name: str
    size: int
    last_modified: datetime


def validate_blob_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > MAX_BLOB_NAME_LENGTH:
        raise InvalidArgumentError(f"a blob name is 1-{MAX_BLOB_NAME_LENGTH} characters")
    if not all(_SEGMENT.fullmatch(segment) for segment in name.split("/")):
        raise InvalidArgumentError(
            "a blob name is '/'-separated segments of letters, digits, '.', '_', '=' or '-', "
            "none empty or starting with '.'"
        )
    return name


def validate_blob_prefix(prefix: str) -> str:
    """A prefix is empty, or a blob name optionally followed by `/`."""
    if prefix:
        validate_blob_name(prefix.removesuffix("/"))
    return prefix


class OrgContainer:
    """Blob access confined to the container of the organisation in `tenant`.

    Writes never create the container: it is created with the organisation (`create`) and deleted at
    offboarding, and a late writer (a refresh still running) must fail rather than resurrect it.
    """

    def __init__(self, clients: StorageClients, tenant: TenantContext) -> None:
        self._tenant = tenant
        self._client = clients.container_client(org_container_name(tenant.org_id))

    @property
    def tenant(self) -> TenantContext:
        return self._tenant

    @property
    def name(self) -> str:
        return self._client.container_name

    def _operation(self, verb: str) -> str:
        return f"{verb} in the organisation's container"

    def create(self) -> None:
        """Create the container if it does not exist (idempotent)."""
        with suppress(AlreadyExistsError), translate_errors(self._operation("create container")):
            self._client.create_container()

    def delete(self) -> None:
        """Delete the container and every blob in it; a missing container is not an error."""
        with suppress(NotFoundError), translate_errors(self._operation("delete container")):
            self._client.delete_container()

    def write_bytes(self, name: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        with translate_errors(self._operation("upload blob")):
            self._client.upload_blob(
                validate_blob_name(name),
                data,
                overwrite=True,
                content_settings=ContentSettings(content_type=content_type),
            )

    def write_json(self, name: str, value: Any) -> None:
        data = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
        self.write_bytes(name, data, content_type="application/json")

    def read_bytes(self, name: str) -> bytes:
        with translate_errors(self._operation("download blob")):
            return self._client.download_blob(validate_blob_name(name)).readall()

    def read_json(self, name: str) -> Any:
        return json.loads(self.read_bytes(name))

    def write_jsonl_gz(
        self, name: str, rows: Iterable[Mapping[str, Any]], *, block_size: int = DEFAULT_BLOCK_BYTES
    ) -> BlobWriteResult:
        """Stream `rows` into a gzip-compressed JSON Lines blob; replaces it atomically on success."""
        blob = self._client.get_blob_client(validate_blob_name(name))
        with translate_errors(self._operation("upload blob")):
            return upload_jsonl_gz(blob, rows, block_size)

    def iter_jsonl_gz(self, name: str) -> Iterator[dict[str, Any]]:
        """The rows of a gzip-compressed JSON Lines blob, downloaded and decompressed as they are read."""
        validate_blob_name(name)
        with translate_errors(self._operation("download blob")):
            yield from iter_jsonl_gz(self._client.download_blob(name))

    def list_blobs(self, prefix: str = "") -> Iterator[BlobInfo]:
        with translate_errors(self._operation("list blobs")):
            for blob in self._client.list_blobs(name_starts_with=validate_blob_prefix(prefix) or None):
                yield BlobInfo(name=blob.name, size=blob.size, last_modified=blob.last_modified)

    def delete_blob(self, name: str) -> None:
        """Delete one blob (and its snapshots); a missing blob is not an error."""
        self._delete_names([validate_blob_name(name)])

    def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose name starts with `prefix` (non-empty); returns how many were deleted."""
        if not prefix:
            raise InvalidArgumentError("delete_prefix needs a prefix; use delete() for the whole container")
        deleted = 0
        listing = (blob.name for blob in self.list_blobs(prefix))
        while names := list(islice(listing, _DELETE_BATCH)):
            self._delete_names(names)
            deleted += len(names)
        return deleted

    def _delete_names(self, names: list[str]) -> None:
        operation = self._operation("delete blobs")
        with translate_errors(operation):
            # One Blob Batch request per 256 blobs. Per-blob outcomes come back as sub-responses; a blob
            # that is already gone (404) counts as deleted, so a retried deletion job is idempotent.
            responses = self._client.delete_blobs(
                *names, delete_snapshots="include", raise_on_any_failure=False
            )
            failures = sorted({response.status_code for response in responses} - {202, 404})
        if failures:
            raise StorageError(f"{operation}: service errors {failures}")
