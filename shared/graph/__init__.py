"""Microsoft Graph access for one customer tenant: credentials, bounded retries, raw-JSON paging, and
the permits of the fleet's shared quotas."""

from shared.graph.credentials import (
    GRAPH_SCOPE,
    ClientCredentialsToken,
    CredentialError,
    is_loopback_http,
    tenant_credential,
    verify_credentials,
)
from shared.graph.errors import PERMISSION_DENIED, GraphError, MalformedResponseError
from shared.graph.quota import GovernorConfig, Priority, QuotaGate, QuotaGovernor
from shared.graph.retry import BoundedRetryHandler, RetryPolicy, parse_retry_after
from shared.graph.session import DEFAULT_GRAPH_BASE_URL, GraphSession, Page

__all__ = [
    "DEFAULT_GRAPH_BASE_URL",
    "GRAPH_SCOPE",
    "PERMISSION_DENIED",
    "BoundedRetryHandler",
    "ClientCredentialsToken",
    "CredentialError",
    "GovernorConfig",
    "GraphError",
    "GraphSession",
    "MalformedResponseError",
    "Page",
    "Priority",
    "QuotaGate",
    "QuotaGovernor",
    "RetryPolicy",
    "is_loopback_http",
    "parse_retry_after",
    "tenant_credential",
    "verify_credentials",
]
