"""Data lifecycle and GDPR: retention, deletion jobs and receipts, exports, anonymiser.

The API calls the request functions, `open_receipt` and the exports; the queue functions in
`functions/lifecycle.py` call `sweep_messages`, `run_retention` and `handle_deletion`.
"""

from shared.lifecycle.deletion import handle_deletion, run_deletion
from shared.lifecycle.export import export_member
from shared.lifecycle.following import ReceiptLockedError, open_receipt
from shared.lifecycle.organisation_export import export_organisation
from shared.lifecycle.receipts import DeletionRequest, SubmittedRequest
from shared.lifecycle.requesting import (
    deletion_request_state,
    organisation_made,
    request_member_erasure,
    request_offboarding,
)
from shared.lifecycle.retention import run_retention, sweep_messages

__all__ = [
    "DeletionRequest",
    "ReceiptLockedError",
    "SubmittedRequest",
    "deletion_request_state",
    "export_member",
    "export_organisation",
    "handle_deletion",
    "open_receipt",
    "organisation_made",
    "request_member_erasure",
    "request_offboarding",
    "run_deletion",
    "run_retention",
    "sweep_messages",
]
