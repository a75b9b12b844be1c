"""The storage layer: Azure Table, Blob and Queue access scoped to one organisation at a time.

Build one `StorageClients` per process and share it; every repository takes a `TenantContext`.
"""

from shared.storage.blobs import BlobInfo, OrgContainer, validate_blob_name
from shared.storage.clients import StorageClients
from shared.storage.errors import (
    AlreadyExistsError,
    ConcurrencyError,
    InvalidArgumentError,
    InvalidContinuationTokenError,
    MessageTooLargeError,
    NotFoundError,
    StorageError,
)
from shared.storage.jsonl import BlobWriteResult
from shared.storage.keys import compose_key, encode_key_part, split_key, validate_key
from shared.storage.names import QueueName, TableName, org_container_name
from shared.storage.provisioning import ensure_storage, provision_organisation
from shared.storage.queues import MAX_MESSAGE_BYTES, QueueSender
from shared.storage.tables import Entity, OrgTable, Page, SharedTable, TablePartition
from shared.storage.tenant import PLATFORM, TenantContext, validate_org_id
from shared.storage.tokens import PageTokenSigner

__all__ = [
    "MAX_MESSAGE_BYTES",
    "PLATFORM",
    "AlreadyExistsError",
    "BlobInfo",
    "BlobWriteResult",
    "ConcurrencyError",
    "Entity",
    "InvalidArgumentError",
    "InvalidContinuationTokenError",
    "MessageTooLargeError",
    "NotFoundError",
    "OrgContainer",
    "OrgTable",
    "Page",
    "PageTokenSigner",
    "QueueName",
    "QueueSender",
    "SharedTable",
    "StorageClients",
    "StorageError",
    "TableName",
    "TablePartition",
    "TenantContext",
    "compose_key",
    "encode_key_part",
    "ensure_storage",
    "org_container_name",
    "provision_organisation",
    "split_key",
    "validate_blob_name",
    "validate_key",
    "validate_org_id",
]
