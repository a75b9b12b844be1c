"""The daily fan-out: one `refresh-tenant` message per active organisation with a connected tenant.

The run id is fixed per day (`daily_run_id`), so a timer that fires twice, or a retried fan-out, starts
no second run: the refresh handler finds the day's run and acts only on its current continuation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from shared.integrations import IntegrationRepository
from shared.messages import RefreshTenant
from shared.organisations import OrganisationRepository
from shared.runs import daily_run_id
from shared.storage import PageTokenSigner, StorageClients


def daily_refresh_messages(
    clients: StorageClients, tokens: PageTokenSigner, today: date
) -> Iterator[RefreshTenant]:
    run_id = daily_run_id(today)
    for organisation in OrganisationRepository(clients, tokens).list_active():
        integration = IntegrationRepository(clients, organisation.tenant, tokens).get()
        if integration is not None and integration.status == "connected":
            yield RefreshTenant(org_id=organisation.org_id, run_id=run_id, as_of=today, trigger="schedule")
