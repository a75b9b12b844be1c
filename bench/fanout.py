"""Fan-out benchmark: the daily timer's work for N organisations with a connected integration.

Seeding (not timed): N active organisations and their integration rows. Timed: the timer's body
(`daily_refresh_plan`: list the organisations, read every integration in one query, plan the day) and
sending the `refresh-tenant` messages on Azurite with their visibility delays, as `daily_refresh` does
(one send per message, with `SEND_CONCURRENCY` in flight).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from bench.common import TOKENS
from functions.schedules import SEND_CONCURRENCY
from shared.collection import daily_refresh_plan
from shared.integrations import IntegrationRepository, M365Integration, secret_name_for
from shared.organisations import Organisation, OrganisationRepository
from shared.storage import QueueName, QueueSender, StorageClients, TenantContext

SEED_THREADS = 8  # under the storage clients' connection pool (10)
TENANT = "00000000-0000-4000-8000-{:012d}"
CLIENT = "11111111-1111-4111-8111-111111111111"


def _seed_one(clients: StorageClients, index: int, now: datetime) -> None:
    tenant = TenantContext.new_organisation()
    organisation = Organisation(org_id=tenant.org_id, name=f"Fan-out {index}", created_at=now)
    OrganisationRepository(clients, TOKENS).create(organisation)
    integration = M365Integration(
        tenant_id=TENANT.format(index),
        client_id=CLIENT,
        secret_name=secret_name_for(tenant),
        connected_at=now,
    )
    IntegrationRepository(clients, tenant, TOKENS).save(integration)


def seed(clients: StorageClients, organisations: int) -> float:
    started, now = time.perf_counter(), datetime.now(UTC)
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(lambda index: _seed_one(clients, index, now), range(organisations)))
    return time.perf_counter() - started


def measure(clients: StorageClients, organisations: int) -> dict[str, Any]:
    seed_seconds = seed(clients, organisations)
    sender = QueueSender(clients, QueueName.REFRESH_TENANT)
    started = time.perf_counter()
    plan = daily_refresh_plan(clients, TOKENS, datetime.now(UTC))
    messages = plan.refreshes
    listed = time.perf_counter()
    with ThreadPoolExecutor(SEND_CONCURRENCY) as pool:
        list(pool.map(lambda p: sender.send(p.message, visibility_timeout=p.delay_seconds or None), messages))
    finished = time.perf_counter()
    return {
        "organisations": organisations,
        "seed_seconds": seed_seconds,
        "messages": len(messages),
        "list_seconds": listed - started,
        "enqueue_seconds": finished - listed,
        "seconds": finished - started,
        "messages_per_second": len(messages) / (finished - started),
    }
