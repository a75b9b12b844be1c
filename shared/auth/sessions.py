"""Server-side sessions: opaque 256-bit tokens, stored only as SHA-256 hashes.

`sessions`: org_id / sha256(token) hex → member_id, created_at, last_seen_at, idle_expires_at,
absolute_expires_at, revoked. Idle timeout 60 minutes, sliding with activity; absolute lifetime 12 hours.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

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


@dataclass(frozen=True)
class OpenedSession:
    token: str  # shown to the caller once, never stored
    session: Session


class SessionStore:
    def __init__(self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner) -> None:
        self._table = OrgTable(clients, tenant, TableName.SESSIONS, tokens=tokens)

    @staticmethod
    def _properties(session: Session) -> dict[str, object]:
        return {
            "member_id": session.member_id,
            "created_at": session.created_at.isoformat(),
            "last_seen_at": session.last_seen_at.isoformat(),
            "idle_expires_at": session.idle_expires_at.isoformat(),
            "absolute_expires_at": session.absolute_expires_at.isoformat(),
            "revoked": session.revoked,
        }

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

    def _find(self, hashed: str) -> tuple[Session, str] | None:
        try:
            entity = self._table.get(hashed)
        except NotFoundError:
            return None
        props = entity.properties
        session = Session(
            token_hash=hashed,
            member_id=props["member_id"],
            created_at=datetime.fromisoformat(props["created_at"]),
            last_seen_at=datetime.fromisoformat(props["last_seen_at"]),
            idle_expires_at=datetime.fromisoformat(props["idle_expires_at"]),
            absolute_expires_at=datetime.fromisoformat(props["absolute_expires_at"]),
            revoked=bool(props["revoked"]),
        )
        return session, entity.etag

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
        hashes = [
            entity.row_key
            for entity in self._table.query(select=["RowKey", "member_id", "revoked"])
            if entity.properties.get("member_id") == member_id and not entity.properties.get("revoked")
        ]
        for hashed in hashes:
            self.revoke(hashed)
        return len(hashes)
