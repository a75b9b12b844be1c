"""The simulator keeps only the fleet tenants in use generated, and a forgotten one comes back the same."""

from __future__ import annotations

from datetime import date

from dev.graph_sim.tenancy import SERVED, Tenancy, fleet_tenant
from dev.graph_sim.wire import Clock
from dev.tenant import Tenant, TenantSpec

AS_OF = date(2026, 1, 15)


def _tenancy(fleet: int) -> tuple[Tenancy, list[TenantSpec]]:
    primary = Tenant(TenantSpec(seed=1, accounts=20, as_of=AS_OF))
    tenancy = Tenancy(primary, Clock(AS_OF))
    specs = [fleet_tenant(index, 30, AS_OF) for index in range(fleet)]
    for spec in specs:
        tenancy.add(spec)
    return tenancy, specs


def test_a_tenant_called_again_is_the_one_already_generated():
    tenancy, specs = _tenancy(3)
    assert tenancy.get(specs[0].tenant_id) is tenancy.get(specs[0].tenant_id.upper())


def test_the_least_recently_called_tenant_is_forgotten_and_comes_back_the_same():
    tenancy, specs = _tenancy(SERVED + 1)
    forgotten = tenancy.get(specs[0].tenant_id)
    users = [account.upn for account in forgotten.tenant.accounts()]
    for spec in specs[1:]:  # one more than it keeps: specs[0] was called least recently
        tenancy.get(spec.tenant_id)
    kept = tenancy.get(specs[1].tenant_id)

    again = tenancy.get(specs[0].tenant_id)
    assert again is not forgotten  # generated anew ...
    assert [account.upn for account in again.tenant.accounts()] == users  # ... the same
    assert tenancy.get(specs[1].tenant_id) is kept  # called since: still held


def test_the_simulators_own_tenant_is_never_forgotten():
    tenancy, specs = _tenancy(SERVED + 5)
    for spec in specs:
        tenancy.get(spec.tenant_id)
    assert tenancy.get(tenancy.primary.tenant.spec.tenant_id) is tenancy.primary
