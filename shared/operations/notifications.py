"""Notifications through one interface, with a channel per audience and environment.

For the people on call (`INSIGHT365_NOTIFICATION_CHANNEL`):
- `azure_monitor` (Azure): one WARNING log line per notification, which the `operations-notification`
  log alert in `infra/modules/alerts.bicep` turns into an e-mail from the action group (the same one the
  platform's own alerts use), so the app holds no mail credentials.
- `smtp` (development only): a real SMTP server, the one `make run` starts (`dev/smtp.py`), which
  keeps every message it receives for people and tests to read.

For customers (`INSIGHT365_CUSTOMER_EMAIL_CHANNEL`), a notification that names its recipients (a
support request to an organisation's super admins):
- `acs` (Azure): Azure Communication Services Email with the app's managed identity
  (`shared.operations.acs_email`, `infra/modules/email.bicep`);
- `smtp` (development only): the same local SMTP server.

A notification is built from an incident's fields only: ids, titles, severities, counts and times.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from shared.operations.acs_email import AcsEmailNotifier
from shared.operations.notice import Notification, NotificationError, Notifier
from shared.settings import Settings

__all__ = [
    "NOTIFICATION_LOG_MESSAGE",
    "AudienceNotifier",
    "AzureMonitorNotifier",
    "Notification",
    "NotificationError",
    "Notifier",
    "SmtpNotifier",
    "build_notifier",
]

logger = logging.getLogger("insight365.operations")
NOTIFICATION_LOG_MESSAGE = "insight365 operations notification"  # what the log alert's query matches
SENDER = "Insight365 operations <operations@insight365.invalid>"
_SMTP_TIMEOUT_SECONDS = 10


class AzureMonitorNotifier:
    def send(self, notification: Notification) -> None:
        if notification.recipients:
            # The log alert mails on-call only: a customer's notice would reach the wrong people.
            raise NotificationError("the Azure channel mails on-call only, not customers")
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
        message["To"] = ", ".join(notification.recipients) or self._recipient
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


class AudienceNotifier:
    """Sends a notification with recipients through the customers' channel, any other to on-call."""

    def __init__(self, on_call: Notifier, customers: Notifier) -> None:
        self._on_call = on_call
        self._customers = customers

    def send(self, notification: Notification) -> None:
        (self._customers if notification.recipients else self._on_call).send(notification)


def build_notifier(settings: Settings) -> Notifier:
    host, _, port = settings.smtp_server.rpartition(":")
    smtp = SmtpNotifier(host, int(port), settings.operations_email)
    on_call: Notifier = smtp if settings.notification_channel == "smtp" else AzureMonitorNotifier()
    if settings.customer_email_channel == "smtp":
        return AudienceNotifier(on_call, smtp)
    return AudienceNotifier(on_call, AcsEmailNotifier(settings.acs_endpoint, settings.acs_sender))
