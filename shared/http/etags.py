"""ETags for optimistic concurrency: `If-Match` on updates, 412 on conflict, 428 without.

The public ETag is a digest of the storage ETag, so it reveals nothing about the store (timestamps).
"""

from __future__ import annotations

import hashlib
import hmac

from shared.http.problems import precondition_failed, precondition_required
from shared.http.request import ApiRequest


def public_etag(storage_etag: str) -> str:
    return '"' + hashlib.sha256(storage_etag.encode()).hexdigest()[:32] + '"'


def etag_headers(storage_etag: str) -> dict[str, str]:
    return {"ETag": public_etag(storage_etag)} if storage_etag else {}


def require_if_match(request: ApiRequest, storage_etag: str) -> None:
    """An update of an existing resource must name the version it read (428 if not, 412 if stale).

    A resource that does not exist yet (`storage_etag` empty) can be created without one.
    """
    given = request.header("if-match")
    if not storage_etag:
        return
    if given is None:
        raise precondition_required()
    if not hmac.compare_digest(given.strip().encode(), public_etag(storage_etag).encode()):
        raise precondition_failed()
