"""The tenants one simulator process serves: its own tenant and, for fleet runs, any number of others.

A multi-tenant app gets a token per customer tenant (`POST /{tenant}/oauth2/v2.0/token`), and Graph
answers each call from the tenant its bearer was issued for. Fleet tenants are generated on their first
call, so a simulator of thousands of tenants starts at once, and forgotten again when `SERVED` others were
called since (a tenant is a pure function of its spec, so it comes back the same): the simulator holds
only those in use, and its heap, which every full garbage collection walks while its event loop waits,
stays the same size however large the fleet.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from dev.graph_sim.users import UsersEndpoint
from dev.graph_sim.wire import Clock
from dev.tenant import Tenant, TenantSpec
from shared.licensing import Catalogue

SERVED = 64  # fleet tenants kept generated, the most recently called


def fleet_tenant(index: int, accounts: int, as_of: date, seed: int = 1000) -> TenantSpec:
    """The `index`-th tenant of a synthetic fleet: its own id, domain and accounts."""
    return TenantSpec(
        seed=seed + index,
        accounts=accounts,
        as_of=as_of,
        tenant_id=f"00000000-f1ee-4000-8000-{index:012d}",
        domain=f"fleet{index}.example",
    )


@dataclass(frozen=True, slots=True)
class Served:
    """One tenant and its users endpoint (which caches per-tenant renderers)."""

    tenant: Tenant
    users: UsersEndpoint


class Tenancy:
    def __init__(
        self, primary: Tenant, clock: Clock, sign_in_page_max: int = 500, sign_in_top_refused: bool = False
    ) -> None:
        self._clock = clock
        self._sign_in = (sign_in_page_max, sign_in_top_refused)
        self._catalogue: Catalogue = primary.catalogue
        self._specs: dict[str, TenantSpec] = {}
        self._served: OrderedDict[str, Served] = OrderedDict()  # fleet tenants, least recently called first
        self._names: dict[str, str] = {}  # lower-case tenant id or domain → tenant id
        self._lock = threading.Lock()
        self.primary = self._serve(primary)
        self._register(primary.spec)

    def _serve(self, tenant: Tenant) -> Served:
        return Served(tenant, UsersEndpoint(tenant, self._clock, *self._sign_in))

    def _register(self, spec: TenantSpec) -> None:
        self._specs[spec.tenant_id.lower()] = spec
        self._names[spec.tenant_id.lower()] = self._names[spec.domain.lower()] = spec.tenant_id.lower()

    def add(self, spec: TenantSpec) -> None:
        """Serve `spec` too (generated on its first call). Thread-safe: the simulator runs in its own."""
        with self._lock:
            self._register(spec)

    def tenant_id(self, name: str) -> str | None:
        """The tenant a token request names (its id or its domain), or None when it is not served."""
        return self._names.get(name.lower())

    def get(self, tenant_id: str) -> Served:
        key = tenant_id.lower()
        if key == self.primary.tenant.spec.tenant_id.lower():
            return self.primary
        with self._lock:
            served = self._served.get(key)
            if served is None:
                served = self._served[key] = self._serve(Tenant(self._specs[key], self._catalogue))
                if len(self._served) > SERVED:
                    self._served.popitem(last=False)
            else:
                self._served.move_to_end(key)
        return served
