"""Paged listings over the tenant's accounts, generated page by page (graph_api.md §2 "Paging").

Each page regenerates only the accounts it covers, so listing 100k users holds one page in memory.
A page scans a bounded number of accounts: under a selective `$filter` pages come back short or empty
with a nextLink, which Graph permits ("a page of results may contain zero or more results"). Every
`empty_page_every`-th page is empty on purpose, and a listing whose last page is full ends with an empty
page without nextLink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from dev.graph_sim.odata import decode_skiptoken, next_link
from dev.tenant import Account, Tenant

SCAN_FACTOR = 4


@dataclass(frozen=True, slots=True)
class Listing:
    tenant: Tenant
    base_url: str  # simulator origin + "/v1.0"
    path: str  # canonical path, e.g. "/users"
    context: str  # @odata.context value
    empty_page_every: int


def flag_is(flag: Callable[[Account], bool], wanted: bool) -> Callable[[Account], bool]:
    """A `$filter` clause `flag eq true|false` as a predicate."""
    return lambda account: flag(account) is wanted


def page_response(
    request: web.Request,
    listing: Listing,
    *,
    page_size: int,
    keep: Callable[[Account], bool],
    render: Callable[[Account], str],
    count: Callable[[], int] | None = None,
) -> web.Response:
    total = listing.tenant.spec.accounts
    index, page = decode_skiptoken(request.query.get("$skiptoken"))
    rows: list[str] = []
    if not (listing.empty_page_every and page % listing.empty_page_every == listing.empty_page_every - 1):
        stop = min(total, index + page_size * SCAN_FACTOR)
        while index < stop and len(rows) < page_size:
            account = listing.tenant.account(index)
            index += 1
            if keep(account):
                rows.append(render(account))
    head = [f'"@odata.context":"{listing.context}"']
    if count is not None and page == 0:
        head.append(f'"@odata.count":{count()}')
    more = index < total or (bool(rows) and len(rows) == page_size and listing.empty_page_every > 0)
    if more:
        link = next_link(listing.base_url, listing.path, dict(request.query), index, page + 1)
        head.append(f'"@odata.nextLink":"{link}"')
    body = "{" + ",".join(head) + ',"value":[' + ",".join(rows) + "]}"
    return web.Response(text=body, content_type="application/json")
