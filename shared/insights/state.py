"""The state one pass over a snapshot leaves behind: what every check and detail list reads.

`engine.py` folds the snapshot's datasets into a `TenantState` (accounts, role holders, policies, scores,
dataset statuses and a few population counts); the assurance checks and the detail lists are pure
functions of it. Nothing here reads storage or the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from shared.insights.accounts import ENABLED, GUEST, MFA_REGISTERED, SYNCED, AccountTable, iso
from shared.insights.models import ScorePoint
from shared.insights.rounding import exact, money
from shared.insights.utilisation import Utilisation
from shared.snapshot import records as r
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLES, role_name

STALE_DAYS = 90  # sign-in staleness of accounts, guests and administrators (one definition for all)


class RoleHolders:
    """Privileged role holders: principal id → role ids, how each role is held (directly or through which
    role-assignable groups), plus the principal facts for those not in `/users`."""

    def __init__(self) -> None:
        self.by_principal: dict[str, set[str]] = {}
        self.direct: set[tuple[str, str]] = set()  # (principal, role) assigned to the person
        self.via: dict[tuple[str, str], set[str]] = {}  # (principal, role) → names of groups it comes through
        self.synced: set[str] = set()

    def add(self, row: r.RoleAssignment) -> None:
        role = row.role_definition_id.lower()
        if row.principal_type.lower() != "user" or role not in PRIVILEGED_ROLES:
            # A group's own row is followed by one row per member; service principals are not people.
            return
        key = row.principal_id.lower()
        self.by_principal.setdefault(key, set()).add(role)
        if row.via_group_id:
            self.via.setdefault((key, role), set()).add(row.via_group_name or row.via_group_id)
        else:
            self.direct.add((key, role))
        if row.principal_on_premises_sync_enabled:
            self.synced.add(key)

    def holders(
        self, table: AccountTable, unmatched_registered: Mapping[str, bool]
    ) -> tuple[RoleHolder, ...]:
        """Each role holder with what is known of them: from the account table, else from the role and
        registration rows (`unmatched_registered`: principal → isMfaRegistered for those not in /users)."""
        found = []
        for principal, roles in self.by_principal.items():
            index = table.by_id.get(principal)
            synced = principal in self.synced
            if index is None:
                registered = unmatched_registered.get(principal, False)
            else:
                synced = synced or table.is_(index, SYNCED)
                registered = table.is_(index, MFA_REGISTERED)
            found.append(RoleHolder(principal, frozenset(roles), index, synced, registered))
        return tuple(found)

    def describe(self, principal: str) -> str:
        """The roles a person holds, ';'-separated, each saying which group it comes through if any:
        "Helpdesk Administrator (via group Helpdesk team)"."""
        named = []
        for role in self.by_principal.get(principal, ()):
            groups = sorted(self.via.get((principal, role), ()))
            if not groups:
                named.append(role_name(role))
                continue
            direct = "directly and " if (principal, role) in self.direct else ""
            named.append(f"{role_name(role)} ({direct}via group {', '.join(groups)})")
        return ";".join(sorted(named))


@dataclass(frozen=True, slots=True)
class RoleHolder:
    """One person holding at least one privileged role; `index` is their row in the account table, None
    when `/users` did not return them (then the role and registration rows are all that is known)."""

    principal: str
    roles: frozenset[str]
    index: int | None
    synced: bool
    mfa_registered: bool

    @property
    def global_admin(self) -> bool:
        return GLOBAL_ADMINISTRATOR in self.roles


@dataclass(frozen=True, slots=True)
class CaPolicy:
    name: str
    state: str
    include_users: tuple[str, ...]
    exclude_users: tuple[str, ...]
    include_applications: tuple[str, ...]
    client_app_types: tuple[str, ...]
    built_in_controls: tuple[str, ...]
    exclude_groups: tuple[str, ...] = ()
    include_roles: tuple[str, ...] = ()
    user_risk_levels: tuple[str, ...] = ()
    sign_in_risk_levels: tuple[str, ...] = ()
    authentication_strength: str | None = None  # id of the required authentication strength
    grant_operator: str | None = None  # AND: every grant control is required; OR: any one suffices
    include_user_actions: tuple[str, ...] = ()  # e.g. urn:user:registersecurityinfo, instead of apps


@dataclass(frozen=True, slots=True)
class Population:
    """Sizes of the groups the per-account rules grade against (offenders are counted by the rules)."""

    enabled: int = 0
    enabled_members: int = 0
    enabled_guests: int = 0
    licensed_enabled: int = 0
    registration_rows: int = 0  # registration-details rows, whether or not the account is in /users
    registered_rows: int = 0  # of which isMfaRegistered


@dataclass(frozen=True, slots=True)
class Cost:
    """A monthly amount in one currency (None: no known price, or prices in several currencies)."""

    amount: Fraction | int
    currency: str


@dataclass(frozen=True)
class TenantState:
    """Everything the checks and lists read. Frozen: the fold is done once, every reader sees the same."""

    table: AccountTable
    utilisation: Utilisation
    roles: RoleHolders
    holders: tuple[RoleHolder, ...]
    policies: tuple[CaPolicy, ...]
    scores: tuple[ScorePoint, ...]  # newest first
    statuses: Mapping[str, str]  # dataset → complete | failed | unavailable | missing
    errors: Mapping[str, str]  # dataset → the collector's error, for failed or unavailable datasets
    population: Population
    reference: int  # as_of as an ordinal
    currency: str | None  # the organisation's one price currency (None: none or several)
    holder_of: Mapping[int, RoleHolder] = field(default_factory=dict)  # table index → role holder
    # Tenant-wide policies (None when the run has no such row; the check is then not applicable).
    authorization: r.AuthorizationPolicy | None = None
    consent_requests: r.AdminConsentRequestPolicy | None = None
    methods_policy: r.AuthenticationMethodsPolicy | None = None
    domains: tuple[r.Domain, ...] = ()
    applications: tuple[r.Application, ...] = ()
    graph_grants: tuple[r.GraphPermissionGrant, ...] = ()
    active_assignments: tuple[r.RoleAssignmentScheduleInstance, ...] = ()
    activation_policies: tuple[r.RoleActivationPolicy, ...] = ()
    sharepoint: r.SharePointSettings | None = None

    # -- per-account facts ---------------------------------------------------------------------------------

    def accounts(self, flag: int = 0, without: int = 0) -> Iterator[int]:
        """Enabled accounts having every bit of `flag` and none of `without`."""
        flags = self.table.flags
        want = ENABLED | flag
        return (i for i in range(len(flags)) if flags[i] & want == want and not flags[i] & without)

    def is_(self, index: int, flag: int) -> bool:
        return bool(self.table.flags[index] & flag)

    def enabled(self, index: int) -> bool:
        return self.is_(index, ENABLED)

    def guest(self, index: int) -> bool:
        return self.is_(index, GUEST)

    def licensed(self, index: int) -> bool:
        return self.table.combo[index] >= 0

    def mfa_registered(self, index: int) -> bool:
        return self.is_(index, MFA_REGISTERED)

    def stale(self, index: int) -> bool:
        """No successful sign-in (interactive or not) in the `STALE_DAYS` days before as_of, or never."""
        signin = self.table.signin_clock(index)
        return signin == 0 or self.reference - signin > STALE_DAYS

    def stale_guest(self, index: int) -> bool:
        """A stale guest: stale, but one who never signed in only once created more than STALE_DAYS ago."""
        if self.table.signin[index]:
            return self.stale(index)
        created = self.table.created[index]
        return created != 0 and self.reference - created > STALE_DAYS

    def inactive(self, index: int) -> bool:
        """No activity from any source (sign-ins and usage reports) for `STALE_DAYS` days."""
        return self.utilisation.inactive(index, STALE_DAYS)

    def last_sign_in_iso(self, index: int) -> str | None:
        return iso(self.table.signin[index])

    def last_activity_iso(self, subject: int | RoleHolder) -> str | None:
        index = self.index_of(subject)
        return None if index is None else iso(self.table.last_activity(index))

    def group_name(self, index: int) -> str | None:
        code = self.table.group[index]
        return self.table.groups[code] if code >= 0 else None

    def monthly_cost(self, index: int) -> Cost | None:
        """What the account's licences cost a month: the sum of their known unit costs when those share
        one currency; None when no price is known or the prices are in several currencies (never a sum
        across currencies)."""
        known = [c for c in (self.utilisation.unit_cost(sku) for sku, _ in self.table.licences(index)) if c]
        currencies = {c.currency for c in known}
        if len(currencies) != 1:
            return None
        return Cost(sum((exact(c.monthly) for c in known), Fraction(0)), currencies.pop())

    def total_monthly_cost(self, indices: Iterable[int | None]) -> float | None:
        """What the accounts' licences cost a month together, in the organisation's one currency (None
        when it prices in none or several)."""
        if self.currency is None:
            return None
        costs = (self.monthly_cost(i) for i in indices if i is not None)
        return money(sum((c.amount for c in costs if c is not None), Fraction(0)))

    # -- licences the tenant holds ----------------------------------------------------------------------

    def holds_plan(self, plan_name: str) -> bool:
        """A SKU the tenant subscribes to (enabled, warning or suspended units) includes the service plan,
        by the plans `/subscribedSkus` lists, else by the catalogue's."""
        for sku in self.utilisation.skus:
            if not (sku.prepaid_enabled or sku.prepaid_warning or sku.prepaid_suspended):
                continue
            known = self.utilisation.catalogue.by_id(sku.sku_id)
            plans = [p.service_plan_name for p in sku.service_plans] or (
                [p.name for p in known.service_plans] if known else []
            )
            if plan_name in plans:
                return True
        return False

    # -- role holders --------------------------------------------------------------------------------------

    def role_names(self, holder: RoleHolder) -> str:
        return self.roles.describe(holder.principal)

    # -- subjects of the per-account rules (an account's table index, or a role holder) ---------------------

    def index_of(self, subject: int | RoleHolder) -> int | None:
        return subject if isinstance(subject, int) else subject.index

    def person(self, subject: int | RoleHolder) -> dict[str, str | None]:
        """Who a finding is about; a role holder `/users` did not return is named by their object id."""
        index = self.index_of(subject)
        if index is None:
            assert isinstance(subject, RoleHolder)
            return {"user_principal_name": subject.principal, "display_name": None, "group": None}
        return {
            "user_principal_name": self.table.upn[index],
            "display_name": self.table.name[index],
            "group": self.group_name(index),
        }

    def subject_id(self, subject: int | RoleHolder) -> str:
        """A finding's subject as the directory names it: the account's object id, or the principal."""
        return subject.principal if isinstance(subject, RoleHolder) else self._object_ids[subject]

    @cached_property
    def _object_ids(self) -> dict[int, str]:  # built only when findings are listed
        return {index: object_id for object_id, index in self.table.by_id.items()}

    def sort_name(self, subject: int | RoleHolder) -> str:
        name = self.person(subject)["user_principal_name"] or ""
        return name.lower()
