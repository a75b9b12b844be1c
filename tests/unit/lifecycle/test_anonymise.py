"""The anonymiser: no original identifier survives, joins and figures do."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from dev.anonymise import anonymise_folder, main
from dev.tenant import Tenant, TenantSpec
from shared.lifecycle.anonymise import Anonymiser, anonymise_row
from shared.snapshot import Dataset, DatasetEntry, Manifest

AS_OF = date(2026, 6, 1)
KEY = b"k" * 32


def _rows(tenant: Tenant) -> dict[Dataset, list[dict[str, Any]]]:
    accounts = list(tenant.accounts())
    users, registration, activity, onedrive, teams, email, roles = [], [], [], [], [], [], []
    for account in accounts:
        users.append(
            {
                "id": account.id,
                "user_principal_name": account.upn,
                "display_name": account.display_name,
                "mail": account.mail,
                "account_enabled": account.enabled,
                "user_type": "Guest" if account.guest else "Member",
                "department": account.department,
                "assigned_licenses": [
                    {"sku_id": lic.sku_id, "disabled_plans": list(lic.disabled_plans)}
                    for lic in account.licences
                ],
            }
        )
        registration.append(
            {
                "id": account.id,
                "user_principal_name": account.upn,
                "is_mfa_registered": account.mfa.registered,
            }
        )
        last = account.activity.last_workload()
        activity.append(
            {
                "report_refresh_date": AS_OF.isoformat(),
                "user_principal_name": account.upn.upper(),  # reports may differ in case
                "display_name": account.display_name,
                "exchange_last_activity_date": (AS_OF - timedelta(days=last)).isoformat()
                if last is not None
                else None,
            }
        )
        onedrive.append(
            {
                "report_refresh_date": AS_OF.isoformat(),
                "site_url": "https://northwind-my.sharepoint.com/personal/"
                + account.upn.replace("@", "_").replace(".", "_"),
                "owner_principal_name": account.upn,
                "report_period": 30,
            }
        )
        teams.append(
            {
                "report_refresh_date": AS_OF.isoformat(),
                "user_id": account.id,
                "user_principal_name": account.upn,
                "report_period": 30,
            }
        )
        concealed = f"{account.index:032X}"  # a concealed report name, the same in two reports
        email.append(
            {
                "report_refresh_date": AS_OF.isoformat(),
                "user_principal_name": concealed,
                "report_period": 30,
                "send_count": account.index,
            }
        )
        activity.append(
            {
                "report_refresh_date": AS_OF.isoformat(),
                "user_principal_name": concealed,
                "display_name": concealed,
            }
        )
        roles += [
            {
                "id": f"{role}-{account.id}",
                "role_definition_id": role,
                "principal_id": account.id,
                "principal_type": "user",
            }
            for role in account.roles
        ]
    first = accounts[0]
    return {
        Dataset.ORGANISATION: [{"tenant_id": tenant.spec.tenant_id, "display_name": "Northwind Traders"}],
        Dataset.USERS: users,
        Dataset.REGISTRATION_DETAILS: registration,
        Dataset.ROLE_ASSIGNMENTS: roles,
        Dataset.ACTIVE_USER_DETAIL: activity,
        Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL: onedrive,
        Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL: teams,
        Dataset.EMAIL_ACTIVITY_USER_DETAIL: email,
        Dataset.CONDITIONAL_ACCESS_POLICIES: [
            {
                "id": "0f6c8a42-8d0e-4b6e-9c0e-5a4f0e1b2c3d",
                "display_name": f"Exclude {first.display_name}",
                "state": "enabled",
                "include_users": ["All"],
                "exclude_users": [first.id],
            }
        ],
        Dataset.SUBSCRIBED_SKUS: [
            {
                "sku_id": seat.sku.id,
                "sku_part_number": seat.sku.string_id,
                "capability_status": "Enabled",
                "consumed_units": seat.consumed,
                "prepaid_enabled": seat.enabled,
            }
            for seat in tenant.seats
        ],
    }


@pytest.fixture(scope="module")
def snapshot(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[Dataset, list[dict[str, Any]]], Tenant]:
    tenant = Tenant(TenantSpec(seed=7, accounts=150, as_of=AS_OF))
    folder = tmp_path_factory.mktemp("raw")
    datasets = _rows(tenant)
    entries = []
    for dataset, rows in datasets.items():
        for row in rows:  # the fixture must be a valid snapshot
            dataset.record_model.model_validate(row)
        with gzip.open(folder / dataset.blob_name, "wt", encoding="utf-8") as out:
            out.writelines(json.dumps(row) + "\n" for row in rows)
        entries.append(DatasetEntry(dataset=dataset.value, status="complete", rows=len(rows)))
    manifest = Manifest(
        run_id="daily-2026-06-01",
        as_of=AS_OF,
        collected_at=datetime.combine(AS_OF, time()),
        tenant_id=tenant.spec.tenant_id,
        datasets=entries,
    )
    (folder / "manifest.json").write_text(manifest.model_dump_json())
    return folder, datasets, tenant


def _read(folder: Path) -> dict[Dataset, list[dict[str, Any]]]:
    out = {}
    for path in folder.glob("*.jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            out[Dataset(path.name.removesuffix(".jsonl.gz"))] = [json.loads(line) for line in lines]
    return out


def _identifiers(datasets: dict[Dataset, list[dict[str, Any]]], tenant: Tenant) -> set[str]:
    found = {tenant.spec.tenant_id, tenant.spec.domain, "Northwind", "northwind"}
    for account in tenant.accounts():
        found |= {
            account.id,
            account.upn,
            account.mail,
            account.given_name + " " + account.surname,
            account.upn.split("@")[0],
        }
    for row in datasets[Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL]:
        found.add(row["site_url"])
    for row in datasets[Dataset.EMAIL_ACTIVITY_USER_DETAIL]:
        found.add(row["user_principal_name"])
    return found


def test_no_original_identifier_survives_and_figures_do(snapshot, tmp_path: Path) -> None:
    source, original, tenant = snapshot
    assert main(["--in", str(source), "--out", str(tmp_path)]) == 0
    anonymised = _read(tmp_path)
    text = "\n".join(
        gzip.decompress(path.read_bytes()).decode() for path in tmp_path.glob("*.jsonl.gz")
    ).lower()
    text += (tmp_path / "manifest.json").read_text().lower()
    leaked = sorted(value for value in _identifiers(original, tenant) if value and value.lower() in text)
    assert leaked == []

    assert {d: len(rows) for d, rows in anonymised.items()} == {d: len(rows) for d, rows in original.items()}

    def sku_counts(data: dict[Dataset, list[dict[str, Any]]]) -> Counter[str]:
        return Counter(lic["sku_id"] for user in data[Dataset.USERS] for lic in user["assigned_licenses"])

    def active(data: dict[Dataset, list[dict[str, Any]]]) -> int:
        cutoff = (AS_OF - timedelta(days=30)).isoformat()
        return sum(
            1
            for row in data[Dataset.ACTIVE_USER_DETAIL]
            if (row.get("exchange_last_activity_date") or "") >= cutoff
        )

    assert sku_counts(anonymised) == sku_counts(original) and sku_counts(original)
    assert active(anonymised) == active(original) > 0
    assert anonymised[Dataset.SUBSCRIBED_SKUS] == original[Dataset.SUBSCRIBED_SKUS]

    def joins(data: dict[Dataset, list[dict[str, Any]]]) -> tuple[int, ...]:
        upns = {user["user_principal_name"].lower() for user in data[Dataset.USERS]}
        ids = {user["id"] for user in data[Dataset.USERS]}
        concealed = {row["user_principal_name"] for row in data[Dataset.EMAIL_ACTIVITY_USER_DETAIL]}
        return (
            sum(row["user_principal_name"].lower() in upns for row in data[Dataset.ACTIVE_USER_DETAIL]),
            sum(row["owner_principal_name"] in upns for row in data[Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL]),
            sum(row["principal_id"] in ids for row in data[Dataset.ROLE_ASSIGNMENTS]),
            sum(row["user_id"] in ids for row in data[Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL]),
            sum(row["user_principal_name"] in concealed for row in data[Dataset.ACTIVE_USER_DETAIL]),
            sum(user in ids for user in data[Dataset.CONDITIONAL_ACCESS_POLICIES][0]["exclude_users"]),
            sum(user["user_type"] == "Guest" for user in data[Dataset.USERS]),
        )

    assert joins(anonymised) == joins(original)
    assert joins(original)[0] == len(original[Dataset.USERS])
    manifest = Manifest.model_validate_json((tmp_path / "manifest.json").read_text())
    assert {entry.dataset: entry.rows for entry in manifest.datasets} == {
        d.value: len(r) for d, r in original.items()
    }
    assert all(len(entry.sha256) == 64 for entry in manifest.datasets)


def test_the_same_key_gives_the_same_output_and_another_key_another(snapshot, tmp_path: Path) -> None:
    source = snapshot[0]
    first = anonymise_folder(source, tmp_path / "a", KEY)
    second = anonymise_folder(source, tmp_path / "b", KEY)
    third = anonymise_folder(source, tmp_path / "c", b"z" * 32)
    assert [e.sha256 for e in first.datasets] == [e.sha256 for e in second.datasets]
    assert [e.sha256 for e in first.datasets] != [e.sha256 for e in third.datasets]


def test_shapes_insights_rely_on_are_kept() -> None:
    anonymiser = Anonymiser(KEY)
    guest = anonymiser.address("ann_contoso.com#EXT#@northwind.onmicrosoft.com")
    assert "#EXT#@" in guest and guest.endswith(".onmicrosoft.com") and "contoso" not in guest
    assert anonymiser.address("Ann@Northwind.example") == anonymiser.address("ann@northwind.example")
    concealed = anonymiser.address("0123456789ABCDEF0123456789ABCDEF")
    assert len(concealed) == 32 and int(concealed, 16) >= 0
    row = anonymise_row(
        anonymiser, Dataset.CONDITIONAL_ACCESS_POLICIES, {"include_users": ["All", "GuestsOrExternalUsers"]}
    )
    assert row == {"include_users": ["All", "GuestsOrExternalUsers"]}


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Anonymiser(b"short")
