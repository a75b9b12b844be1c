"""What every notification channel takes and how it refuses (shared.operations.notifications picks the
channel)."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from shared.operations.severity import Severity


class NotificationError(RuntimeError):
    """The channel did not take the notification (the caller records it and carries on)."""


class Notification(BaseModel):
    subject: str
    body: str
    severity: Severity
    incident_id: str | None = None
    # Whom it is for; none: the people on call.
    recipients: tuple[str, ...] = ()


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...
