"""Customer e-mail in Azure: Azure Communication Services Email, through the official SDK.

The Function App's managed identity signs each request (no connection string or access key: the
Communication Service has local authentication disabled). Sending is a long-running operation:
`POST {endpoint}/emails:send` answers 202 with an `Operation-Location`, which the SDK polls until the
status is `Succeeded` or `Failed`.
https://learn.microsoft.com/rest/api/communication/dataplane/email/send
https://learn.microsoft.com/azure/communication-services/quickstarts/email/send-email

A send that the service accepted but has not finished within `confirm_within_seconds` is logged and
left to finish on its own: the service holds the message, and the caller's request must not wait for
mail delivery.
"""

from __future__ import annotations

import logging
from typing import Any

from azure.communication.email import EmailClient
from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError, HttpResponseError
from azure.identity import DefaultAzureCredential

from shared.operations.notice import Notification, NotificationError

logger = logging.getLogger("insight365.operations")
_POLL_SECONDS = 2.0
_CONFIRM_WITHIN_SECONDS = 20.0


class AcsEmailNotifier:
    """Mails a notification's recipients from the Azure-managed domain's sender address."""

    def __init__(
        self,
        endpoint: str,
        sender: str,
        credential: TokenCredential | None = None,
        *,
        poll_seconds: float = _POLL_SECONDS,
        confirm_within_seconds: float = _CONFIRM_WITHIN_SECONDS,
        **client_options: Any,
    ) -> None:
        """`client_options` go to `EmailClient` (e.g. `connection_verify` for a test server's CA)."""
        # Without an https endpoint (a development setup that kept the default channel) every send
        # is refused; production settings refuse to start without one.
        self._client = (
            EmailClient(endpoint, credential or DefaultAzureCredential(), **client_options)
            if endpoint.startswith("https://")
            else None
        )
        self._sender = sender
        self._poll_seconds = poll_seconds
        self._confirm_within_seconds = confirm_within_seconds

    def send(self, notification: Notification) -> None:
        if not notification.recipients:
            # On-call notices go through the on-call channel; this one mails customers only.
            raise NotificationError("customer e-mail needs recipients")
        if self._client is None or not self._sender:
            raise NotificationError("no Azure Communication Services endpoint and sender are configured")
        try:
            poller = self._client.begin_send(
                _message(self._sender, notification), polling_interval=self._poll_seconds
            )
            poller.wait(self._confirm_within_seconds)
            if not poller.done():
                logger.warning(
                    "customer e-mail accepted by Azure Communication Services, not yet confirmed after %s s",
                    self._confirm_within_seconds,
                )
                return
            outcome = poller.result()
        except AzureError as error:
            raise NotificationError(
                f"Azure Communication Services did not send the e-mail: {_reason(error)}"
            ) from None
        status = str(outcome.get("status", "")) if outcome else ""
        if status.lower() != "succeeded":
            raise NotificationError(
                f"Azure Communication Services did not send the e-mail (status {status!r})"
            )


def _reason(error: AzureError) -> str:
    """The service's error code and message (a failed operation, a refused request), else the SDK's."""
    detail = error.error if isinstance(error, HttpResponseError) else None
    if detail is not None and detail.code:
        return f"{detail.code}: {detail.message}"
    return str(error.message).splitlines()[0]


def _message(sender: str, notification: Notification) -> dict[str, Any]:
    message: dict[str, Any] = {
        "senderAddress": sender,
        "recipients": {"to": [{"address": address} for address in notification.recipients]},
        "content": {"subject": notification.subject, "plainText": notification.body},
        # No tracking pixels or rewritten links in a security notice.
        "userEngagementTrackingDisabled": True,
    }
    if notification.incident_id:
        message["headers"] = {"X-Insight365-Incident": notification.incident_id}
    return message
