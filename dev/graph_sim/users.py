"""`GET /v1.0/users` (graph_api.md §2): default property set, `$select`, `$top` (999, or 500 with
signInActivity), a few `$filter`s, `$count` with `ConsistencyLevel: eventual`, and the non-premium 403."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from dev.graph_sim.errors import bad_request, graph_error, non_premium
from dev.graph_sim.listing import Listing, flag_is, page_response
from dev.graph_sim.odata import Clause, QueryError, parse_filter, parse_select, parse_top
from dev.graph_sim.wire import NEVER, Clock, js
from dev.tenant import Account, SignIn, Tenant

DEFAULT_PROPERTIES = (
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)


def _sign_in(clock: Clock, s: SignIn | None, account_id: str) -> str:
    if s is None:
        return "null"

    def pair(name: str, days: int | None, salt: str) -> str:
        if days is None:
            value, request_id = ("null", "null") if s.null_style else (f'"{NEVER}"', '""')
        else:
            value, request_id = f'"{clock.instant(days, s.second_of_day)}"', f'"{salt}{account_id[2:]}"'
        return f'"{name}DateTime":{value},"{name}RequestId":{request_id}'

    return (
        "{"
        + ",".join(
            (
                pair("lastSignIn", s.interactive, "a1"),
                pair("lastNonInteractiveSignIn", s.non_interactive, "b2"),
                pair("lastSuccessfulSignIn", s.successful, "c3"),
            )
        )
        + "}"
    )


def _renderers(tenant: Tenant, clock: Clock) -> dict[str, Callable[[Account], str]]:
    def licences(a: Account) -> str:
        return js([{"disabledPlans": list(lic.disabled_plans), "skuId": lic.sku_id} for lic in a.licences])

    def plans(a: Account) -> str:
        assigned = f"{a.created.isoformat()}T09:00:00Z"
        return js(
            [
                {
                    "assignedDateTime": assigned,
                    "capabilityStatus": "Enabled",
                    "service": p.name,
                    "servicePlanId": p.id,
                }
                for lic in a.licences
                for p in tenant.catalogue.sku(lic.sku_id).service_plans
                if p.id not in lic.disabled_plans
            ]
        )

    def assignment_states(a: Account) -> str:
        # One entry per path: a direct assignment (assignedByGroup null) and one per licensing group.
        stamp = f"{a.created.isoformat()}T09:00:00Z"
        return js(
            [
                {
                    "assignedByGroup": group,
                    "disabledPlans": list(lic.disabled_plans),
                    "error": None,  # null when assigned successfully
                    "lastUpdatedDateTime": stamp,
                    "skuId": lic.sku_id,
                    "state": "Active",
                }
                for lic in a.licences
                for group in ((None,) if lic.direct else ()) + lic.via_groups
            ]
        )

    return {
        "id": lambda a: f'"{a.id}"',
        "businessPhones": lambda a: "[]" if a.guest else f'["+44 20 7946 {a.index % 10000:04d}"]',
        "displayName": lambda a: f'"{a.display_name}"',
        "givenName": lambda a: f'"{a.given_name}"',
        "surname": lambda a: f'"{a.surname}"',
        "jobTitle": lambda a: js(a.job_title),
        "mail": lambda a: f'"{a.mail}"',
        "mobilePhone": lambda a: js(a.mobile_phone),
        "officeLocation": lambda a: js(a.office_location),
        "preferredLanguage": lambda a: js(a.preferred_language),
        "userPrincipalName": lambda a: f'"{a.upn}"',
        "accountEnabled": lambda a: "true" if a.enabled else "false",
        "userType": lambda a: '"Guest"' if a.guest else '"Member"',
        "createdDateTime": lambda a: f'"{a.created.isoformat()}T09:00:00Z"',
        "department": lambda a: js(a.department),
        "usageLocation": lambda a: "null" if a.guest else '"GB"',
        "onPremisesSyncEnabled": lambda a: "true" if a.synced else "null",
        "onPremisesImmutableId": lambda a: f'"{a.id[:8]}AAAAAA=="' if a.synced else "null",
        "assignedLicenses": licences,
        "licenseAssignmentStates": assignment_states,
        "assignedPlans": plans,
        "signInActivity": lambda a: _sign_in(clock, a.activity.sign_in, a.id),
    }


def _predicate(clauses: list[Clause], eventual: bool, clock: Clock) -> Callable[[Account], bool]:
    tests: list[Callable[[Account], bool]] = []
    for c in clauses:
        if (c.prop, c.op) == ("accountEnabled", "eq") and c.value in ("true", "false"):
            tests.append(flag_is(lambda a: a.enabled, c.value == "true"))
        elif (c.prop, c.op) == ("userType", "eq"):
            tests.append(flag_is(lambda a: a.guest, c.value == "Guest"))
        elif (c.prop, c.op, c.value) == ("assignedLicenses/$count", "ne", "0"):
            if not eventual:  # advanced query: needs ConsistencyLevel: eventual and $count=true
                raise QueryError("Unsupported Query.")
            tests.append(lambda a: a.licensed)
        elif c.prop == "signInActivity/lastSignInDateTime" and c.op in ("le", "ge") and len(clauses) == 1:
            cutoff, older = c.value, c.op == "le"

            def signed_in(a: Account, cutoff: str = cutoff, older: bool = older) -> bool:
                s = a.activity.sign_in
                if s is None or s.interactive is None:
                    return False
                stamp = clock.instant(s.interactive, s.second_of_day)
                return stamp <= cutoff if older else stamp >= cutoff

            tests.append(signed_in)
        else:
            raise QueryError(f"Unsupported or invalid query filter clause specified for property '{c.prop}'.")
    return lambda a: all(test(a) for test in tests)


class UsersEndpoint:
    def __init__(
        self, tenant: Tenant, clock: Clock, sign_in_page_max: int = 500, sign_in_top_refused: bool = False
    ) -> None:
        self._tenant = tenant
        self._clock = clock
        self._render = _renderers(tenant, clock)
        # learn.microsoft.com/graph/api/user-list: "When signInActivity is selected or filtered on, the
        # maximum page size is 500" (120 until July 2025, when a larger $top was refused, graph_api.md §2).
        self._sign_in_page_max = sign_in_page_max
        self._sign_in_top_refused = sign_in_top_refused

    @staticmethod
    def wants_sign_in(request: web.Request) -> bool:
        return (
            "signinactivity" in (request.query.get("$select", "") + request.query.get("$filter", "")).lower()
        )

    def handle(self, request: web.Request, listing: Listing, premium: bool) -> web.Response:
        sign_in = self.wants_sign_in(request)
        if sign_in and not premium:
            return non_premium()
        try:
            selected = parse_select(request.query.get("$select")) or list(DEFAULT_PROPERTIES)
            unknown = [p for p in selected if p not in self._render]
            if unknown:
                return bad_request(
                    f"Could not find a property named '{unknown[0]}' on type 'microsoft.graph.user'."
                )
            top = parse_top(request.query.get("$top"), 100, 999)
            eventual = request.headers.get("ConsistencyLevel", "").lower() == "eventual"
            keep = _predicate(parse_filter(request.query.get("$filter")), eventual, self._clock)
        except QueryError as exc:
            return graph_error(400, "Request_UnsupportedQuery", str(exc))
        if sign_in:
            if top > self._sign_in_page_max and self._sign_in_top_refused:
                return bad_request(
                    f"Cannot query data for more than {self._sign_in_page_max} users at a time."
                )
            top = min(top, self._sign_in_page_max)
        fields = [(name, self._render[name]) for name in (["id"] if "id" not in selected else []) + selected]

        def render(a: Account) -> str:
            return "{" + ",".join(f'"{name}":{fn(a)}' for name, fn in fields) + "}"

        count = None
        if request.query.get("$count") == "true" and eventual:

            def count() -> int:
                return sum(1 for a in self._tenant.accounts() if keep(a))

        return page_response(request, listing, page_size=top, keep=keep, render=render, count=count)
