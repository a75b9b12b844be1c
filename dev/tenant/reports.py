"""Which accounts appear in which usage report (graph_api.md §1.2). Shared by the ground truth and the
simulator's CSV writer so the two cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from dev.tenant.account import Account
from dev.tenant.activity import Profile, Workload


class Report(StrEnum):
    """Graph function names of the eight usage reports."""

    ACTIVE_USER_DETAIL = "getOffice365ActiveUserDetail"
    EMAIL_DETAIL = "getEmailActivityUserDetail"
    TEAMS_DETAIL = "getTeamsUserActivityUserDetail"
    ONEDRIVE_DETAIL = "getOneDriveUsageAccountDetail"
    SHAREPOINT_DETAIL = "getSharePointActivityUserDetail"
    APPS_DETAIL = "getM365AppUserDetail"
    ACTIVE_USER_COUNTS = "getOffice365ActiveUserCounts"
    TEAMS_COUNTS = "getTeamsUserActivityCounts"


COUNTS_REPORTS = frozenset({Report.ACTIVE_USER_COUNTS, Report.TEAMS_COUNTS})  # one row per day, period only
PERIODS = {"D7": 7, "D30": 30, "D90": 90, "D180": 180}


def _drive_provisioned(account: Account) -> bool:
    # A OneDrive exists once its owner has signed in successfully at least once.
    return Workload.ONEDRIVE in account.workloads and account.activity.profile not in (
        Profile.NEVER,
        Profile.FAILED_ONLY,
    )


DETAIL_ROWS: dict[Report, Callable[[Account], bool]] = {
    Report.ACTIVE_USER_DETAIL: lambda a: a.licensed,
    Report.EMAIL_DETAIL: lambda a: Workload.EXCHANGE in a.workloads,
    Report.TEAMS_DETAIL: lambda a: Workload.TEAMS in a.workloads,
    Report.ONEDRIVE_DETAIL: _drive_provisioned,
    Report.SHAREPOINT_DETAIL: lambda a: Workload.SHAREPOINT in a.workloads,
    Report.APPS_DETAIL: lambda a: Workload.APPS in a.workloads,
}
