"""Usage-report CSV → snapshot records, streamed a chunk at a time.

Each record field names the CSV column it comes from (headers verbatim from the report's page, listed at
https://learn.microsoft.com/graph/api/resources/report) and a converter from `csv_values`. Rows are
built directly as the JSON `model_dump(mode="json")` would write (the unit tests hold every parser to
that), so 100k-row reports skip a second validation pass.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from shared.collection import csv_values as v
from shared.graph import MalformedResponseError
from shared.snapshot import Dataset
from shared.snapshot.records import COPILOT_SURFACES

Converter = Callable[[str], Any]
Columns = tuple[tuple[str, str, Converter], ...]  # (record field, CSV column, converter)

_REFRESH = ("report_refresh_date", "Report Refresh Date", v.day)
_UPN = ("user_principal_name", "User Principal Name", v.text)
_DELETED = ("is_deleted", "Is Deleted", v.flag)
_LAST = ("last_activity_date", "Last Activity Date", v.optional_day)
_PERIOD = ("report_period", "Report Period", v.number)
_WORKLOADS = (
    ("exchange", "Exchange"),
    ("onedrive", "OneDrive"),
    ("sharepoint", "SharePoint"),
    ("skype_for_business", "Skype For Business"),
    ("yammer", "Yammer"),
    ("teams", "Teams"),
)


def _copilot_last_activity_column(surface: str) -> str:
    """ "Word Copilot Last Activity Date", but "Copilot Chat Last Activity Date"."""
    return (
        f"{surface} Last Activity Date"
        if surface.startswith("Copilot")
        else f"{surface} Copilot Last Activity Date"
    )


COLUMNS: dict[Dataset, Columns] = {
    Dataset.ACTIVE_USER_DETAIL: (
        _REFRESH,
        _UPN,
        ("display_name", "Display Name", v.optional_text),
        _DELETED,
        *((f"has_{w}_license", f"Has {c} License", v.flag) for w, c in _WORKLOADS),
        *((f"{w}_last_activity_date", f"{c} Last Activity Date", v.optional_day) for w, c in _WORKLOADS),
        ("assigned_products", "Assigned Products", v.products),
    ),
    Dataset.EMAIL_ACTIVITY_USER_DETAIL: (
        _REFRESH,
        _UPN,
        _DELETED,
        _LAST,
        ("send_count", "Send Count", v.count),
        ("receive_count", "Receive Count", v.count),
        ("read_count", "Read Count", v.count),
        ("meeting_created_count", "Meeting Created Count", v.count),
        ("meeting_interacted_count", "Meeting Interacted Count", v.count),
        _PERIOD,
    ),
    Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL: (
        _REFRESH,
        ("user_id", "User Id", v.optional_text),
        _UPN,
        _DELETED,
        _LAST,
        ("team_chat_message_count", "Team Chat Message Count", v.count),
        ("private_chat_message_count", "Private Chat Message Count", v.count),
        ("call_count", "Call Count", v.count),
        ("meeting_count", "Meeting Count", v.count),
        ("meetings_organized_count", "Meetings Organized Count", v.count),
        ("meetings_attended_count", "Meetings Attended Count", v.count),
        ("audio_duration_seconds", "Audio Duration In Seconds", v.count),
        ("video_duration_seconds", "Video Duration In Seconds", v.count),
        ("screen_share_duration_seconds", "Screen Share Duration In Seconds", v.count),
        ("is_licensed", "Is Licensed", v.optional_flag),
        _PERIOD,
    ),
    Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL: (
        _REFRESH,
        ("site_url", "Site URL", v.optional_text),
        ("owner_principal_name", "Owner Principal Name", v.text),
        ("is_deleted", "Is Deleted", v.flag),
        _LAST,
        ("file_count", "File Count", v.count),
        ("active_file_count", "Active File Count", v.count),
        ("storage_used_bytes", "Storage Used (Byte)", v.count),
        ("storage_allocated_bytes", "Storage Allocated (Byte)", v.count),
        _PERIOD,
    ),
    Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL: (
        _REFRESH,
        _UPN,
        _DELETED,
        _LAST,
        ("viewed_or_edited_file_count", "Viewed Or Edited File Count", v.count),
        ("synced_file_count", "Synced File Count", v.count),
        ("shared_internally_file_count", "Shared Internally File Count", v.count),
        ("shared_externally_file_count", "Shared Externally File Count", v.count),
        ("visited_page_count", "Visited Page Count", v.count),
        _PERIOD,
    ),
    Dataset.M365_APP_USER_DETAIL: (
        _REFRESH,
        _UPN,
        ("last_activation_date", "Last Activation Date", v.optional_day),
        _LAST,
        _PERIOD,
        *(
            (field, column, v.flag)
            for field, column in (
                ("windows", "Windows"),
                ("mac", "Mac"),
                ("mobile", "Mobile"),
                ("web", "Web"),
                ("outlook", "Outlook"),
                ("word", "Word"),
                ("excel", "Excel"),
                ("powerpoint", "PowerPoint"),
                ("onenote", "OneNote"),
                ("teams", "Teams"),
            )
        ),
    ),
    Dataset.ACTIVE_USER_COUNTS: (
        _REFRESH,
        ("report_date", "Report Date", v.day),
        ("office365", "Office 365", v.count),
        *((w, c, v.count) for w, c in _WORKLOADS),
        _PERIOD,
    ),
    Dataset.TEAMS_USER_ACTIVITY_COUNTS: (
        _REFRESH,
        ("report_date", "Report Date", v.day),
        ("team_chat_messages", "Team Chat Messages", v.count),
        ("private_chat_messages", "Private Chat Messages", v.count),
        ("calls", "Calls", v.count),
        ("meetings", "Meetings", v.count),
        ("meetings_organized", "Meetings Organized", v.count),
        ("meetings_attended", "Meetings Attended", v.count),
        _PERIOD,
    ),
    # Copilot reports: v1 columns, which version 2 (the default) keeps (copilotreportroot pages).
    Dataset.COPILOT_USAGE_USER_DETAIL: (
        _REFRESH,
        _UPN,
        ("display_name", "Display Name", v.optional_text),
        _LAST,
        *(
            (f"{key}_last_activity_date", _copilot_last_activity_column(name), v.optional_day)
            for key, name in COPILOT_SURFACES
        ),
        _PERIOD,
    ),
    Dataset.COPILOT_USER_COUNT_TREND: (
        _REFRESH,
        ("report_date", "Report Date", v.day),
        ("any_app_enabled_users", "Any App Enabled Users", v.count),
        ("any_app_active_users", "Any App Active Users", v.count),
        *((f"{key}_active_users", f"{name} Active Users", v.count) for key, name in COPILOT_SURFACES),
        _PERIOD,
    ),
}
# The column whose values are person names, for concealment detection.
NAME_FIELD = {
    Dataset.ACTIVE_USER_DETAIL: "user_principal_name",
    Dataset.EMAIL_ACTIVITY_USER_DETAIL: "user_principal_name",
    Dataset.TEAMS_USER_ACTIVITY_USER_DETAIL: "user_principal_name",
    Dataset.ONEDRIVE_USAGE_ACCOUNT_DETAIL: "owner_principal_name",
    Dataset.SHAREPOINT_ACTIVITY_USER_DETAIL: "user_principal_name",
    Dataset.M365_APP_USER_DETAIL: "user_principal_name",
    Dataset.COPILOT_USAGE_USER_DETAIL: "user_principal_name",
}


@dataclass(frozen=True, slots=True)
class _Plan:
    fields: tuple[tuple[str, int, Converter], ...]

    def row(self, cells: list[str]) -> dict[str, Any]:
        return {field: convert(cells[index].strip()) for field, index, convert in self.fields}


def _plan(dataset: Dataset, header: list[str]) -> _Plan:
    positions = {name.strip(): index for index, name in enumerate(header)}
    missing = [column for _, column, _ in COLUMNS[dataset] if column not in positions]
    if missing:
        raise MalformedResponseError(f"the {dataset.value} CSV lacks column(s) {', '.join(missing)}")
    return _Plan(tuple((field, positions[column], convert) for field, column, convert in COLUMNS[dataset]))


async def csv_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[str]]:
    """Complete CSV records (lists of lines) from a byte stream; the BOM goes (`utf-8-sig`)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    tail = ""
    async for chunk in chunks:
        text = tail + decoder.decode(chunk)
        lines = text.split("\n")
        tail = lines.pop()
        yield _whole_records(lines)
    text = tail + decoder.decode(b"", final=True)
    if text.strip():
        yield _whole_records([text])


