"""Data lifecycle and GDPR (ARCHITECTURE §7): retention, deletion jobs and receipts, export, anonymiser.

The API calls the request functions and `export_member`; the queue functions in `functions/lifecycle.py`
call `sweep_messages`, `run_retention` and `run_deletion`.
"""

from shared.lifecycle.deletion import run_deletion
from shared.lifecycle.export import export_member
from shared.lifecycle.receipts import DeletionRequest
from shared.lifecycle.requesting import deletion_request_state, request_member_erasure, request_offboarding
from shared.lifecycle.retention import run_retention, sweep_messages

__all__ = [
    "DeletionRequest",
    "deletion_request_state",
    "export_member",
    "request_member_erasure",
    "request_offboarding",
    "run_deletion",
    "run_retention",
    "sweep_messages",
]
