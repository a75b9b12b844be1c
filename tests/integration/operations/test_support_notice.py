"""A customer is told of a support request: the organisation's active super admins, and nobody else,
get a mail from the local SMTP server with the reason, the hours and the request's id; an admin of the
organisation gets none; a channel that refuses the mail does not stop the request; and in Azure the
notice goes to the customers' channel (Azure Communication Services, test_acs_email.py), never to the
on-call log alert."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage

import pytest

from dev.smtp import RunningMailbox
from shared.operations.notifications import NOTIFICATION_LOG_MESSAGE
from shared.services import Services, install_services
from tests.integration.api.conftest import Org, People

REASON = "Ticket 5150: the adoption trend stops on Tuesday"


@pytest.fixture
def smtp_channel(services: Services, mailbox: RunningMailbox) -> Iterator[None]:
    """The app's notifications go to the local SMTP server while the test runs."""
    settings = services.settings.model_copy(
        update={"customer_email_channel": "smtp", "smtp_server": mailbox.address}
    )
    previous = install_services(replace(services, settings=settings))
    yield
    install_services(previous)


def _ask(people: People, org: Org, hours: int) -> dict[str, str]:
    org_id = org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"]
    asked = people.operator().call(
        "POST",
        "/api/v1/platform/support-requests",
        body={"org_id": org_id, "reason": REASON, "duration_hours": hours},
    )
    assert asked.status == 201, asked.body
    return dict(asked.json())


def _notices_for(mailbox: RunningMailbox, grant_id: str) -> list[EmailMessage]:
    return [message for message in mailbox.messages() if grant_id in message.get_content()]


@pytest.mark.usefixtures("smtp_channel")
def test_the_super_admins_are_told(people: People, mailbox: RunningMailbox) -> None:
    org = people.signed_in(people.organisation("Told Ltd"))
    grant = _ask(people, org, 6)

    notice = mailbox.wait_for(lambda message: grant["grant_id"] in message.get_content())
    assert notice["To"] == org.super_admin.email
    assert notice["Subject"] == "Insight365 support asks for read-only access to your organisation"
    text = notice.get_content()
    assert REASON in text and "for 6 hours from your approval" in text
    assert "Support access" in text
    # One notice, to the super admin only: the admin and the user decide nothing and are not mailed.
    assert len(_notices_for(mailbox, grant["grant_id"])) == 1
    everyone = " ".join(str(message["To"]) for message in mailbox.messages())
    assert org.admin.email not in everyone and org.user.email not in everyone


def test_a_refused_channel_does_not_stop_the_request(
    people: People, services: Services, mailbox: RunningMailbox
) -> None:
    # Nothing listens on port 9 of loopback: the channel refuses, the request stands.
    settings = services.settings.model_copy(
        update={"customer_email_channel": "smtp", "smtp_server": "127.0.0.1:9"}
    )
    previous = install_services(replace(services, settings=settings))
    try:
        org = people.signed_in(people.organisation("Unreachable Ltd"))
        grant = _ask(people, org, 2)
    finally:
        install_services(previous)
    listed = org.super_admin.call("GET", f"/api/v1/support-access/{grant['grant_id']}")
    assert listed.status == 200 and listed.json()["state"] == "pending"
    assert _notices_for(mailbox, grant["grant_id"]) == []


def test_in_azure_the_notice_never_goes_to_on_call(
    people: People, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    # Azure's channels with no Communication Services endpoint: the customers' channel refuses the
    # notice, and it never falls back to the on-call log alert.
    assert services.settings.notification_channel == "azure_monitor"
    assert services.settings.customer_email_channel == "acs" and not services.settings.acs_endpoint
    org = people.signed_in(people.organisation("Azure Ltd"))
    with caplog.at_level(logging.INFO, logger="insight365"):
        grant = _ask(people, org, 1)
    messages = [record.getMessage() for record in caplog.records]
    assert not any(message.startswith(NOTIFICATION_LOG_MESSAGE) for message in messages)
    assert any(grant["grant_id"] in message and "not sent" in message for message in messages)
    assert org.super_admin.call("GET", "/api/v1/support-access").json()["items"][0]["state"] == "pending"
