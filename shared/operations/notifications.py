"""Notifications to the people on call, through one interface with a channel per environment.

- `azure_monitor` (Azure): one WARNING log line per notification, which the `operations-notification`
  log alert in `infra/modules/alerts.bicep` turns into an e-mail from the action group (the same one the
  platform's own alerts use), so the app holds no mail credentials.
- `smtp` (development only): a real SMTP server, the one `make run` starts (`dev/smtp.py`), which
  keeps every message it receives for people and tests to read.

A notification is built from an incident's fields only: ids, titles, severities, counts and times.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from pydantic import BaseModel

from shared.operations.severity import Severity
from shared.settings import Settings

logger = logging.getLogger("insight365.operations")
NOTIFICATION_LOG_MESSAGE = "insight365 operations notification"  # what the log alert's query matches
SENDER = "Insight365 operations <operations@insight365.invalid>"
_SMTP_TIMEOUT_SECONDS = 10


class NotificationError(RuntimeError):
    """The channel did not take the notification (the caller records it and carries on)."""


class Notification(BaseModel):
    subject: str
    body: str
    severity: Severity
    incident_id: str | None = None


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...


class AzureMonitorNotifier:
    def send(self, notification: Notification) -> None:
        logger.warning(
            f"{NOTIFICATION_LOG_MESSAGE}: {notification.subject}",
            extra={"severity": notification.severity, "incident_id": notification.incident_id},
        )


class SmtpNotifier:
    def __init__(self, host: str, port: int, recipient: str) -> None:
        self._host = host
        self._port = port
        self._recipient = recipient

    def send(self, notification: Notification) -> None:
        message = EmailMessage()
        message["From"] = SENDER
        message["To"] = self._recipient
        message["Subject"] = notification.subject
        if notification.incident_id:
            message["X-Insight365-Incident"] = notification.incident_id
        message.set_content(notification.body)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=_SMTP_TIMEOUT_SECONDS) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise NotificationError(
                f"the SMTP server at {self._host}:{self._port} refused: {error}"
            ) from None


def build_notifier(settings: Settings) -> Notifier:
    if settings.notification_channel == "smtp":
        host, _, port = settings.smtp_server.rpartition(":")
        return SmtpNotifier(host, int(port), settings.operations_email)
    return AzureMonitorNotifier()
