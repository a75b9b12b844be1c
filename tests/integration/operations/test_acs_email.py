"""Customer e-mail in Azure: the Azure Communication Services Email adapter, through the official SDK,
against a local server that speaks the documented REST protocol (send → 202 + Operation-Location →
poll until Succeeded or Failed). A customer's notice goes there; an on-call notice never does."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from shared.operations.acs_email import AcsEmailNotifier
from shared.operations.notifications import (
    NOTIFICATION_LOG_MESSAGE,
    AudienceNotifier,
    AzureMonitorNotifier,
    Notification,
    NotificationError,
)
from tests.integration.operations.acs_email_server import ACCESS_TOKEN, AcsEmailService, running_acs_email

SENDER = "DoNotReply@0a1b2c3d-test.azurecomm.net"
NOTICE = Notification(
    subject="Insight365 support asks for read-only access to your organisation",
    body="Reason: ticket 42\nRequest: grant-1",
    severity="low",
    recipients=("ada@contoso.test", "grace@contoso.test"),
)


class StaticToken:
    """Stands in for the managed identity: hands the SDK the token the local service accepts."""

    def __init__(self, token: str = ACCESS_TOKEN) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        assert scopes == ("https://communication.azure.com//.default",)
        return AccessToken(self._token, int(time.time()) + 3600)


@pytest.fixture
def acs(tmp_path: Path) -> Iterator[AcsEmailService]:
    with running_acs_email(tmp_path, SENDER) as service:
        yield service


def _notifier(acs: AcsEmailService, token: str = ACCESS_TOKEN, **options: Any) -> AcsEmailNotifier:
    return AcsEmailNotifier(
        acs.endpoint,
        SENDER,
        StaticToken(token),
        poll_seconds=0.01,
        connection_verify=str(acs.ca_path),
        **options,
    )


def test_a_customer_notice_is_sent_and_followed_until_it_succeeds(acs: AcsEmailService) -> None:
    acs.running_polls = 2
    _notifier(acs).send(NOTICE.model_copy(update={"incident_id": "inc-7"}))

    (operation,) = acs.sent()
    message = operation.message
    assert message["senderAddress"] == SENDER
    assert [to["address"] for to in message["recipients"]["to"]] == ["ada@contoso.test", "grace@contoso.test"]
    assert message["content"] == {"subject": NOTICE.subject, "plainText": NOTICE.body}
    assert message["userEngagementTrackingDisabled"] is True
    assert message["headers"] == {"X-Insight365-Incident": "inc-7"}
    # Followed through two Running answers to Succeeded.
    assert operation.polls == 3


def test_a_failed_send_is_a_notification_error_with_the_service_reason(acs: AcsEmailService) -> None:
    acs.outcome = "Failed"
    with pytest.raises(NotificationError, match="EmailDroppedAllRecipientsSuppressed: Every recipient"):
        _notifier(acs).send(NOTICE)
    assert len(acs.sent()) == 1


def test_a_token_the_service_rejects_sends_nothing(acs: AcsEmailService) -> None:
    with pytest.raises(NotificationError, match="Unauthorized"):
        _notifier(acs, token="someone-else").send(NOTICE)
    assert acs.sent() == []


def test_a_sender_the_resource_does_not_own_is_refused(acs: AcsEmailService) -> None:
    acs.sender = "DoNotReply@elsewhere.azurecomm.net"
    with pytest.raises(NotificationError, match="InvalidSenderAddress"):
        _notifier(acs).send(NOTICE)


def test_an_accepted_send_does_not_hold_the_caller_until_delivery(
    acs: AcsEmailService, caplog: pytest.LogCaptureFixture
) -> None:
    acs.running_polls = 10_000
    with caplog.at_level(logging.WARNING, logger="insight365.operations"):
        _notifier(acs, confirm_within_seconds=0.2).send(NOTICE)
    assert len(acs.sent()) == 1
    assert any("not yet confirmed" in record.getMessage() for record in caplog.records)


def test_without_recipients_or_configuration_nothing_is_sent(acs: AcsEmailService) -> None:
    with pytest.raises(NotificationError, match="recipients"):
        _notifier(acs).send(NOTICE.model_copy(update={"recipients": ()}))
    with pytest.raises(NotificationError, match="no Azure Communication Services endpoint"):
        AcsEmailNotifier("", "", StaticToken()).send(NOTICE)
    assert acs.sent() == []


def test_in_azure_customers_are_mailed_and_on_call_keeps_its_log_alert(
    acs: AcsEmailService, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = AudienceNotifier(on_call=AzureMonitorNotifier(), customers=_notifier(acs))
    on_call = Notification(subject="Incident opened: TOTP brute force", body="inc-9", severity="high")
    with caplog.at_level(logging.WARNING, logger="insight365.operations"):
        notifier.send(NOTICE)
        notifier.send(on_call)

    # The customer's notice went by e-mail, and only it; the on-call notice is the alert's log line.
    assert [operation.message["content"]["subject"] for operation in acs.sent()] == [NOTICE.subject]
    logged = [record.getMessage() for record in caplog.records]
    assert logged == [f"{NOTIFICATION_LOG_MESSAGE}: {on_call.subject}"]
