"""Reading a deletion receipt by its id and secret: no session, no organisation, no enumeration.

The route is anonymous because the people following a deletion may have no organisation left (the whole
organisation was offboarded) or no membership (they erased themselves). The secret travels in a header,
never the URL (URLs end up in logs). An unknown id, a malformed one, a missing or a wrong secret all
answer the same 404; five wrong secrets lock the receipt for 15 minutes (429). Each read is audited in
the unattributed audit partition, with the request id as target and never the secret.
"""

from __future__ import annotations

import logging
import math

from shared.audit import ANONYMOUS, UNATTRIBUTED, AuditEntry, outcome_for
from shared.http.audit_trail import safe_text
from shared.http.problems import ApiError, not_found, too_many_requests
from shared.http.request import ApiRequest
from shared.lifecycle import DeletionRequest, ReceiptLockedError, open_receipt
from shared.services import Services

logger = logging.getLogger("insight365.audit")
RECEIPT_HEADER = "X-Receipt-Secret"
ACTION = "GET /api/v1/deletion-receipts/{request_id}"


def _audit(services: Services, request: ApiRequest, request_id: str, status: int) -> None:
    entry = AuditEntry(
        at=services.clock(),
        actor_member_id=ANONYMOUS,
        actor_role="",
        action=ACTION,
        target=safe_text(f"request={request_id}"),
        outcome=outcome_for(status),
        status=status,
        request_id=request.request_id,
        client_address=request.client_address or "",
    )
    try:
        services.org(UNATTRIBUTED).audit.append(entry)
    except Exception:
        logger.exception("audit row not written", extra={"audit_action": ACTION})


def read_receipt(request: ApiRequest, services: Services) -> DeletionRequest:
    request_id = request.route_params.get("request_id", "")
    status = 500  # until something else is known
    try:
        receipt = open_receipt(services, request_id, request.header(RECEIPT_HEADER))
        if receipt is None:
            raise not_found()
        status = 200
        return receipt
    except ReceiptLockedError as locked:
        wait = math.ceil((locked.until - services.clock()).total_seconds())
        status = 429
        raise too_many_requests("receipt-locked", "Too many wrong receipt secrets", wait) from None
    except ApiError as error:
        status = error.status
        raise
    finally:
        _audit(services, request, request_id, status)
