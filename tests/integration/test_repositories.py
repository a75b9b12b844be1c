"""Repositories for organisations, integrations, runs and metadata, against Azurite."""

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.integrations import IntegrationRepository, M365Integration, secret_name_for
from shared.metadata import Groups, MetadataRepository, Price, Prices
from shared.organisations import Organisation, OrganisationRepository
from shared.runs import DatasetProgress, RunRecord, RunRepository, daily_run_id
from shared.storage import ConcurrencyError, NotFoundError, TenantContext

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def new_run(run_id: str = "daily-2026-11-23") -> RunRecord:
    return RunRecord(
        run_id=run_id, as_of=date(2026, 11, 23), trigger="schedule", created_at=NOW, updated_at=NOW
    )


def test_runs_are_created_once_and_saved_with_etags(clients, tokens) -> None:
    tenant = TenantContext.new_organisation()
    runs = RunRepository(clients, tenant, tokens)
    first = runs.create_if_absent(new_run())
    first.datasets["users"] = DatasetProgress(status="complete", rows=10)
    saved = runs.save(first)
    again = runs.create_if_absent(new_run())  # redelivered message: the existing run, with its progress
    assert again.datasets["users"].rows == 10
    with pytest.raises(ConcurrencyError):
        runs.save(first)  # stale ETag
    assert runs.save(saved).etag != saved.etag


def test_runs_of_another_organisation_are_not_found(clients, tokens) -> None:
    mine, theirs = TenantContext.new_organisation(), TenantContext.new_organisation()
    RunRepository(clients, theirs, tokens).create_if_absent(new_run("secret-run"))
    with pytest.raises(NotFoundError):
        RunRepository(clients, mine, tokens).get("secret-run")
    assert RunRepository(clients, mine, tokens).list_recent() == []


def test_recent_runs_come_newest_first(clients, tokens) -> None:
    runs = RunRepository(clients, TenantContext.new_organisation(), tokens)
    for days in (2, 0, 1):
        run = new_run(daily_run_id(date(2026, 11, 21 + days)))
        runs.create_if_absent(run.model_copy(update={"created_at": NOW + timedelta(days=days)}))
    assert [run.run_id for run in runs.list_recent(2)] == ["daily-2026-11-23", "daily-2026-11-22"]


def test_only_active_organisations_are_listed(clients, tokens) -> None:
    organisations = OrganisationRepository(clients, tokens)
    active = organisations.create(
        Organisation(org_id=TenantContext.new_organisation().org_id, name="A", created_at=NOW)
    )
    leaving = organisations.create(
        Organisation(
            org_id=TenantContext.new_organisation().org_id, name="B", created_at=NOW, status="offboarding"
        )
    )
    listed = {organisation.org_id for organisation in organisations.list_active()}
    assert active.org_id in listed and leaving.org_id not in listed
    assert organisations.get(active.tenant).name == "A"


def test_integration_names_its_secret_and_never_holds_it(clients, tokens) -> None:
    tenant = TenantContext.new_organisation()
    repository = IntegrationRepository(clients, tenant, tokens)
    assert repository.find() is None
    with pytest.raises(NotFoundError):
        repository.get()
    integration = M365Integration(
        tenant_id="00000000-0000-0000-0000-000000000001",
        client_id="00000000-0000-0000-0000-000000000002",
        secret_name=secret_name_for(tenant),
        connected_at=NOW,
    )
    saved = repository.save(integration)
    assert repository.get() == saved
    assert secret_name_for(tenant).endswith(tenant.org_id)
    repository.save(saved.model_copy(update={"status": "error"}))
    with pytest.raises(ConcurrencyError):
        repository.save(saved)  # read before the change above: refused


def test_metadata_defaults_and_round_trip(clients, tokens) -> None:
    metadata = MetadataRepository(clients, TenantContext.new_organisation(), tokens)
    assert metadata.prices() == {} and metadata.inactivity_threshold_days() == 30
    metadata.save_prices(Prices(prices={"sku": Price(currency="GBP", monthly=30.5)}))
    metadata.save_groups(Groups(departments={"Sales EMEA": "Sales"}, inactivity_days=90))
    assert metadata.prices()["sku"].monthly == 30.5
    assert metadata.groups() == {"Sales EMEA": "Sales"} and metadata.inactivity_threshold_days() == 90


def test_resume_cursors_are_stored_but_never_serialised_for_the_api(clients, tokens) -> None:
    runs = RunRepository(clients, TenantContext.new_organisation(), tokens)
    run = runs.create_if_absent(new_run())
    run.datasets["users"] = DatasetProgress(
        status="pending", cursor="https://graph.example/v1.0/users?$skiptoken=x"
    )
    runs.save(run)
    stored = runs.get(run.run_id)
    assert stored.datasets["users"].cursor == "https://graph.example/v1.0/users?$skiptoken=x"
    assert "skiptoken" not in stored.model_dump_json()
