"""The Graph simulator's aiohttp application: one catch-all Graph route that collapses `//` (msgraph-sdk
sends `/v1.0//users`, graph_api.md §8), checks the bearer and the permissions it carries, applies fault
rules and throttling, then dispatches to the endpoint handlers of graph_api.md §10."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from dev.graph_sim import (
    applications,
    audit_log,
    copilot,
    directory,
    domains,
    pim,
    policies,
    reports,
    sharepoint,
)
from dev.graph_sim.auth import Bearer, Tokens
from dev.graph_sim.config import (
    AppRegistration,
    Endpoint,
    FaultKind,
    FaultRule,
    SimulatorConfig,
    ThrottleMode,
)
from dev.graph_sim.errors import bad_request, graph_error, non_premium
from dev.graph_sim.faults import Faults, error_response, truncate
from dev.graph_sim.listing import Listing, page_response
from dev.graph_sim.odata import QueryError, parse_filter, parse_select, parse_top
from dev.graph_sim.permissions import allowed, permission_denied
from dev.graph_sim.tenancy import Served, Tenancy
from dev.graph_sim.throttle import Request, Throttle
from dev.graph_sim.users import UsersEndpoint
from dev.graph_sim.wire import Clock
from dev.tenant import Tenant
from dev.tenant.policies import PlantedPolicies

Handler = Callable[[], web.Response]
# The tenant the request being handled is for (its bearer's, or its download URL's); aiohttp runs each
# request in a task of its own, so handlers read it as `GraphSimulator.tenant`.
_SERVING: ContextVar[Served | None] = ContextVar("serving", default=None)
GROUP_MEMBERS = re.compile(r"/groups/([0-9a-fA-F-]{36})/transitiveMembers(?:/(?:microsoft\.)?graph\.user)?")


class GraphSimulator:
    def __init__(self, config: SimulatorConfig, tenant: Tenant | None = None) -> None:
        self.config = config
        self.clock = Clock(config.as_of)
        self.tenancy = Tenancy(
            tenant or Tenant(config.tenant_spec()),
            self.clock,
            config.sign_in_page_max,
            config.sign_in_top_refused,
        )
        for spec in config.tenants:
            self.tenancy.add(spec)
        self.tokens = Tokens(
            self.tenancy.tenant_id,
            config.client_secret,
            config.apps,
            config.refuse_unknown_clients,
            default_tenant=self.tenancy.primary.tenant.spec.tenant_id,
        )
        self.faults = Faults()
        self.faults.replace(config.faults)
        self.throttle = Throttle(enforcing=False)
        self.set_throttling(config.throttling)
        self._routes = self._route_table()
        self.audit_events: dict[str, list[dict[str, Any]]] = {}  # tenant id → planted directoryAudit events

    @property
    def _serving(self) -> Served:
        return _SERVING.get() or self.tenancy.primary

    @property
    def tenant(self) -> Tenant:
        """The tenant of the request being handled; outside a request, the simulator's own tenant."""
        return self._serving.tenant

    @property
    def _users(self) -> UsersEndpoint:
        return self._serving.users

    def set_throttling(self, mode: ThrottleMode, time_scale: float | None = None) -> None:
        """Graph's limits (`realistic`, time-scaled as configured unless `time_scale` says otherwise) or
        none; counters restart."""
        realistic = mode is ThrottleMode.REALISTIC
        self.throttle = Throttle(time_scale or self.config.time_scale, enforcing=realistic)

    def set_faults(self, rules: tuple[FaultRule, ...]) -> None:
        self.faults.replace(rules)

    def plant_audit_events(self, tenant_id: str, events: list[dict[str, Any]]) -> None:
        """Directory audit events (Graph's directoryAudit shape) a tenant's log holds from now on."""
        self.audit_events[tenant_id] = [*self.audit_events.get(tenant_id, []), *events]

    def register_app(self, app: AppRegistration) -> None:
        self.tokens.register(app)

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.tokens.token_endpoint)
        app.router.add_get("/data/download/{token}", self._download)
        app.router.add_get("/{tenant}/data/download/{token}", self._download)
        app.router.add_get("/_simulator/throttling", self._counters)
        app.router.add_route("*", "/{tail:.*}", self._graph)
        return app

    async def _counters(self, request: web.Request) -> web.Response:
        """Requests admitted per endpoint and 429s per limit and scope, since throttling was last set."""
        return web.json_response(self.throttle.counters())

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if "tenant" in request.match_info:
            tenant_id = self.tenancy.tenant_id(request.match_info["tenant"])
            if tenant_id is None:
                return graph_error(
                    401, "InvalidAuthenticationToken", "The download URL is invalid or has expired."
                )
            _SERVING.set(self.tenancy.get(tenant_id))
        rule = self.faults.pick(Endpoint.REPORT_DOWNLOAD)
        if rule is not None and (failed := error_response(rule)) is not None:
            return failed
        truncated = rule is not None and rule.kind is FaultKind.TRUNCATED
        return await reports.stream_download(
            request, self.tenant, self.clock, self.config.concealed, truncated
        )

    def _reject(self, request: web.Request, path: str) -> web.Response | Bearer:
        """Graph's refusal, or what the bearer stands for (its tenant is then the one being served)."""
        if not path.startswith("/v1.0/"):
            return graph_error(404, "itemNotFound", "Unsupported API version or path.")
        bearer = self.tokens.bearer(request.headers.get("Authorization"))
        if bearer is None:
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if request.method != "GET":
            return graph_error(405, "Request_BadRequest", "The simulator is read-only.")
        _SERVING.set(self.tenancy.get(bearer.tenant_id))
        return bearer

    async def _graph(self, request: web.Request) -> web.Response:
        path = re.sub("/{2,}", "/", request.path)
        bearer = self._reject(request, path)
        if isinstance(bearer, web.Response):
            return bearer
        call = Call(request, f"{request.scheme}://{request.host}", path[len("/v1.0") :], self.config)
        routed = self._route(call, bearer.permissions)
        if isinstance(routed, web.Response):
            return routed
        rule = self.faults.pick(routed.endpoint)
        if rule is not None and (failed := error_response(rule)) is not None:
            return failed
        throttled = self._throttled(routed, bearer)
        if throttled is not None:
            return throttled
        try:
            # Built off the event loop, as Graph admits (and counts) a request when it arrives, not once
            # the response it is building for another is done (a page of 500 users takes tens of ms).
            response = await asyncio.to_thread(routed.handler)
        except QueryError as exc:
            return bad_request(str(exc))
        if rule is not None and rule.kind is FaultKind.TRUNCATED and isinstance(response.body, bytes):
            response.body = truncate(response.body)
        return response

    def _route(self, call: Call, granted: frozenset[str]) -> Routed | web.Response:
        """The endpoint a call is for, or Graph's answer when it does not exist or is not permitted."""
        route = self._routes.get(call.path) or self._group_members_route(call.path)
        routed = route(call) if route is not None else self._report(call)
        if isinstance(routed, Routed) and not allowed(granted, routed.endpoint):
            return permission_denied()
        return routed

    def _throttled(self, routed: Routed, bearer: Bearer) -> web.Response | None:
        tenant = self.tenant.spec
        asked = Request(
            routed.endpoint, bearer.client_id, tenant.tenant_id, tenant.accounts, routed.cost, routed.key
        )
        refusal = self.throttle.check(asked)
        if refusal is None:
            return None
        headers = {"x-ms-throttle-scope": refusal.scope}
        if refusal.retry_after is not None:
            headers["Retry-After"] = refusal.retry_after
        return graph_error(429, "TooManyRequests", "Please retry again later.", headers)

    def _route_table(self) -> dict[str, Callable[[Call], Routed]]:
        return {
            "/users": self._users_route,
            "/organization": lambda c: Routed(
                Endpoint.ORGANIZATION, lambda: _ok(directory.organization(self.tenant, c.meta)), 1
            ),
            "/subscribedSkus": lambda c: Routed(
                Endpoint.SUBSCRIBED_SKUS, lambda: _ok(directory.subscribed_skus(self.tenant, c.meta)), 3
            ),
            "/directory/subscriptions": lambda c: Routed(
                Endpoint.SUBSCRIPTIONS,
                lambda: _ok(directory.subscriptions(self.tenant, self.clock, c.meta)),
                2,
            ),
            "/roleManagement/directory/roleAssignments": self._roles_route,
            "/policies/roleManagementPolicyAssignments": lambda c: Routed(
                Endpoint.ROLE_ASSIGNMENTS,
                lambda: (
                    _ok(
                        pim.role_management_policy_assignments(
                            self.tenant, parse_filter(c.query.get("$filter")), c.meta
                        )
                    )
                    if c.premium
                    else pim.not_licensed()
                ),
            ),
            "/roleManagement/directory/roleAssignmentScheduleInstances": lambda c: Routed(
                Endpoint.ROLE_ASSIGNMENTS,
                lambda: (
                    _ok(pim.role_assignment_schedule_instances(self.tenant, c.meta))
                    if c.premium
                    else pim.not_licensed()
                ),
            ),
            "/groups": lambda c: Routed(
                Endpoint.GROUPS,
                lambda: _ok(directory.groups(self.tenant, parse_select(c.query.get("$select")), c.meta)),
            ),
            "/identity/conditionalAccess/policies": lambda c: Routed(
                Endpoint.CONDITIONAL_ACCESS,
                lambda: (
                    _ok(directory.conditional_access(self.tenant, c.meta)) if c.premium else non_premium()
                ),
            ),
            **{
                path: self._policy_route(render)
                for path, render in (
                    ("/policies/authorizationPolicy", policies.authorization_policy),
                    ("/policies/adminConsentRequestPolicy", policies.admin_consent_request_policy),
                    ("/policies/authenticationMethodsPolicy", policies.authentication_methods_policy),
                )
            },
            "/domains": lambda c: Routed(Endpoint.DOMAINS, lambda: _ok(domains.domains(self.tenant, c.meta))),
            "/applications": lambda c: Routed(
                Endpoint.APPLICATIONS, lambda: _ok(applications.applications(self.tenant, c.meta))
            ),
            applications.GRANTS_PATH: lambda c: Routed(
                Endpoint.APPLICATIONS, lambda: _ok(applications.graph_permission_grants(self.tenant, c.meta))
            ),
            "/security/secureScores": lambda c: Routed(
                Endpoint.SECURE_SCORES,
                lambda: _ok(
                    directory.secure_scores(self.tenant, parse_top(c.query.get("$top"), 90, 90), c.skip)
                ),
            ),
            "/admin/sharepoint/settings": lambda c: Routed(
                Endpoint.SHAREPOINT_SETTINGS,
                lambda: _ok(sharepoint.sharepoint_settings(self.tenant.policies, c.meta + "/$entity")),
            ),
            "/admin/reportSettings": lambda c: Routed(
                Endpoint.REPORT_SETTINGS,
                lambda: _ok(directory.report_settings(self.config.concealed, c.meta + "/$entity")),
            ),
            "/reports/authenticationMethods/userRegistrationDetails": lambda c: Routed(
                Endpoint.REGISTRATION_DETAILS, lambda: self._registration(c)
            ),
            "/auditLogs/directoryAudits": lambda c: Routed(
                Endpoint.DIRECTORY_AUDITS,
                lambda: _ok(
                    audit_log.directory_audits(
                        self.audit_events.get(self.tenant.spec.tenant_id, []),
                        parse_filter(c.query.get("$filter")),
                        c.meta,
                    )
                ),
            ),
        }

    def _policy_route(
        self, render: Callable[[PlantedPolicies, str], dict[str, Any]]
    ) -> Callable[[Call], Routed]:
        """A tenant-wide policy singleton: the entity itself, with its `$entity` context."""
        return lambda c: Routed(
            Endpoint.POLICIES, lambda: _ok(render(self.tenant.policies, c.meta + "/$entity"))
        )

    def _users_route(self, call: Call) -> Routed:
        query = call.query
        top = query.get("$top", "")
        cost = 2 - ("$select" in query) + ("$expand" in query) - (top.isdigit() and int(top) < 20)
        endpoint = Endpoint.USERS_SIGNIN if self._users.wants_sign_in(call.request) else Endpoint.USERS
        return Routed(
            endpoint, lambda: self._users.handle(call.request, call.listing(self.tenant), call.premium), cost
        )

    def _group_members_route(self, path: str) -> Callable[[Call], Routed] | None:
        """`/groups/{id}/transitiveMembers`, optionally cast to users (`/microsoft.graph.user`, or the
        SDK's short `/graph.user`)."""
        found = GROUP_MEMBERS.fullmatch(path)
        if found is None:
            return None

        def body(call: Call) -> web.Response:
            select = parse_select(call.query.get("$select"))
            members = directory.group_members(self.tenant, found.group(1), select, call.meta)
            if members is None:
                return graph_error(
                    404, "Request_ResourceNotFound", f"Resource '{found.group(1)}' does not exist."
                )
            return _ok(members)

        return lambda c: Routed(Endpoint.GROUPS, lambda: body(c))

    def _roles_route(self, call: Call) -> Routed:
        expand = call.query.get("$expand") == "principal"

        def body() -> web.Response:
            clauses = parse_filter(call.query.get("$filter"))
            return _ok(directory.role_assignments(self.tenant, clauses, expand, call.meta))

        return Routed(Endpoint.ROLE_ASSIGNMENTS, body, 2 + expand)

    def _report(self, call: Call) -> Routed | web.Response:
        if call.path.startswith("/copilot/reports/"):
            return self._copilot_report(call)
        if not call.path.startswith("/reports/get"):
            return bad_request(f"Resource not found for the segment '{call.path.strip('/').split('/')[0]}'.")
        parsed = reports.parse_call(call.path, self.config.as_of)
        if isinstance(parsed, web.Response):
            return parsed
        report, period = parsed
        ttl = self.config.download_ttl_seconds
        return Routed(
            Endpoint.REPORTS,
            lambda: reports.redirect(self._download_base(call), report, period, ttl),
            1,
            report.value,
        )

    def _copilot_report(self, call: Call) -> Routed | web.Response:
        parsed = copilot.parse_call(call.path)
        if isinstance(parsed, web.Response):
            return parsed
        tenant, concealed = self.tenant, self.config.concealed
        return Routed(
            Endpoint.REPORTS,
            lambda: copilot.respond(parsed, tenant, self.clock, concealed),
            1,
            parsed.function,
        )

    def _download_base(self, call: Call) -> str:
        """Where report downloads live: under the tenant's id for every tenant but the simulator's own."""
        if self._serving is self.tenancy.primary:
            return call.origin
        return f"{call.origin}/{self.tenant.spec.tenant_id}"

    def _registration(self, call: Call) -> web.Response:
        if not call.premium:
            return non_premium()
        keep = directory.registration_predicate(parse_filter(call.query.get("$filter")))
        top = parse_top(call.query.get("$top"), 1000, 1000)
        listing = call.listing(self.tenant)
        return page_response(
            call.request, listing, page_size=top, keep=keep, render=directory.registration_row
        )


