"""The storage layer's errors: callers catch these, never an Azure SDK exception.

`translate_errors()` is the one place where azure.core exceptions become these types, so a change of SDK
behaviour (e.g. a new error code for a failed precondition) is handled once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)


class StorageError(Exception):
    """A storage operation failed (service error, connectivity, throttling after retries)."""


class NotFoundError(StorageError):
    """The entity, blob, container, table or queue does not exist."""


class ConcurrencyError(StorageError):
    """A conditional write lost a race: the ETag no longer matches (HTTP 412)."""


class AlreadyExistsError(ConcurrencyError):
    """An insert lost a race: the row or blob already exists (HTTP 409)."""


class InvalidArgumentError(StorageError, ValueError):
    """The caller passed something the storage layer refuses (bad org id, key, name, size or token).

    Messages describe the rule that was broken and never echo the value, which may be personal data.
    """


class EntityTooLargeError(InvalidArgumentError):
    """A row is over a Table service limit: 64 KiB per string or binary property, 252 properties and
    1 MiB per entity. Refused before the request, so an oversize value never becomes a service error."""


class InvalidContinuationTokenError(InvalidArgumentError):
    """A paging token is malformed, was tampered with, or was issued for another partition."""


class MessageTooLargeError(InvalidArgumentError):
    """A queue message is over the service limit of 64 KiB once encoded."""


@contextmanager
def translate_errors(operation: str) -> Iterator[None]:
    """Re-raise Azure SDK exceptions raised in the block as this module's types.

    `operation` names what was attempted (e.g. "update entity in members"), never the keys or data.
    """
    try:
        yield
    except ResourceNotFoundError as error:
        raise NotFoundError(f"{operation}: not found") from error
    except ResourceModifiedError as error:
        raise ConcurrencyError(f"{operation}: the resource was modified (ETag mismatch)") from error
    except ResourceExistsError as error:
        raise AlreadyExistsError(f"{operation}: already exists") from error
    except HttpResponseError as error:
        # Some operations (batches, blob conditions) report a failed precondition only by status code.
        if error.status_code == 412:
            raise ConcurrencyError(f"{operation}: precondition failed") from error
        if error.status_code == 404:
            raise NotFoundError(f"{operation}: not found") from error
        code = getattr(error, "error_code", None)
        raise StorageError(f"{operation}: service error {error.status_code} {code}") from error
    except AzureError as error:
        raise StorageError(f"{operation}: {type(error).__name__}") from error
