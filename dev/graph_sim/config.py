"""Simulator configuration: the tenant to serve, throttling mode and injected faults."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from dev.tenant import TenantSpec


class Endpoint(StrEnum):
    """Endpoint families, as throttled and as fault rules target them (graph_api.md §10)."""

    TOKEN = "token"  # noqa: S105 -- the token endpoint's name, not a secret
    USERS = "users"
    USERS_SIGNIN = "users_signin"  # /users with signInActivity selected or filtered
    GROUPS = "groups"  # /groups and /groups/{id}/transitiveMembers
    ORGANIZATION = "organization"
    SUBSCRIBED_SKUS = "subscribed_skus"
    SUBSCRIPTIONS = "subscriptions"
    ROLE_ASSIGNMENTS = "role_assignments"
    CONDITIONAL_ACCESS = "conditional_access"
    POLICIES = "policies"  # the /policies/... singletons (authorization, admin consent, auth methods)
    REGISTRATION_DETAILS = "registration_details"
    SECURE_SCORES = "secure_scores"
    REPORT_SETTINGS = "report_settings"
    DIRECTORY_AUDITS = "directory_audits"  # /auditLogs/directoryAudits
    DOMAINS = "domains"  # /domains
    APPLICATIONS = "applications"  # /applications and the Graph permissions granted to service principals
    SHAREPOINT_SETTINGS = "sharepoint_settings"  # /admin/sharepoint/settings
    REPORTS = "reports"
    REPORT_DOWNLOAD = "report_download"


class ThrottleMode(StrEnum):
    OFF = "off"
    REALISTIC = "realistic"


class FaultKind(StrEnum):
    THROTTLE = "throttle"  # 429; Retry-After from the rule (integer, fractional, or absent when None)
    UNAVAILABLE = "unavailable"  # 503
    GATEWAY_TIMEOUT = "gateway_timeout"  # 504
    TRUNCATED = "truncated"  # 200 whose JSON/CSV body stops half way
    MALFORMED = "malformed"  # 200 with an HTML error page for a body


class FaultRule(BaseModel):
    """Inject `kind` on every `every`-th request to `endpoints` (empty: all but the token endpoint),
    at most `limit` times (None: forever). A storm is `every=1, limit=n`."""

    model_config = ConfigDict(frozen=True)

    kind: FaultKind
    endpoints: frozenset[Endpoint] = frozenset()
    every: int = Field(default=1, ge=1)
    limit: int | None = Field(default=None, ge=1)
    retry_after: float | None = 1.0


class AppRegistration(BaseModel):
    """An app registered in the simulated tenant: its client id, secret and granted application
    permissions (None: every permission the collectors need)."""

    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: str
    permissions: frozenset[str] | None = None


def _today() -> date:
    return datetime.now(UTC).date()


class SimulatorConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    seed: int = 1
    accounts: int = Field(default=2000, ge=1, le=100_000)
    as_of: date = Field(default_factory=_today)
    premium: bool = True
    global_admins: int = Field(default=4, ge=0, le=50)
    legacy_auth_blocked: bool = True
    concealed: bool = False
    throttling: ThrottleMode = ThrottleMode.OFF
    faults: tuple[FaultRule, ...] = ()
    empty_page_every: int = Field(default=7, ge=0)  # every n-th page of a listing is empty; 0: never
    host: str = "127.0.0.1"  # msgraph-sdk allows plain http only on loopback names (graph_api.md §8)
    port: int = Field(default=0, ge=0, le=65535)
    client_secret: str | None = None  # when set, the token endpoint checks it (unregistered client ids)
    apps: tuple[AppRegistration, ...] = ()  # client ids with a secret and permissions of their own
    refuse_unknown_clients: bool = False  # only `apps` get tokens (AADSTS700016 for any other client id)
    download_ttl_seconds: int = 300  # pre-authenticated report URLs live "a few minutes"
    # Further tenants served by the same process (the fleet): tokens are issued per tenant and every call
    # answers from its bearer's tenant; throttling counts each limit at its scope (dev.graph_sim.throttle).
    tenants: tuple[TenantSpec, ...] = ()
    time_scale: float = Field(default=1.0, gt=0, le=10_000)  # every throttling quota multiplied by this
    # Users per page with signInActivity selected: 500 today; 120 before July 2025, when a larger `$top`
    # answered 400 "Cannot query data for more than 120 users at a time." (`sign_in_top_refused`).
    sign_in_page_max: int = Field(default=500, ge=1, le=999)
    sign_in_top_refused: bool = False
    # Planted right-sizing candidates (mail-only and web-only suite holders, dev.tenant.rightsizing): on
    # for `make run`, the journeys and the browser stack; off by default so pinned figures stay as they are.
    rightsizing_plants: bool = False

    def tenant_spec(self) -> TenantSpec:
        return TenantSpec(
            seed=self.seed,
            accounts=self.accounts,
            as_of=self.as_of,
            premium=self.premium,
            global_admins=self.global_admins,
            legacy_auth_blocked=self.legacy_auth_blocked,
            rightsizing_plants=self.rightsizing_plants,
        )
