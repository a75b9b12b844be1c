"""CSV reports → rows exactly as the snapshot's record models dump them (the contract with insights)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest

from dev.graph_sim.report_csv import HEADERS, ReportContext, counts_lines, detail_lines
from dev.graph_sim.wire import Clock
from dev.tenant import Report, Tenant, TenantSpec
from dev.tenant.reports import COUNTS_REPORTS
from shared.collection.report_parsing import ReportParser, csv_lines
from shared.graph import MalformedResponseError
from shared.snapshot import Dataset

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
TENANT = Tenant(TenantSpec(seed=3, accounts=300, as_of=date(2026, 1, 15)))


def _csv(report: Report, concealed: bool = False) -> bytes:
    products = {s.sku.id: s.sku.display_name.upper() for s in TENANT.seats}
    context = ReportContext(TENANT, Clock(TENANT.spec.as_of), 30, concealed, products)
    lines = (
        counts_lines(report, context) if report in COUNTS_REPORTS else detail_lines(report, context, 0, 300)
    )
    return ("\ufeff" + HEADERS[report] + "\r\n" + "\r\n".join(lines) + "\r\n").encode()


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _parse(dataset: Dataset, data: bytes, chunk: int = 997) -> list[dict[str, object]]:
    async def run() -> list[dict[str, object]]:
        parser = ReportParser(dataset)
        rows = [row async for lines in csv_lines(_chunks(data, chunk)) for row in parser.rows(lines)]
        parser.finish()
        return rows

    return asyncio.run(run())


@pytest.mark.parametrize("report", list(Report))
def test_rows_are_what_the_record_model_dumps(report: Report):
    dataset = REPORT_DATASETS[report]
    rows = _parse(dataset, _csv(report))
    assert len(rows) == _csv(report).count(b"\r\n") - 1 > 0
    for row in rows:
        assert dataset.record_model.model_validate(row).model_dump(mode="json") == row


def test_chunking_never_changes_the_rows():
    data = _csv(Report.ACTIVE_USER_DETAIL)
    assert _parse(Dataset.ACTIVE_USER_DETAIL, data, 7) == _parse(Dataset.ACTIVE_USER_DETAIL, data, 65536)


def test_a_first_row_matches_the_generated_account():
    rows = _parse(Dataset.ACTIVE_USER_DETAIL, _csv(Report.ACTIVE_USER_DETAIL))
    account = next(a for a in TENANT.accounts() if a.licensed)
    products = {s.sku.id: s.sku.display_name.upper() for s in TENANT.seats}
    assert rows[0]["user_principal_name"] == account.upn
    assert rows[0]["assigned_products"] == [products[lic.sku_id] for lic in account.licences]
    assert rows[0]["report_refresh_date"] == "2026-01-13"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xef\xbb\xbfReport Refresh Date,User Principal Name\r\n", "lacks column"),
        (b"", "empty"),
        (_csv(Report.EMAIL_DETAIL)[:-40], "cells"),
        (_csv(Report.EMAIL_DETAIL).replace(b",False,", b",Maybe,", 1), "not a boolean"),
    ],
)
def test_malformed_reports_fail_with_a_reason(data: bytes, reason: str):
    with pytest.raises(MalformedResponseError, match=reason):
        _parse(Dataset.EMAIL_ACTIVITY_USER_DETAIL, data)
