"""`services.org(tenant)`: one organisation's repositories, bound to that organisation and no other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.audit import AuditEntry, AuditFilter
from shared.runs import RunRecord, RunRepository
from shared.services import Services
from shared.settings import load_settings
from shared.storage import PageTokenSigner, StorageClients, TenantContext
from tests.conftest import TEST_SETTINGS

LONG_AGO = datetime(2020, 3, 10, 12, 0, tzinfo=UTC)  # years before the wall clock


def _services(clients: StorageClients, tokens: PageTokenSigner) -> Services:
    return Services(
        settings=load_settings(TEST_SETTINGS), storage=clients, page_signer=tokens, clock=lambda: LONG_AGO
    )


def test_a_scope_reads_and_writes_its_own_organisation_only(clients, tokens) -> None:
    services = _services(clients, tokens)
    mine, theirs = TenantContext.new_organisation(), TenantContext.new_organisation()
    run = RunRecord(
        run_id="r-1", as_of=date(2026, 11, 23), trigger="schedule", created_at=LONG_AGO, updated_at=LONG_AGO
    )
    services.org(mine).runs.create_if_absent(run)
    assert RunRepository(clients, mine, tokens).get("r-1").run_id == "r-1"  # the organisation's own row
    assert services.org(theirs).runs.find("r-1") is None
    assert services.org(theirs).runs.list_recent() == []


def test_a_scopes_audit_log_reads_its_default_window_up_to_the_services_clock(clients, tokens) -> None:
    """Long before the wall clock's now: the default window ends at `services.clock`, so the entry shows."""
    services = _services(clients, tokens)
    tenant = TenantContext.new_organisation()
    entry = AuditEntry(
        at=LONG_AGO - timedelta(hours=1),
        actor_member_id="m-1",
        actor_role="admin",
        action="GET /x",
        target="",
        outcome="allowed",
        status=200,
        request_id="req-1",
        client_address="203.0.113.1",
    )
    services.org(tenant).audit.append(entry)
    entries, _ = services.org(tenant).audit.page(AuditFilter(), page_size=10, continuation_token=None)
    assert [found.request_id for found in entries] == ["req-1"]
    other, _ = services.org(TenantContext.new_organisation()).audit.page(
        AuditFilter(), page_size=10, continuation_token=None
    )
    assert other == []
