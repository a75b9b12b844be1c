"""Usage report CSV rows, header lines verbatim from graph_api.md §1.2; value conventions from §1.1:
dates `YYYY-MM-DD`, booleans `True`/`False` ("Has Other Action" is `Yes`/`No`), empty for null, Assigned
Products upper-case and `+`-joined. Durations are `hh:mm:ss` as in the doc's JSON sample (GUESS).
Counts scale with the account's engagement and how much of the period it was active in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dev.graph_sim.wire import Clock, conceal
from dev.tenant import Account, Tenant, Workload
from dev.tenant.activity import REPORT_LAG_DAYS
from dev.tenant.entropy import Draw
from dev.tenant.reports import DETAIL_ROWS, Report
from dev.tenant.rightsizing import app_platforms

HEADERS = {
    Report.ACTIVE_USER_DETAIL: "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products",  # noqa: E501
    Report.EMAIL_DETAIL: "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Last Activity Date,Send Count,Receive Count,Read Count,Meeting Created Count,Meeting Interacted Count,Assigned Products,Report Period",  # noqa: E501
    Report.TEAMS_DETAIL: "Report Refresh Date,Tenant Display Name,Shared Channel Tenant Display Names,User Id,User Principal Name,Last Activity Date,Is Deleted,Deleted Date,Assigned Products,Team Chat Message Count,Private Chat Message Count,Call Count,Meeting Count,Post Messages,Reply Messages,Urgent Messages,Meetings Organized Count,Meetings Attended Count,Ad Hoc Meetings Organized Count,Ad Hoc Meetings Attended Count,Scheduled One-time Meetings Organized Count,Scheduled One-time Meetings Attended Count,Scheduled Recurring Meetings Organized Count,Scheduled Recurring Meetings Attended Count,Audio Duration,Video Duration,Screen Share Duration,Audio Duration In Seconds,Video Duration In Seconds,Screen Share Duration In Seconds,Has Other Action,Is Licensed,Report Period",  # noqa: E501
    Report.ONEDRIVE_DETAIL: "Report Refresh Date,Site URL,Owner Display Name,Is Deleted,Last Activity Date,File Count,Active File Count,Storage Used (Byte),Storage Allocated (Byte),Owner Principal Name,Report Period",  # noqa: E501
    Report.SHAREPOINT_DETAIL: "Report Refresh Date,User Principal Name,Is Deleted,Deleted Date,Last Activity Date,Viewed Or Edited File Count,Synced File Count,Shared Internally File Count,Shared Externally File Count,Visited Page Count,Assigned Products,Report Period",  # noqa: E501
    Report.APPS_DETAIL: "Report Refresh Date,User Principal Name,Last Activation Date,Last Activity Date,Report Period,Windows,Mac,Mobile,Web,Outlook,Word,Excel,PowerPoint,OneNote,Teams,Outlook (Windows),Word (Windows),Excel (Windows),PowerPoint (Windows),OneNote (Windows),Teams (Windows),Outlook (Mac),Word (Mac),Excel (Mac),PowerPoint (Mac),OneNote (Mac),Teams (Mac),Outlook (Mobile),Word (Mobile),Excel (Mobile),PowerPoint (Mobile),OneNote (Mobile),Teams (Mobile),Outlook (Web),Word (Web),Excel (Web),PowerPoint (Web),OneNote (Web),Teams (Web)",  # noqa: E501
    Report.ACTIVE_USER_COUNTS: "Report Refresh Date,Office 365,Exchange,OneDrive,SharePoint,Skype For Business,Yammer,Teams,Report Date,Report Period",  # noqa: E501
    Report.TEAMS_COUNTS: "Report Refresh Date,Report Date,Team Chat Messages,Post Messages,Reply Messages,Private Chat Messages,Calls,Meetings,Audio Duration,Video Duration,Screen Share Duration,Meetings Organized,Meetings Attended,Report Period",  # noqa: E501
}
_APPS = ("Outlook", "Word", "Excel", "PowerPoint", "OneNote", "Teams")


def _bool(value: bool) -> str:
    return "True" if value else "False"


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class ReportContext:
    tenant: Tenant
    clock: Clock
    period: int  # days covered (1 for a date= request)
    concealed: bool
    products: dict[str, str]  # sku id → upper-case product name

    @property
    def refresh(self) -> str:
        return self.clock.day(REPORT_LAG_DAYS)

    def upn(self, a: Account) -> str:
        return conceal(a.upn) if self.concealed else a.upn

    def name(self, a: Account) -> str:
        return conceal(a.display_name + a.id) if self.concealed else a.display_name

    def assigned(self, a: Account) -> str:
        return "+".join(self.products[lic.sku_id] for lic in a.licences)

    def last(self, a: Account, workload: Workload) -> str:
        days = a.activity.workloads.get(workload)
        return "" if days is None else self.clock.day(days)

    def active_days(self, a: Account, workload: Workload) -> int:
        """Days of the period the account was active in this workload (0 when it lapsed before)."""
        days = a.activity.workloads.get(workload)
        if days is None or days - REPORT_LAG_DAYS >= self.period:
            return 0
        return max(1, round((self.period - (days - REPORT_LAG_DAYS)) * 0.6))

    def amount(self, a: Account, workload: Workload, per_day: float) -> int:
        return round(self.active_days(a, workload) * per_day * a.activity.engagement)


def _active_user(c: ReportContext, a: Account) -> list[str]:
    w = a.workloads
    order = (
        Workload.EXCHANGE,
        Workload.ONEDRIVE,
        Workload.SHAREPOINT,
        Workload.SKYPE,
        Workload.YAMMER,
        Workload.TEAMS,
    )
    assigned = a.created.isoformat()
    return [
        c.refresh,
        c.upn(a),
        c.name(a),
        "False",
        "",
        *(_bool(x in w) for x in order),
        *(c.last(a, x) for x in order),
        *(assigned if x in w else "" for x in order),
        c.assigned(a),
    ]


def _email(c: ReportContext, a: Account) -> list[str]:
    x = Workload.EXCHANGE
    counts = (
        c.amount(a, x, 6),
        c.amount(a, x, 25),
        c.amount(a, x, 18),
        c.amount(a, x, 0.3),
        c.amount(a, x, 1.2),
    )
    return [
        c.refresh,
        c.upn(a),
        c.name(a),
        "False",
        "",
        c.last(a, x),
        *map(str, counts),
        c.assigned(a),
        str(c.period),
    ]


def _teams(c: ReportContext, a: Account) -> list[str]:
    x = Workload.TEAMS
    chats, private, calls, meetings = (c.amount(a, x, r) for r in (3, 9, 0.8, 1.5))
    organised, attended = c.amount(a, x, 0.4), meetings
    audio, video, share = (c.amount(a, x, r) for r in (1500, 700, 200))
    user_id = conceal(a.id) if c.concealed else a.id  # GUESS: concealed too (graph_api.md §1.3)
    return [
        c.refresh,
        "Northwind Traders",
        "",
        user_id,
        c.upn(a),
        c.last(a, x),
        "False",
        "",
        c.assigned(a),
        str(chats),
        str(private),
        str(calls),
        str(meetings),
        str(chats // 4),
        str(chats // 3),
        "0",
        str(organised),
        str(attended),
        str(organised // 3),
        str(attended // 3),
        str(organised // 3),
        str(attended // 3),
        str(organised // 3),
        str(attended // 3),
        _hms(audio),
        _hms(video),
        _hms(share),
        str(audio),
        str(video),
        str(share),
        "Yes" if chats % 7 == 1 else "No",
        "True",
        str(c.period),
    ]


def _onedrive(c: ReportContext, a: Account) -> list[str]:
    x = Workload.ONEDRIVE
    files = 40 + round(a.activity.engagement * 900)
    site = a.upn.split("@")[0].replace(".", "_")
    owner = conceal(site) if c.concealed else site
    url = f"https://northwind-my.sharepoint.com/personal/{owner}_northwind_example"
    return [
        c.refresh,
        url,
        c.name(a),
        "False",
        c.last(a, x),
        str(files),
        str(min(files, c.amount(a, x, 2))),
        str(files * 1_250_000),
        "1099511627776",
        c.upn(a),
        str(c.period),
    ]


def _sharepoint(c: ReportContext, a: Account) -> list[str]:
    x = Workload.SHAREPOINT
    counts = (c.amount(a, x, r) for r in (2.5, 1.0, 0.3, 0.05, 1.8))
    return [c.refresh, c.upn(a), "False", "", c.last(a, x), *map(str, counts), c.assigned(a), str(c.period)]


def _apps(c: ReportContext, a: Account) -> list[str]:
    used = c.active_days(a, Workload.APPS) > 0
    platforms = list(app_platforms(c.tenant, a, used))  # Windows, Mac, Mobile, Web
    by_app = [used and a.index % (k + 2) != 1 for k in range(len(_APPS))]
    grid = [platform and app for platform in platforms for app in by_app]
    return [
        c.refresh,
        c.upn(a),
        a.created.isoformat(),
        c.last(a, Workload.APPS),
        str(c.period),
        *map(_bool, platforms),
        *map(_bool, by_app),
        *map(_bool, grid),
    ]


DETAIL_WRITERS: dict[Report, Callable[[ReportContext, Account], list[str]]] = {
    Report.ACTIVE_USER_DETAIL: _active_user,
    Report.EMAIL_DETAIL: _email,
    Report.TEAMS_DETAIL: _teams,
    Report.ONEDRIVE_DETAIL: _onedrive,
    Report.SHAREPOINT_DETAIL: _sharepoint,
    Report.APPS_DETAIL: _apps,
}


def _cell(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if ("," in value or '"' in value) else value


def detail_lines(report: Report, context: ReportContext, start: int, stop: int) -> Iterator[str]:
    included, write = DETAIL_ROWS[report], DETAIL_WRITERS[report]
    for account in context.tenant.accounts(start, stop):
        if included(account):
            yield ",".join(map(_cell, write(context, account)))


def counts_lines(report: Report, context: ReportContext) -> Iterator[str]:
    """One row per day of the period, scaled from the tenant's 7-day active counts."""
    active = context.tenant.ground_truth.workload_active
    for back in range(context.period):
        draw = Draw(context.tenant.spec.seed, f"counts:{report.value}", back)
        day = context.clock.day(REPORT_LAG_DAYS + back)
        factor = (0.35 if back % 7 in (5, 6) else 0.9) + draw.fraction() * 0.1

        def scaled(workload: str, f: float = factor) -> int:
            return round(active.get(workload, {}).get(7, 0) * f)

        if report is Report.ACTIVE_USER_COUNTS:
            values = [scaled(w) for w in ("exchange", "onedrive", "sharepoint", "skype", "yammer", "teams")]
            yield ",".join([context.refresh, str(max(values)), *map(str, values), day, str(context.period)])
        else:
            teams = scaled("teams")
            seconds = teams * 900
            yield ",".join(
                [
                    context.refresh,
                    day,
                    str(teams * 3),
                    str(teams // 4),
                    str(teams // 3),
                    str(teams * 9),
                    str(teams // 2),
                    str(teams),
                    _hms(seconds),
                    _hms(seconds // 2),
                    _hms(seconds // 8),
                    str(teams // 3),
                    str(teams),
                    str(context.period),
                ]
            )
