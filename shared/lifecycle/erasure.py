"""The steps of a member's erasure, and the audit pseudonymisation they end with.

The member's sessions, login index entries, MFA material and pending invitation are deleted; in the
organisation's audit log the member id becomes a stable pseudonym (`erased-<hex>`), their name, email
and phone are blanked wherever they appear, and the client address of their own actions is removed.
The audit rows stay (they record what happened, under the organisation's legal obligations) but can no
longer be attributed to the person; other members' invitations they sent get the pseudonym too. The
member row goes last: the earlier steps read it for the values to look for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from shared.lifecycle.scan import org_partitions, shared_rows
from shared.lifecycle.steps import Progress, Step, delete_rows
from shared.members import IDENTITY_ROW, Member, MemberRepository, email_hash
from shared.services import Services
from shared.storage import NotFoundError, OrgTable, SharedTable, TableName, TenantContext

ERASED = "[erased]"
_ACTOR = "actor_member_id"
_ADDRESS = "client_address"


def personal_values(member: Member) -> re.Pattern[str]:
    """A case-insensitive pattern matching the member's email, phone and names (names as whole words)."""
    literals = [re.escape(value) for value in (member.email, member.phone) if value]
    names = [rf"\b{re.escape(name)}\b" for name in (member.first_name, member.last_name) if name.strip()]
    return re.compile("|".join(literals + names), re.IGNORECASE)


def scrub_row(
    properties: Mapping[str, Any], member_id: str, pseudonym: str, values: re.Pattern[str]
) -> dict[str, Any]:
    """The properties of a row to change so that it no longer identifies the member ({} if none)."""
    changes: dict[str, Any] = {}
    for name, value in properties.items():
        if isinstance(value, str):
            scrubbed = values.sub(ERASED, value.replace(member_id, pseudonym))
            if scrubbed != value:
                changes[name] = scrubbed
    if properties.get(_ACTOR) == member_id and properties.get(_ADDRESS):
        changes[_ADDRESS] = ""
    return changes


class _Erasure:
    def __init__(self, services: Services, tenant: TenantContext, member_id: str, pseudonym: str) -> None:
        self.services = services
        self.tenant = tenant
        self.member_id = member_id
        self.pseudonym = pseudonym

    def table(self, table: TableName) -> OrgTable:
        return OrgTable(self.services.storage, self.tenant, table, tokens=self.services.tokens)

    def member(self) -> Member | None:
        return MemberRepository(self.services.storage, self.tenant, self.services.tokens).find(self.member_id)

    def existing(self, table: TableName, row_key: str) -> list[str]:
        try:
            self.table(table).get(row_key, select=["RowKey"])
        except NotFoundError:
            return []
        return [row_key]

    def sessions(self, progress: Progress) -> None:
        table = self.table(TableName.SESSIONS)
        keys = [
            row.row_key
            for row in table.query(select=["RowKey", "member_id"])
            if row.properties.get("member_id") == self.member_id
        ]
        progress.plan("sessions", len(keys))
        delete_rows(table, keys, progress)

    def identities(self, progress: Progress) -> None:
        index = SharedTable(self.services.storage, TableName.IDENTITIES, tokens=self.services.tokens)
        match = {"org_id": self.tenant.org_id, "member_id": self.member_id}
        keys = [
            row["PartitionKey"]
            for row in shared_rows(self.services.storage, TableName.IDENTITIES, match)
            if row["RowKey"] == IDENTITY_ROW
        ]
        progress.plan("identities", len(keys))
        for key in keys:
            index.partition(key).delete(IDENTITY_ROW)
            progress.deleted(1)

    def single_row(self, kind: str, table: TableName, row_key: Callable[[Member], str]) -> Step:
        def run(progress: Progress) -> None:
            member = self.member()
            keys = self.existing(table, row_key(member)) if member is not None else []
            progress.plan(kind, len(keys))
            delete_rows(self.table(table), keys, progress)

        return Step(kind, run)

    def pseudonymise(self, progress: Progress) -> None:
        """Rewrite the audit rows (and other members' invitations) that mention the member."""
        member = self.member()
        if member is None:
            progress.plan("pseudonymised", 0)
            return
        values = personal_values(member)
        services = self.services
        found = [
            *org_partitions(services.storage, self.tenant, TableName.AUDIT, services.tokens),
            self.table(TableName.INVITATIONS),
        ]
        planned = [
            (partition, row, changes)
            for partition in found
            for row in partition.query()
            if (changes := scrub_row(row.properties, self.member_id, self.pseudonym, values))
        ]
        progress.plan("pseudonymised", len(planned))
        for partition, row, changes in planned:
            partition.update(row.row_key, changes, etag=row.etag, merge=True)

    def steps(self) -> list[Step]:
        return [
            Step("sessions", self.sessions),
            Step("identities", self.identities),
            self.single_row("mfa", TableName.MFA, lambda member: member.member_id),
            self.single_row("invitations", TableName.INVITATIONS, lambda member: email_hash(member.email)),
            Step("pseudonymised", self.pseudonymise),
            self.single_row("member", TableName.MEMBERS, lambda member: member.member_id),
        ]


def erasure_steps(services: Services, tenant: TenantContext, member_id: str, pseudonym: str) -> list[Step]:
    return _Erasure(services, tenant, member_id, pseudonym).steps()