def _whole_records(lines: list[str]) -> list[str]:
    # A quoted cell may hold a newline; no report column does, so a record with an odd number of quotes
    # is a cut-off body rather than something to stitch together.
    for line in lines:
        if line.count('"') % 2:
            raise MalformedResponseError("a CSV record has an unterminated quoted value")
    return [line.rstrip("\r") for line in lines if line.strip()]


class ReportParser:
    """Turns a report's CSV lines into record rows; the first line must be its header."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._plan: _Plan | None = None
        self._width = 0
        self._line = 0

    def rows(self, lines: list[str]) -> Iterator[dict[str, Any]]:
        for cells in csv.reader(lines):
            self._line += 1
            if self._plan is None:
                self._plan, self._width = _plan(self._dataset, cells), len(cells)
                continue
            if len(cells) != self._width:
                raise MalformedResponseError(
                    f"{self._dataset.value} CSV line {self._line} has {len(cells)} cells, "
                    f"expected {self._width}"
                )
            try:
                yield self._plan.row(cells)
            except ValueError as error:
                raise MalformedResponseError(
                    f"{self._dataset.value} CSV line {self._line}: {error}"
                ) from None

    def finish(self) -> None:
        if self._plan is None:
            raise MalformedResponseError(f"the {self._dataset.value} CSV is empty (no header line)")
