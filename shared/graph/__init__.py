"""Microsoft Graph access for one customer tenant: credentials, bounded retries, raw-JSON paging."""

from shared.graph.credentials import (
    GRAPH_SCOPE,
    ClientCredentialsToken,
    CredentialError,
    is_loopback_http,
    tenant_credential,
)
from shared.graph.errors import GraphError, MalformedResponseError
from shared.graph.retry import BoundedRetryHandler, RetryPolicy, parse_retry_after
from shared.graph.session import DEFAULT_GRAPH_BASE_URL, GraphSession, Page

__all__ = [
    "DEFAULT_GRAPH_BASE_URL",
    "GRAPH_SCOPE",
    "BoundedRetryHandler",
    "ClientCredentialsToken",
    "CredentialError",
    "GraphError",
    "GraphSession",
    "MalformedResponseError",
    "Page",
    "RetryPolicy",
    "is_loopback_http",
    "parse_retry_after",
    "tenant_credential",
]
