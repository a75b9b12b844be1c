"""TEST-ONLY: a raw snapshot written straight from the synthetic tenant, without Graph or collection.

It renders each dataset with the Graph simulator's own functions (so values, concealment and report rows
are exactly what collection would see) and maps them onto `shared/snapshot/records` models. The lead will
add a true end-to-end test through `shared/collection`; this keeps insight tests independent of it.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from dev.graph_sim import applications as graph_applications
from dev.graph_sim import copilot as copilot_reports
from dev.graph_sim import directory
from dev.graph_sim import domains as graph_domains
from dev.graph_sim import pim as graph_pim
from dev.graph_sim import policies as graph_policies
from dev.graph_sim import sharepoint as graph_sharepoint
from dev.graph_sim.odata import Clause
from dev.graph_sim.report_csv import DETAIL_WRITERS, HEADERS, ReportContext, counts_lines
from dev.graph_sim.wire import Clock
from dev.tenant import Report, Tenant, TenantSpec
from dev.tenant.reports import DETAIL_ROWS
from shared.collection import graph_records
from shared.collection.report_parsing import ReportParser
from shared.collection.sources import MEMBER_FIELDS
from shared.insights.source import BlobStore
from shared.snapshot import Dataset, DatasetEntry, Manifest, snapshot_prefix
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR

REPORT_DATASETS = {
    Report.ACTIVE_USER_DETAIL: Dataset.ACTIVE_USER_DETAIL,
    Report.EMAIL_DETAIL: Dataset.EMAIL_ACTIVITY_USER_DETAIL,
    Report.TEAMS_DETAIL: Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL,
    Report.ONEDRIVE_DETAIL: Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL,
    Report.SHAREPOINT_DETAIL: Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL,
    Report.APPS_DETAIL: Dataset.M365_APP_USER_DETAIL,
    Report.ACTIVE_USER_COUNTS: Dataset.ACTIVE_USER_COUNTS,
    Report.TEAMS_COUNTS: Dataset.TEAMS_USER_ACTIVITY_COUNTS,
}
_RENAMES = {
    "storage_used_byte": "storage_used_bytes",
    "storage_allocated_byte": "storage_allocated_bytes",
    "audio_duration_in_seconds": "audio_duration_seconds",
    "video_duration_in_seconds": "video_duration_seconds",
    "screen_share_duration_in_seconds": "screen_share_duration_seconds",
    "office_365": "office365",
    "onedrive": "onedrive",
    "team_chat_messages": "team_chat_messages",
}


def _snake(header: str) -> str:
    name = re.sub(r"[^0-9a-z]+", "_", header.lower()).strip("_")
    name = name.replace("one_drive", "onedrive").replace("share_point", "sharepoint")
    return _RENAMES.get(name, name)


def _csv_rows(model: type[BaseModel], header: str, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    names = [_snake(h) for h in header.split(",")]
    fields = model.model_fields
    for values in csv.reader(lines):
        row: dict[str, Any] = {}
        for name, value in zip(names, values, strict=True):
            if name not in fields or value == "":
                continue
            row[name] = value.split("+") if name == "assigned_products" else value
        yield model.model_validate(row).model_dump(mode="json")


def _graph_time(value: str | None) -> str | None:
    return None if value in (None, "0001-01-01T00:00:00Z") else value


@dataclass
class SnapshotOptions:
    concealed: bool = False
    premium: bool | None = None  # None: the tenant spec's own setting
    failed: set[Dataset] = field(default_factory=set)
    collected_at: datetime | None = None


def write_snapshot(
    store: BlobStore, tenant: Tenant, run_id: str, options: SnapshotOptions | None = None
) -> Manifest:
    """Write `raw/<as_of>/<run_id>/*` for `tenant` into `store` and return the manifest."""
    options = options or SnapshotOptions()
    spec = tenant.spec
    as_of = spec.as_of
    premium = spec.premium if options.premium is None else options.premium
    clock = Clock(as_of)
    prefix = snapshot_prefix(as_of, run_id)
    entries: list[DatasetEntry] = []
    products = {s.sku.id: s.sku.display_name.upper() for s in tenant.seats}

    def put(
        dataset: Dataset, rows: Callable[[], Iterable[dict[str, Any]]], unavailable: bool = False
    ) -> None:
        if dataset in options.failed:
            entries.append(DatasetEntry(dataset=dataset.value, status="failed", error="simulated failure"))
            return
        if unavailable:
            entries.append(
                DatasetEntry(dataset=dataset.value, status="unavailable", error="tenant has no Entra ID P1")
            )
            return
        model = dataset.record_model
        checked = (model.model_validate(row).model_dump(mode="json") for row in rows())
        result = store.write_jsonl_gz(prefix + dataset.blob_name, checked)
        count = result if isinstance(result, int) else result.rows
        entries.append(DatasetEntry(dataset=dataset.value, status="complete", rows=count))

    put(Dataset.ORGANISATION, lambda: [{"tenant_id": spec.tenant_id, "display_name": "Northwind Traders"}])
    put(Dataset.REPORT_SETTINGS, lambda: [{"display_concealed_names": options.concealed}])

    def users() -> Iterator[dict[str, Any]]:
        for a in tenant.accounts():
            yield {
                "id": a.id,
                "user_principal_name": a.upn,
                "display_name": a.display_name,
                "mail": a.mail,
                "account_enabled": a.enabled,
                "user_type": "Guest" if a.guest else "Member",
                "created_date_time": f"{a.created.isoformat()}T09:00:00Z",
                "department": a.department,
                "on_premises_sync_enabled": True if a.synced else None,
                "assigned_licenses": [
                    {"sku_id": lic.sku_id, "disabled_plans": list(lic.disabled_plans)} for lic in a.licences
                ],
                "license_assignment_states": [
                    {"sku_id": lic.sku_id, "assigned_by_group": group, "state": "Active"}
                    for lic in a.licences
                    for group in ((None,) if lic.direct else ()) + lic.via_groups
                ],
            }

    put(Dataset.USERS, users)
    put(
        Dataset.GROUPS,
        lambda: (
            graph_records.group(g) for g in directory.groups(tenant, ["id", "displayName"], "")["value"]
        ),
    )

    def sign_ins() -> Iterator[dict[str, Any]]:
        for a in tenant.accounts():
            s = a.activity.sign_in
            row: dict[str, Any] = {"id": a.id}
            if s is not None:
                for key, days in (
                    ("last_sign_in", s.interactive),
                    ("last_non_interactive_sign_in", s.non_interactive),
                    ("last_successful_sign_in", s.successful),
                ):
                    row[key] = None if days is None else clock.instant(days, s.second_of_day)
            yield row

    put(Dataset.SIGN_IN_ACTIVITY, sign_ins, unavailable=not premium)
    put(
        Dataset.SUBSCRIBED_SKUS,
        lambda: (
            {
                "sku_id": item["skuId"],
                "sku_part_number": item["skuPartNumber"],
                "capability_status": item["capabilityStatus"],
                "applies_to": item["appliesTo"],
                "consumed_units": item["consumedUnits"],
                "prepaid_enabled": item["prepaidUnits"]["enabled"],
                "prepaid_warning": item["prepaidUnits"]["warning"],
                "prepaid_suspended": item["prepaidUnits"]["suspended"],
                "prepaid_locked_out": item["prepaidUnits"]["lockedOut"],
                "service_plans": [
                    {
                        "service_plan_id": p["servicePlanId"],
                        "service_plan_name": p["servicePlanName"],
                        "provisioning_status": p["provisioningStatus"],
                        "applies_to": p["appliesTo"],
                    }
                    for p in item["servicePlans"]
                ],
            }
            for item in directory.subscribed_skus(tenant, "")["value"]
        ),
    )
    put(
        Dataset.SUBSCRIPTIONS,
        lambda: (
            {
                "id": item["id"],
                "sku_id": item["skuId"],
                "sku_part_number": item["skuPartNumber"],
                "status": item["status"],
                "total_licenses": item["totalLicenses"],
                "is_trial": item["isTrial"],
                "next_lifecycle_date_time": item["nextLifecycleDateTime"],
            }
            for item in directory.subscriptions(tenant, clock, "")["value"]
        ),
    )

    def registration() -> Iterator[dict[str, Any]]:
        for a in tenant.accounts():
            item = json.loads(directory.registration_row(a))
            yield {
                "id": item["id"],
                "user_principal_name": item["userPrincipalName"],
                "user_type": item["userType"],
                "is_admin": item["isAdmin"],
                "is_mfa_registered": item["isMfaRegistered"],
                "is_mfa_capable": item["isMfaCapable"],
                "methods_registered": item["methodsRegistered"],
            }

    put(Dataset.REGISTRATION_DETAILS, registration, unavailable=not premium)
    put(
        Dataset.SECURE_SCORES,
        lambda: (
            {
                "created_date_time": item["createdDateTime"],
                "current_score": item["currentScore"],
                "max_score": item["maxScore"],
                "active_user_count": item["activeUserCount"],
                "licensed_user_count": item["licensedUserCount"],
            }
            for item in directory.secure_scores(tenant, 90, 0)["value"]
        ),
    )

    def roles() -> Iterator[dict[str, Any]]:
        # The collector's own conversion, with each role-assignable group expanded to its members.
        for item in directory.role_assignments(tenant, [], True, "")["value"]:
            yield graph_records.role_assignment(item)
            if graph_records.principal_type(item["principal"]) == "group":
                member_row = graph_records.role_group_member(item)
                members = directory.group_members(tenant, item["principalId"], MEMBER_FIELDS, "")
                assert members is not None
                for member in members["value"]:
                    yield member_row(member)

    put(Dataset.ROLE_ASSIGNMENTS, roles)

    def policies() -> list[Any]:  # through the collector's own conversion, like the singletons below
        convert = graph_records.CONVERTERS[Dataset.CONDITIONAL_ACCESS_POLICIES.value]
        return [convert(p) for p in directory.conditional_access(tenant, "")["value"]]

    put(Dataset.CONDITIONAL_ACCESS_POLICIES, policies, unavailable=not premium)
    # The tenant-wide policy singletons, through the collector's own conversion.
    for dataset, render in (
        (Dataset.AUTHORIZATION_POLICY, graph_policies.authorization_policy),
        (Dataset.ADMIN_CONSENT_REQUEST_POLICY, graph_policies.admin_consent_request_policy),
        (Dataset.AUTHENTICATION_METHODS_POLICY, graph_policies.authentication_methods_policy),
        (Dataset.SHAREPOINT_SETTINGS, graph_sharepoint.sharepoint_settings),
    ):
        convert = graph_records.CONVERTERS[dataset.value]
        put(dataset, lambda render=render, convert=convert: [convert(render(tenant.policies, ""))])

    def global_admin_activation_policy(of: Tenant, context: str) -> dict[str, Any]:
        scope = [Clause("scopeId", "eq", "/"), Clause("scopeType", "eq", "DirectoryRole")]
        asked = [*scope, Clause("roleDefinitionId", "eq", GLOBAL_ADMINISTRATOR)]
        return graph_pim.role_management_policy_assignments(of, asked, context)

    # Directory listings, through the collector's own conversion.
    def converted(
        dataset: Dataset, render: Callable[[Tenant, str], dict[str, Any]]
    ) -> Callable[[], list[Any]]:
        convert = graph_records.CONVERTERS[dataset.value]
        return lambda: [convert(item) for item in render(tenant, "")["value"]]

    for listed, listing in (
        (Dataset.DOMAINS, graph_domains.domains),
        (Dataset.APPLICATIONS, graph_applications.applications),
        (Dataset.GRAPH_PERMISSION_GRANTS, graph_applications.graph_permission_grants),
    ):
        put(listed, converted(listed, listing))
    for pim_dataset, listing in (  # PIM: refused without Entra ID P2, as the simulator refuses it
        (Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES, graph_pim.role_assignment_schedule_instances),
        (Dataset.ROLE_ACTIVATION_POLICIES, global_admin_activation_policy),
    ):
        put(pim_dataset, converted(pim_dataset, listing), unavailable=not premium)
    for report, dataset in REPORT_DATASETS.items():
        period = 180 if dataset is Dataset.ACTIVE_USER_COUNTS else 30
        context = ReportContext(tenant, clock, period, options.concealed, products)
        put(dataset, _report_rows(tenant, report, dataset, context))
    # The Copilot reports as the simulator serves them, through the collector's own CSV parser.
    for dataset, lines in (
        (
            Dataset.COPILOT_USAGE_USER_DETAIL,
            lambda: copilot_reports.detail_lines(tenant, clock, 180, "v2", options.concealed),
        ),
        (Dataset.COPILOT_USER_COUNT_TREND, lambda: copilot_reports.trend_lines(tenant, clock, 90, "v2")),
    ):
        put(dataset, lambda dataset=dataset, lines=lines: ReportParser(dataset).rows(list(lines())))
    manifest = Manifest(
        run_id=run_id,
        as_of=as_of,
        collected_at=options.collected_at or datetime(as_of.year, as_of.month, as_of.day, 3, 0, tzinfo=UTC),
        tenant_id=spec.tenant_id,
        datasets=entries,
    )
    store.write_json(prefix + "manifest.json", manifest.model_dump(mode="json"))
    return manifest


def _report_rows(
    tenant: Tenant, report: Report, dataset: Dataset, context: ReportContext
) -> Callable[[], Iterator[dict[str, Any]]]:
    def lines() -> Iterator[str]:
        if report not in DETAIL_ROWS:
            yield from counts_lines(report, context)
            return
        included, writer = DETAIL_ROWS[report], DETAIL_WRITERS[report]
        for a in tenant.accounts():
            if included(a):
                buffer = _Line()
                csv.writer(buffer, lineterminator="").writerow(writer(context, a))
                yield buffer.text

    return lambda: _csv_rows(dataset.record_model, HEADERS[report], lines())


class _Line:
    def __init__(self) -> None:
        self.text = ""

    def write(self, value: str) -> int:
        self.text += value
        return len(value)


def tenant(seed: int, accounts: int, as_of: date = date(2026, 3, 2), **spec: Any) -> Tenant:
    return Tenant(TenantSpec(seed=seed, accounts=accounts, as_of=as_of, **spec))
