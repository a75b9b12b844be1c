"""Usage reports (graph_api.md §1): `GET /v1.0/reports/getXxx(period='D7')` or `(date=YYYY-MM-DD)`
(quoted or not) answer `302` with a pre-authenticated `Location` on the simulator origin; the download
streams `application/octet-stream` CSV with a UTF-8 BOM and CRLF line ends, a chunk of rows at a time."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from aiohttp import web

from dev.graph_sim.errors import bad_request, graph_error
from dev.graph_sim.report_csv import HEADERS, ReportContext, counts_lines, detail_lines
from dev.graph_sim.wire import Clock
from dev.tenant import Report, Tenant
from dev.tenant.reports import COUNTS_REPORTS, PERIODS

CALL = re.compile(r"^/reports/(get\w+)\((?:period='(D\d+)'|date=('?)(\d{4}-\d{2}-\d{2})\3)\)$")
CHUNK_ACCOUNTS = 2000
BOM = "\ufeff"
REPORT_NAMES = frozenset(r.value for r in Report)


@dataclass(frozen=True)
class Download:
    report: Report
    period: int
    expires: float

    def token(self) -> str:
        raw = json.dumps({"r": self.report.value, "p": self.period, "e": self.expires})
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> Download | None:
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            return cls(Report(raw["r"]), int(raw["p"]), float(raw["e"]))
        except (ValueError, KeyError, TypeError):
            return None


def parse_call(path: str, as_of: date) -> web.Response | tuple[Report, int]:
    """(report, period in days; 1 for a date) for a valid call, else the 400 Graph would answer."""
    match = CALL.match(path)
    name = match.group(1) if match else path.rsplit("/", 1)[-1]
    if match is None or name not in REPORT_NAMES:
        return bad_request(f"Resource not found for the segment '{name}'.")
    report, period, day = Report(name), match.group(2), match.group(4)
    problem = None
    if period is not None and period not in PERIODS:
        problem = f"Invalid value for period: '{period}'."
    elif day is not None and report in COUNTS_REPORTS:
        problem = f"'{name}' has no date parameter."
    elif day is not None and not as_of - timedelta(days=30) <= date.fromisoformat(day) <= as_of:
        problem = "The date must be within the last 30 days."
    if problem is not None:
        return bad_request(problem)
    return report, PERIODS[period] if period is not None else 1


def redirect(base: str, report: Report, period: int, ttl: int) -> web.Response:
    token = Download(report, period, time.time() + ttl).token()
    return web.Response(
        status=302, text="", content_type="text/plain", headers={"Location": f"{base}/data/download/{token}"}
    )


async def stream_download(
    request: web.Request, tenant: Tenant, clock: Clock, concealed: bool, truncated: bool
) -> web.StreamResponse:
    download = Download.parse(request.match_info["token"])
    if download is None or download.expires < time.time():
        return graph_error(401, "InvalidAuthenticationToken", "The download URL is invalid or has expired.")
    products = {s.sku.id: s.sku.display_name.upper() for s in tenant.seats}
    context = ReportContext(tenant, clock, download.period, concealed, products)
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    await response.prepare(request)
    await response.write((BOM + HEADERS[download.report] + "\r\n").encode())
    batches: Iterator[list[str]]
    if download.report in COUNTS_REPORTS:
        batches = iter([list(counts_lines(download.report, context))])
    else:
        batches = (
            list(detail_lines(download.report, context, start, start + CHUNK_ACCOUNTS))
            for start in range(0, tenant.spec.accounts, CHUNK_ACCOUNTS)
        )
    for lines in batches:
        if truncated:
            # Half a batch, then drop the connection: the client sees an incomplete chunked body.
            await response.write(("\r\n".join(lines[: len(lines) // 2])).encode())
            if request.transport is not None:
                request.transport.close()
            return response
        if lines:
            await response.write(("\r\n".join(lines) + "\r\n").encode())
    await response.write_eof()
    return response
