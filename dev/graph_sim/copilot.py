"""Microsoft 365 Copilot usage reports: `GET /v1.0/copilot/reports/{function}(period='D28',version='v2')`.

As Microsoft documents them (learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/
reports/copilotreportroot-getmicrosoft365copilotusageuserdetail and ...-getmicrosoft365copilotusercounttrend):
- Reports.Read.All; the answer is `200` with the CSV itself (`application/octet-stream`), no redirect.
- `version` is optional and `v2` by default; v1 takes the periods D7, D30, D90, D180 and ALL, v2 takes D7,
  D28, D90, D180 and ALL. Another period or version is a 400 in Graph's error shape.
- The user detail lists Copilot licence holders only, with the v1 columns first and v2's after them; the
  trend has one row per day of the period. Concealed names are 32 hex characters, as in every report.
GUESSES: `ALL` is served as the 180-day report (its CSV form is not documented); a last-activity date older
than the period is left empty; v2's extra trend columns follow v1's in the listed order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from aiohttp import web

from dev.graph_sim.errors import bad_request
from dev.graph_sim.wire import Clock, conceal
from dev.tenant import Account, Tenant
from dev.tenant.activity import REPORT_LAG_DAYS
from dev.tenant.copilot import SURFACES
from dev.tenant.entropy import Draw
from shared.snapshot.records import COPILOT_SURFACES

USER_DETAIL = "getMicrosoft365CopilotUsageUserDetail"
COUNT_TREND = "getMicrosoft365CopilotUserCountTrend"
CALL = re.compile(r"^/copilot/reports/(\w+)\(period='?(\w+)'?(?:\s*,\s*version='?(\w+)'?)?\)$")
PERIODS = {
    "v1": {"D7": 7, "D30": 30, "D90": 90, "D180": 180, "ALL": 180},
    "v2": {"D7": 7, "D28": 28, "D90": 90, "D180": 180, "ALL": 180},
}
_NAMES = dict(COPILOT_SURFACES)
# The user detail's surfaces in Microsoft's column order.
_DETAIL_ORDER = ("copilot_chat", "teams", "word", "excel", "powerpoint", "outlook", "onenote", "loop")
_TREND_ORDER = ("teams", "word", "powerpoint", "outlook", "excel", "onenote", "loop")
DETAIL_V1 = [
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "Last Activity Date",
    *(
        "Copilot Chat Last Activity Date"
        if s == "copilot_chat"
        else f"{_NAMES[s]} Copilot Last Activity Date"
        for s in _DETAIL_ORDER
    ),
    "Report Period",
]
DETAIL_V2 = [
    *DETAIL_V1,
    "Prompts submitted for all apps",
    "Prompts submitted for Copilot Chat (work)",
    "Prompts submitted for Copilot Chat (web)",
    "Active Usage Days for all apps",
    "Copilot Chat (work) Last Activity Date",
    "Copilot Chat (web) Last Activity Date",
    "Microsoft 365 Copilot Last Activity Date",
    "Edge Last Activity Date",
    "Copilot Agent Last Activity Date",
]
TREND_V1 = [
    "Report Refresh Date",
    "Report Date",
    *(f"{_NAMES[s]} {kind} Users" for s in _TREND_ORDER for kind in ("Enabled", "Active")),
    "Any App Enabled Users",
    "Any App Active Users",
    "Copilot Chat Enabled Users",
    "Copilot Chat Active Users",
    "Report Period",
]
TREND_V2 = [
    *TREND_V1,
    *(
        f"{name} {kind} Users"
        for name in ("Edge", "Microsoft 365 Copilot", "Copilot Chat (work)", "Copilot Chat (web)")
        for kind in ("Enabled", "Active")
    ),
    "Prompts submitted",
]


@dataclass(frozen=True)
class CopilotCall:
    function: str
    period: int
    version: str


def parse_call(path: str) -> CopilotCall | web.Response:
    """The call, or the 400 Graph answers for an unknown function, period or version."""
    match = CALL.match(path)
    name = match.group(1) if match else path.rstrip("/").rsplit("/", 1)[-1].split("(")[0]
    if match is None or name not in (USER_DETAIL, COUNT_TREND):
        return bad_request(f"Resource not found for the segment '{name}'.")
    version = match.group(3) or "v2"
    if version not in PERIODS:
        return bad_request(f"Invalid value for version: '{version}'.")
    period = PERIODS[version].get(match.group(2))
    if period is None:
        return bad_request(f"Invalid value for period: '{match.group(2)}'.")
    return CopilotCall(name, period, version)


def respond(call: CopilotCall, tenant: Tenant, clock: Clock, concealed: bool) -> web.Response:
    lines = (
        detail_lines(tenant, clock, call.period, call.version, concealed)
        if call.function == USER_DETAIL
        else trend_lines(tenant, clock, call.period, call.version)
    )
    return web.Response(body="\r\n".join(lines) + "\r\n", content_type="application/octet-stream")


def detail_lines(tenant: Tenant, clock: Clock, period: int, version: str, concealed: bool) -> Iterator[str]:
    yield ",".join(DETAIL_V2 if version == "v2" else DETAIL_V1)
    for account in tenant.accounts():
        if account.copilot is not None:
            yield ",".join(detail_row(account, clock, period, version, concealed))


def detail_row(a: Account, clock: Clock, period: int, version: str, concealed: bool) -> list[str]:
    assert a.copilot is not None
    use = a.copilot

    def last(age: int | None) -> str:
        return "" if age is None or age > period else clock.day(age + REPORT_LAG_DAYS)

    cells = [
        clock.day(REPORT_LAG_DAYS),
        conceal(a.upn) if concealed else a.upn,
        conceal(a.display_name + a.id) if concealed else a.display_name,
        last(use.last_age),
        *(last(use.ages.get(s)) for s in _DETAIL_ORDER),
        str(period),
    ]
    if version == "v2":
        days = sum(1 for age in use.ages.values() if age <= period)
        prompts = days * (12 if use.use == "heavy" else 3)
        chat = use.ages.get("copilot_chat")
        cells += [str(prompts), str(prompts // 3 if chat is not None else 0), "0", str(days)]
        cells += [last(chat), "", last(use.last_age), "", ""]
    return cells


def trend_lines(tenant: Tenant, clock: Clock, period: int, version: str) -> Iterator[str]:
    """One row per day, newest first: every holder is enabled; each day's active users scale the holders
    active in the last 7 days (weekends quieter)."""
    enabled = 0
    active7 = dict.fromkeys((*SURFACES, "any"), 0)
    for a in tenant.accounts():
        if a.copilot is None:
            continue
        enabled += 1
        for surface, age in a.copilot.ages.items():
            active7[surface] += age <= 7
        last = a.copilot.last_age
        active7["any"] += last is not None and last <= 7
    yield ",".join(TREND_V2 if version == "v2" else TREND_V1)
    for back in range(period):
        factor = (0.3 if back % 7 in (5, 6) else 0.8) + Draw(
            tenant.spec.seed, "copilot-trend", back
        ).fraction() / 10

        def pair(surface: str, f: float = factor) -> list[str]:
            return [str(enabled), str(round(active7[surface] * f))]

        cells = [clock.day(REPORT_LAG_DAYS), clock.day(REPORT_LAG_DAYS + back)]
        cells += [cell for s in _TREND_ORDER for cell in pair(s)]
        cells += [*pair("any"), *pair("copilot_chat"), str(period)]
        if version == "v2":
            cells += ["0", "0", *pair("any"), *pair("copilot_chat"), "0", "0", str(active7["any"] * 9)]
        yield ",".join(cells)
