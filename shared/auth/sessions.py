"""Server-side sessions: opaque 256-bit tokens, stored only as SHA-256 hashes.

`sessions`: org_id / sha256(token) hex → member_id, created_at, last_seen_at, idle_expires_at,
absolute_expires_at, revoked. Idle timeout 60 minutes, sliding with activity; absolute lifetime 12 hours.
Operators' sessions are the partition of `shared.platform.operators.PLATFORM`; retention sweeps it too.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.ownership import Rows, TableOwner
from shared.services import Services
from shared.storage import (
    ConcurrencyError,
    NotFoundError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)

IDLE_TIMEOUT = timedelta(minutes=60)
ABSOLUTE_LIFETIME = timedelta(hours=12)
TOKEN_BYTES = 32  # 256 bits
MAX_TOKEN_CHARS = 128
# Sliding the idle expiry is a write; within this much of the last one it is skipped.
SLIDE_GRANULARITY = timedelta(seconds=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token_hash: str
    member_id: str
    created_at: datetime
    last_seen_at: datetime
    idle_expires_at: datetime
    absolute_expires_at: datetime
    revoked: bool = False

    def is_live(self, now: datetime) -> bool:
        return not self.revoked and now < self.idle_expires_at and now < self.absolute_expires_at

    def exported(self) -> dict[str, Any]:
        """What the member's export shows: times and state, never the token's hash (a credential)."""
        return {
            "created_at": self.created_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "idle_expires_at": self.idle_expires_at.isoformat(),
            "absolute_expires_at": self.absolute_expires_at.isoformat(),
            "revoked": self.revoked,
        }


@dataclass(frozen=True)
class OpenedSession:
    token: str  # shown to the caller once, never stored
    session: Session


def _not_after(stored: object, now: datetime) -> bool:
    """Whether a stored time (ISO 8601 text or an Edm.DateTime) is at or before `now`."""
    moment = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    if not isinstance(moment, datetime):
        return False
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) <= now


class SessionStore:
    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.SESSIONS, tokens=tokens)

    @staticmethod
    def _properties(session: Session) -> dict[str, object]:
        return {"member_id": session.member_id, **session.exported()}

    def open(self, member_id: str, now: datetime) -> OpenedSession:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        session = Session(
            token_hash=token_hash(token),
            member_id=member_id,
            created_at=now,
            last_seen_at=now,
            idle_expires_at=now + IDLE_TIMEOUT,
            absolute_expires_at=now + ABSOLUTE_LIFETIME,
        )
        self._table.insert(session.token_hash, self._properties(session))
        return OpenedSession(token=token, session=session)

    @staticmethod
    def _session(hashed: str, props: Mapping[str, Any]) -> Session:
        return Session(
            token_hash=hashed,
            member_id=props["member_id"],
            created_at=datetime.fromisoformat(props["created_at"]),
            last_seen_at=datetime.fromisoformat(props["last_seen_at"]),
            idle_expires_at=datetime.fromisoformat(props["idle_expires_at"]),
            absolute_expires_at=datetime.fromisoformat(props["absolute_expires_at"]),
            revoked=bool(props["revoked"]),
        )

    def _find(self, hashed: str) -> tuple[Session, str] | None:
        entity = self._table.find(hashed)
        return None if entity is None else (self._session(hashed, entity.properties), entity.etag)

    def iter_all(self) -> Iterator[Session]:
        for entity in self._table.query():
            yield self._session(entity.row_key, entity.properties)

    def list_member(self, member_id: str) -> list[Session]:
        return [session for session in self.iter_all() if session.member_id == member_id]

    def member_rows(self, member_id: str) -> Rows:
        return Rows(self._table, [session.token_hash for session in self.list_member(member_id)])

    def ended_rows(self, now: datetime) -> Rows:
        """Sessions revoked or past either expiry: nobody can use them any more."""
        expiries = ("idle_expires_at", "absolute_expires_at")
        ended = [
            row.row_key
            for row in self._table.query(select=["RowKey", "revoked", *expiries])
            if row.properties.get("revoked") is True
            or any(_not_after(row.properties.get(name), now) for name in expiries)
        ]
        return Rows(self._table, ended)

    def touch(self, token: str, member_id: str, now: datetime) -> Session | None:
        """The live session of `member_id` behind `token`, its idle expiry slid forward; else None."""
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS or not token.isascii():
            return None
        found = self._find(token_hash(token))
        if found is None:
            return None
        session, etag = found
        if session.member_id != member_id or not session.is_live(now):
            return None
        if now - session.last_seen_at < SLIDE_GRANULARITY:
            return session
        slid = Session(
            token_hash=session.token_hash,
            member_id=session.member_id,
            created_at=session.created_at,
            last_seen_at=now,
            idle_expires_at=min(now + IDLE_TIMEOUT, session.absolute_expires_at),
            absolute_expires_at=session.absolute_expires_at,
        )
        try:
            self._table.update(session.token_hash, self._properties(slid), etag=etag)
        except ConcurrencyError:
            # A parallel request slid it (or revoked it): read what is there now.
            current = self._find(session.token_hash)
            return current[0] if current and current[0].is_live(now) else None
        return slid

    def revoke(self, hashed: str) -> None:
        """Mark one session revoked (logout); a session that is gone already is not an error."""
        with suppress(NotFoundError):
            # If-Match `*`: only an existing row, so revoking never creates one.
            self._table.update(hashed, {"revoked": True}, etag="*", merge=True)

    def revoke_member(self, member_id: str) -> int:
        """Revoke every session of a member (disabled, erased or role changed); returns how many."""
        hashes = [session.token_hash for session in self.list_member(member_id) if not session.revoked]
        for hashed in hashes:
            self.revoke(hashed)
        return len(hashes)


def _store(services: Services, tenant: TenantContext) -> SessionStore:
    return SessionStore(services.storage, tenant, services.page_signer)


SESSIONS_OWNER = TableOwner.of_organisation_table(
    TableName.SESSIONS,
    __name__,
    member_rows=lambda services, tenant, member_id: [_store(services, tenant).member_rows(member_id)],
    expired_rows=lambda services, tenant, now, _periods: [_store(services, tenant).ended_rows(now)],
)
