"""The API of tests/integration/api (private Azurite, local issuer, one controlled clock) plus a real
local SMTP server whose mailbox the tests read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dev.smtp import RunningMailbox, start_smtp
from shared.operations.notifications import SmtpNotifier
from tests.integration.api.conftest import (  # noqa: F401 - fixtures
    clock,
    contoso,
    fabrikam,
    fresh_org,
    graph,
    issuer,
    org_a,
    org_b,
    people,
    services,
)

OPERATIONS_EMAIL = "on-call@insight365.test"


@pytest.fixture(scope="session")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMailbox]:
    with start_smtp(tmp_path_factory.mktemp("mail")) as running:
        yield running


@pytest.fixture(scope="session")
def notifier(mailbox: RunningMailbox) -> SmtpNotifier:
    return SmtpNotifier(mailbox.host, mailbox.port, OPERATIONS_EMAIL)
