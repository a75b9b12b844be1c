"""The audit log: every API request and every security event, append-only in code.

`audit`: org_id|yyyymm / inverted-time|uuid → at, actor_member_id ("anonymous"/"system", a member id or
an operator id), actor_role, action, target, outcome, status, request_id, client_address, and
support_grant_id on rows of support access. The platform's own log is the partition of
`shared.platform.operators.PLATFORM`. Rows never hold a token,
TOTP code, secret or email: the actor is a member id, the target an id or a route parameter.
Requests that cannot be attributed to an organisation (no valid token, or an identity without one)
are written to the reserved partition of `UNATTRIBUTED` (all zeros: `uuid4().hex` can never produce it).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from shared.identity.clock import Clock, system_clock
from shared.ownership import Rows, TableOwner, org_partitions_of
from shared.services import Services
from shared.storage import (
    InvalidContinuationTokenError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.keys import KEY_SEPARATOR
from shared.storage.scan import org_partitions

if TYPE_CHECKING:
    from shared.organisations import RetentionSettings

UNATTRIBUTED = TenantContext("0" * 32)
ANONYMOUS = "anonymous"
Outcome = Literal["allowed", "denied", "rejected", "error", "security"]
_INVERTED_BASE = 10**13 - 1  # milliseconds since the epoch stay below this until the year 2286
DEFAULT_RANGE = timedelta(days=30)
MAX_RANGE = timedelta(days=731)


class AuditEntry(BaseModel):
    at: datetime
    actor_member_id: str
    actor_role: str
    action: str
    target: str
    outcome: Outcome
    status: int
    request_id: str
    client_address: str
    # Set on rows of support access: the grant an operator acted under, or the request decided.
    support_grant_id: str | None = None


# What a member's and an organisation's export hold of each row (never the actor's id or a grant id).
EXPORTED_FIELDS = (
    "at",
    "actor_role",
    "action",
    "target",
    "outcome",
    "status",
    "request_id",
    "client_address",
)


def outcome_for(status: int) -> Outcome:
    if status < 400:
        return "allowed"
    if status in {401, 403}:
        return "denied"
    return "error" if status >= 500 else "rejected"


def _month(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m}"


def _inverted(moment: datetime) -> str:
    return f"{_INVERTED_BASE - int(moment.timestamp() * 1000):013d}"


def _months_back(newest: datetime, oldest: datetime) -> list[str]:
    months: list[str] = []
    year, month = newest.astimezone(UTC).year, newest.astimezone(UTC).month
    last = _month(oldest)
    while f"{year:04d}{month:02d}" >= last:
        months.append(f"{year:04d}{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


class AuditWindow(BaseModel):
    """A resolved time window: every entry with `since <= at <= until`."""

    since: datetime
    until: datetime


class AuditFilter(BaseModel):
    """Which entries to read. An omitted `until` means now; an omitted `since` means `DEFAULT_RANGE`
    before `until`; a window is never longer than `MAX_RANGE` (older entries are past retention)."""

    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    actor: str | None = None
    outcome: Outcome | None = None

    def window(self, now: datetime) -> AuditWindow:
        until = (self.until or now).astimezone(UTC)
        since = max((self.since or until - DEFAULT_RANGE).astimezone(UTC), until - MAX_RANGE)
        return AuditWindow(since=since, until=until)

    def matches(self, entry: AuditEntry) -> bool:
        return (
            (self.action is None or entry.action == self.action)
            and (self.actor is None or entry.actor_member_id == self.actor)
            and (self.outcome is None or entry.outcome == self.outcome)
        )


class AuditLog:
    def __init__(
        self,
        clients: StorageClients,
        tenant: TenantContext,
        tokens: PageTokenSigner,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self._clients = clients
        self._tenant = tenant
        self._tokens = tokens
        self._clock = clock

    def _partition(self, month: str) -> OrgTable:
        return OrgTable(
            self._clients, self._tenant, TableName.AUDIT, tokens=self._tokens, partition_suffix=month
        )

    def append(self, entry: AuditEntry) -> None:
        row_key = f"{_inverted(entry.at)}|{uuid.uuid4().hex}"
        properties = entry.model_dump(mode="json", exclude_none=True)
        self._partition(_month(entry.at)).insert(row_key, properties)

    def iter_exported(self, actor_member_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every row as the exports show it (`EXPORTED_FIELDS`, as stored), oldest month first; with
        `actor_member_id`, only the rows of that member's own actions."""
        for partition in org_partitions(self._clients, self._tenant, TableName.AUDIT, self._tokens):
            for row in partition.query(select=["RowKey", "actor_member_id", *EXPORTED_FIELDS]):
                if actor_member_id is None or row.properties.get("actor_member_id") == actor_member_id:
                    yield {name: row.properties.get(name) for name in EXPORTED_FIELDS}

    def iter_entries(self, query: AuditFilter) -> Iterator[AuditEntry]:
        """Every matching entry, newest first (for exports such as the GDPR one)."""
        token: str | None = None
        while True:
            entries, token = self.page(query, page_size=1000, continuation_token=token)
            yield from entries
            if token is None:
                return

    def iter_events(self, since: datetime, until: datetime) -> Iterator[tuple[str, AuditEntry]]:
        """Every entry with `since <= at < until` as (event id, entry), for jobs that read the log as a
        stream of events (the detection rules). The event id is the row's key: unique, stable, and a
        pointer back at the row for evidence."""
        for month in _months_back(until, since):
            rows = self._partition(month).query(
                start=_inverted(until), end=str(int(_inverted(since)) + 1).zfill(13)
            )
            for row in rows:
                entry = AuditEntry.model_validate(row.properties)
                if since <= entry.at < until:
                    yield f"{month}|{row.row_key}", entry

    def _scope(self, query: AuditFilter, page_size: int) -> str:
        # The query as the client asked for it (an omitted bound stays omitted): repeating the same query
        # with the continuation token matches, whenever it is repeated.
        digest = hashlib.sha256(f"{query.model_dump_json()}|{page_size}".encode()).hexdigest()
        return f"audit-query/{self._tenant.org_id}/{digest}"

    def page(
        self, query: AuditFilter, *, page_size: int, continuation_token: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        """One page, newest first. The token is bound to this organisation and this exact query.

        The window is resolved once, on the first page, and the token carries it: following the token
        reads the same window however much later it is followed, so pages never overlap or skip rows
        (entries written after the first page are outside the window).
        """
        scope = self._scope(query, page_size)
        if continuation_token:
            position = self._tokens.verify(scope, continuation_token)
            window = _window_in(position)
        else:
            position, window = {}, query.window(self._clock())
        months = _months_back(window.until, window.since)
        month = position.get("m", months[0])
        if month not in months:
            return [], None
        page = self._partition(month).list_page(
            start=_inverted(window.until),
            end=str(int(_inverted(window.since)) + 1).zfill(13),
            page_size=page_size,
            continuation_token=position.get("p") or None,
        )
        entries = [
            entry
            for entry in (AuditEntry.model_validate(item.properties) for item in page.items)
            if query.matches(entry) and window.since <= entry.at <= window.until
        ]
        following = months.index(month) + 1
        if page.continuation_token:
            next_position = {"m": month, "p": page.continuation_token}
        elif following < len(months):
            next_position = {"m": months[following], "p": ""}
        else:
            return entries, None
        window_fields = {"s": window.since.isoformat(), "u": window.until.isoformat()}
        return entries, self._tokens.sign(scope, next_position | window_fields)


def _window_in(position: dict[str, str]) -> AuditWindow:
    """The window a continuation token carries (signed by us, so only a token from before windows were
    carried can lack it)."""
    try:
        return AuditWindow.model_validate({"since": position["s"], "until": position["u"]})
    except (KeyError, ValueError) as error:
        raise InvalidContinuationTokenError("the continuation token is not valid here") from error


def _written_before(value: object, cutoff: datetime) -> bool:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return False
    return (value if value.tzinfo else value.replace(tzinfo=UTC)) < cutoff


def _expired_rows(
    services: Services, tenant: TenantContext, now: datetime, periods: RetentionSettings
) -> Iterator[Rows]:
    """Rows written before the first moment of the day `audit_days` before today: whole months before
    that day's month, and the rows of that month written before it."""
    cutoff = datetime.combine(now.date() - timedelta(days=periods.audit_days), time(), UTC)
    boundary = _month(cutoff)
    for partition in org_partitions(services.storage, tenant, TableName.AUDIT, services.page_signer):
        month = partition.partition_key.partition(KEY_SEPARATOR)[2]
        if len(month) != len(boundary) or not month.isdigit() or month > boundary:
            continue
        rows = partition.query(select=["RowKey", "at"])
        old = [
            row.row_key
            for row in rows
            if month < boundary or _written_before(row.properties.get("at"), cutoff)
        ]
        yield Rows(partition, old)


AUDIT_OWNER = TableOwner.of_organisation_table(
    TableName.AUDIT,
    __name__,
    expired_rows=_expired_rows,
    mentions=org_partitions_of(TableName.AUDIT),  # erasure pseudonymises rows, the record stays
    keeps="rows are pseudonymised at erasure, not deleted: they record what happened",
)
