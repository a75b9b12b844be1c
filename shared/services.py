"""The process-wide dependencies every function needs, built once from the settings and reused.

Azure Functions keeps a worker process warm between invocations, so clients built at module scope are
shared (connection reuse, no per-invocation start-up cost).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

from shared.settings import Settings, get_settings
from shared.storage import PageTokenSigner, StorageClients


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: StorageClients
    tokens: PageTokenSigner


def build_services(settings: Settings) -> Services:
    if settings.storage_connection:
        storage = StorageClients.from_connection_string(settings.storage_connection)
    else:
        storage = StorageClients.from_account(settings.storage_account)
    tokens = PageTokenSigner(base64.b64decode(settings.page_token_key))
    return Services(settings=settings, storage=storage, tokens=tokens)


@lru_cache(maxsize=1)
def get_services() -> Services:
    return build_services(get_settings())
