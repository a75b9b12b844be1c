"""TOTP MFA of members: enrolment, confirmation with recovery codes, verification.

`mfa`: org_id / member_id → document (sealed secret, confirmed, last used time-step, recovery-code
hashes, failure counter, lock). The secret is sealed with `SecretBox`, bound to organisation and member.
Every check reads the row with its ETag and writes it back conditionally, so two requests racing with
the same code cannot both succeed (ASVS 6.5.1), and failures are counted even under concurrency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from pydantic import BaseModel, Field

from shared.identity import recovery_codes, totp
from shared.identity.mfa_attempts import MfaAttempts
from shared.identity.secret_box import SecretBox
from shared.ownership import Rows, TableOwner
from shared.services import Services
from shared.storage import (
    ConcurrencyError,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TenantContext,
)
from shared.storage.documents import document_of, read_document

FAILURE_WRITE_ATTEMPTS = 10


class MfaRecord(BaseModel):
    sealed_secret: str
    confirmed: bool = False
    last_used_step: int | None = None
    recovery_hashes: list[str] = Field(default_factory=list)
    failures: int = 0
    locked_until: datetime | None = None

    @property
    def attempts(self) -> MfaAttempts:
        return MfaAttempts(failures=self.failures, locked_until=self.locked_until)

    def with_attempts(self, attempts: MfaAttempts) -> MfaRecord:
        return self.model_copy(update={"failures": attempts.failures, "locked_until": attempts.locked_until})


class MfaError(Exception):
    """Base of the outcomes a route turns into a problem."""


class MfaNotEnrolledError(MfaError):
    pass


class MfaAlreadyEnrolledError(MfaError):
    pass


class MfaLockedError(MfaError):
    def __init__(self, until: datetime) -> None:
        super().__init__("MFA is locked")
        self.until = until


class MfaCodeRejectedError(MfaError):
    """The code was wrong, used before, or lost a race; `locked_until` when this failure started a lock."""

    def __init__(self, *, locked_until: datetime | None) -> None:
        super().__init__("MFA code rejected")
        self.locked_until = locked_until


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class Code:
    """What the member typed: a TOTP code or one of their recovery codes."""

    totp: str | None = None
    recovery: str | None = None


class MfaService:
    def __init__(
        self, clients: StorageClients, tenant: TenantContext, tokens: PageTokenSigner, box: SecretBox
    ) -> None:
        self._table = OrgTable(clients, tenant, TableName.MFA, tokens=tokens)
        self._tenant = tenant
        self._box = box

    def _load(self, member_id: str) -> tuple[MfaRecord, str] | None:
        entity = self._table.find(member_id)
        return None if entity is None else (_record(entity.properties), entity.etag)

    def _store(self, member_id: str, record: MfaRecord, etag: str) -> None:
        self._table.update(member_id, document_of(record), etag=etag)

    def is_confirmed(self, member_id: str) -> bool:
        loaded = self._load(member_id)
        return loaded is not None and loaded[0].confirmed

    def start_enrolment(self, member_id: str, account_label: str) -> Enrolment:
        """A new secret for an unconfirmed member (replacing an unconfirmed one); never after confirmation,
        or a stolen bearer token alone could replace the second factor."""
        loaded = self._load(member_id)
        if loaded is not None and loaded[0].confirmed:
            raise MfaAlreadyEnrolledError("TOTP is already active")
        secret = totp.new_secret()
        sealed = self._box.encrypt(secret, org_id=self._tenant.org_id, member_id=member_id)
        record = MfaRecord(sealed_secret=sealed)
        if loaded is None:
            self._table.insert(member_id, document_of(record))
        else:
            # Keep the failure counter and lock: re-enrolling must not reset them.
            self._store(member_id, record.with_attempts(loaded[0].attempts), loaded[1])
        return Enrolment(secret=secret, otpauth_uri=totp.provisioning_uri(secret, account_label))

    def reset(self, member_id: str) -> None:
        """Remove the member's TOTP secret, recovery codes and counters (an admin's reset): they enrol
        again, with `start_enrolment`, at their next sign-in. Nothing to remove is not an error."""
        self._table.delete(member_id)

    def confirm(self, member_id: str, code: str, now: datetime) -> tuple[str, ...]:
        """Activate TOTP with a first valid code; returns the recovery codes (shown once)."""
        record, etag = self._require(member_id, confirmed=False)
        step = self._check_totp(member_id, record, etag, code, now)
        codes = recovery_codes.generate()
        confirmed = record.model_copy(
            update={"confirmed": True, "last_used_step": step, "recovery_hashes": list(codes.hashes)}
        ).with_attempts(record.attempts.register_success())
        self._write_or_reject(member_id, confirmed, etag)
        return codes.codes

    def verify(self, member_id: str, code: Code, now: datetime) -> None:
        """Accept one TOTP or recovery code of a confirmed member, once; raise an `MfaError` otherwise."""
        record, etag = self._require(member_id, confirmed=True)
        if code.recovery is not None:
            self._refuse_if_locked(record, now)
            remaining = recovery_codes.verify_and_consume(code.recovery, record.recovery_hashes)
            if remaining is None:
                self._fail(member_id, record, etag, now)
            updated = record.model_copy(update={"recovery_hashes": list(remaining)})
        else:
            step = self._check_totp(member_id, record, etag, code.totp, now)
            updated = record.model_copy(update={"last_used_step": step})
        self._write_or_reject(member_id, updated.with_attempts(record.attempts.register_success()), etag)

    def _require(self, member_id: str, *, confirmed: bool) -> tuple[MfaRecord, str]:
        loaded = self._load(member_id)
        if loaded is None or (not loaded[0].confirmed and confirmed):
            raise MfaNotEnrolledError("TOTP is not active")
        if loaded[0].confirmed and not confirmed:
            raise MfaAlreadyEnrolledError("TOTP is already active")
        return loaded

    @staticmethod
    def _refuse_if_locked(record: MfaRecord, now: datetime) -> None:
        if record.attempts.is_locked(now) and record.locked_until is not None:
            raise MfaLockedError(record.locked_until)

    def _check_totp(self, member_id: str, record: MfaRecord, etag: str, code: object, now: datetime) -> int:
        self._refuse_if_locked(record, now)
        secret = self._box.decrypt(record.sealed_secret, org_id=self._tenant.org_id, member_id=member_id)
        step = totp.verify(secret, code, now=now, last_used_step=record.last_used_step)
        if step is None:
            self._fail(member_id, record, etag, now)
        return step

    def _fail(self, member_id: str, record: MfaRecord, etag: str, now: datetime) -> NoReturn:
        """Count the failure, re-reading on a lost race: parallel guesses must each count."""
        for _ in range(FAILURE_WRITE_ATTEMPTS):
            attempts = record.attempts.register_failure(now)
            try:
                self._store(member_id, record.with_attempts(attempts), etag)
                break
            except ConcurrencyError:
                loaded = self._load(member_id)
                if loaded is None:
                    break
                record, etag = loaded
        started_lock = attempts.is_locked(now) and not record.attempts.is_locked(now)
        raise MfaCodeRejectedError(locked_until=attempts.locked_until if started_lock else None)

    def _write_or_reject(self, member_id: str, record: MfaRecord, etag: str) -> None:
        try:
            self._store(member_id, record, etag)
        except ConcurrencyError:
            # Another request used the row first (perhaps with this very code): refuse, count nothing.
            raise MfaCodeRejectedError(locked_until=None) from None


def _record(properties: Mapping[str, Any]) -> MfaRecord:
    return read_document(MfaRecord, properties)


def _table(services: Services, tenant: TenantContext) -> OrgTable:
    return OrgTable(services.storage, tenant, TableName.MFA, tokens=services.page_signer)


def find_mfa_record(services: Services, tenant: TenantContext, member_id: str) -> MfaRecord | None:
    """The member's MFA record (for their export), without unsealing anything; None if not enrolled."""
    entity = _table(services, tenant).find(member_id)
    return None if entity is None else _record(entity.properties)


def _member_rows(services: Services, tenant: TenantContext, member_id: str) -> list[Rows]:
    enrolled = find_mfa_record(services, tenant, member_id) is not None
    return [Rows(_table(services, tenant), [member_id] if enrolled else [])]


MFA_OWNER = TableOwner.of_organisation_table(
    TableName.MFA,
    __name__,
    member_rows=_member_rows,
    keeps="no expiry: an enrolment lasts as long as its member",
)
