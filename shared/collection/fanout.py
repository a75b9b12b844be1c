"""The daily fan-out: one `refresh-tenant` message per active organisation with a connected tenant.

The run id is fixed per day (`daily_run_id`), so a timer that fires twice, or a retried fan-out, starts
no second run: the refresh handler finds the day's run and acts only on its current continuation.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from shared.integrations import IntegrationRepository
from shared.messages import RefreshTenant
from shared.organisations import Organisation, OrganisationRepository
from shared.runs import daily_run_id
from shared.storage import PageTokenSigner, StorageClients

# Each organisation's integration is one point read (a round trip); read several at once, within the
# storage clients' connection pool of 10.
READ_CONCURRENCY = 8


def daily_refresh_messages(
    clients: StorageClients, tokens: PageTokenSigner, today: date
) -> Iterator[RefreshTenant]:
    run_id = daily_run_id(today)

    def connected(organisation: Organisation) -> bool:
        integration = IntegrationRepository(clients, organisation.tenant, tokens).get()
        return integration is not None and integration.status == "connected"

    organisations = list(OrganisationRepository(clients, tokens).list_active())
    with ThreadPoolExecutor(READ_CONCURRENCY, thread_name_prefix="fanout") as pool:
        for organisation, is_connected in zip(organisations, pool.map(connected, organisations), strict=True):
            if is_connected:
                yield RefreshTenant(
                    org_id=organisation.org_id, run_id=run_id, as_of=today, trigger="schedule"
                )
