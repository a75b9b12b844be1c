"""The daily fan-out's plan against Azurite: every connected organisation once, smallest first, each
visible when its share of its app's signInActivity quota comes up; a fleet too big for the night is
logged as late, against the start of the UK working day."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import pytest

from shared.collection import daily_refresh_plan
from shared.collection.fanout import pages_per_second, uk_working_day
from shared.graph import QuotaGovernor
from shared.integrations import IntegrationRepository, M365Integration
from shared.organisations import Organisation, OrganisationRepository
from shared.storage import PageTokenSigner, StorageClients, TenantContext

TOKENS = PageTokenSigner(b"k" * 32)
NIGHT = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)


def _connect(clients: StorageClients, client_id: str, accounts: int | None, status: str = "connected") -> str:
    tenant = TenantContext.new_organisation()
    tenant_id = str(uuid.uuid4())
    OrganisationRepository(clients, TOKENS).create(
        Organisation(org_id=tenant.org_id, name="Plan", created_at=NIGHT)
    )
    integration = M365Integration(
        tenant_id=tenant_id, client_id=client_id, secret_name="s", connected_at=NIGHT, status=status
    )
    IntegrationRepository(clients, tenant, TOKENS).save(integration)
    if accounts is not None:
        QuotaGovernor(clients, TOKENS).record_accounts(client_id, tenant_id, accounts)
    return tenant.org_id


def test_smallest_first_each_when_its_share_of_the_quota_comes_up(clients: StorageClients):
    app = str(uuid.uuid4())
    large, unknown, small, medium = (_connect(clients, app, n) for n in (20_000, None, 30, 1_200))
    disconnected = _connect(clients, app, 50, status="disconnected")
    planned = {r.message.org_id: r for r in daily_refresh_plan(clients, TOKENS, NIGHT).refreshes}

    assert disconnected not in planned
    mine = sorted((planned[o] for o in (large, unknown, small, medium)), key=lambda r: r.delay_seconds)
    assert [r.message.org_id for r in mine][-1] == large
    assert [r.pages for r in mine] == [1, 1, 3, 40]  # a tenant never refreshed counts as one page
    assert mine[0].delay_seconds == 0
    # Large's turn comes after the 5 pages before it, at the app's pace (a little ahead of it).
    assert 0 < planned[large].delay_seconds <= 5 / pages_per_second()
    assert all(r.message.run_id == "daily-2026-01-15" and r.message.trigger == "schedule" for r in mine)


def test_a_fleet_too_large_for_the_night_is_logged_late(
    clients: StorageClients, caplog: pytest.LogCaptureFixture
):
    app = str(uuid.uuid4())
    for _ in range(17):
        _connect(clients, app, 100_000)  # 200 pages each: 3,400 pages at 9 a minute, 6 h 18 min
    with caplog.at_level(logging.WARNING, logger="shared.collection.fanout"):
        plan = daily_refresh_plan(clients, TOKENS, NIGHT)
    assert not plan.on_time and plan.pages >= 3400
    assert plan.deadline == uk_working_day(NIGHT) == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    # Planned after 08:00 (a late fan-out), the deadline is the next working morning (BST: 07:00 UTC).
    assert uk_working_day(datetime(2026, 6, 1, 9, 0, tzinfo=UTC)) == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert "min late" in caplog.text