def _ok(body: dict[str, Any]) -> web.Response:
    return web.Response(text=json.dumps(body), content_type="application/json")


@dataclass(frozen=True)
class Call:
    """One Graph request, its path without the version segment, and the origin it came to."""

    request: web.Request
    origin: str
    path: str
    config: SimulatorConfig

    @property
    def query(self) -> MultiMapping[str]:
        return self.request.query

    @property
    def premium(self) -> bool:
        served = _SERVING.get()
        return served.tenant.spec.premium if served is not None else self.config.premium

    @property
    def meta(self) -> str:
        """@odata.context for this collection; Graph names the collection after `$metadata#`."""
        return f"{self.origin}/v1.0/$metadata#{self.path.lstrip('/')}"

    @property
    def skip(self) -> int:
        raw = self.query.get("$skip", "0")
        if not raw.isdigit():
            raise QueryError(f"Invalid $skip: '{raw}'.")
        return int(raw)

    def listing(self, tenant: Tenant) -> Listing:
        return Listing(tenant, self.origin + "/v1.0", self.path, self.meta, self.config.empty_page_every)


@dataclass(frozen=True)
class Routed:
    endpoint: Endpoint
    handler: Handler
    cost: float = 1
    key: str = ""  # throttling sub-key: the report API, counted separately
