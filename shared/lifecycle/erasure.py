"""The steps of a member's erasure, and the audit pseudonymisation they end with.

Every table's owner (`shared.lifecycle.owners`) says which rows are the member's own and which rows may
mention them. The member's sessions, login index entries, MFA material and pending invitation are
deleted; in the rows that mention them (the audit log, other members' invitations they sent, risk
acceptances, support grants they decided) the member id becomes a stable pseudonym (`erased-<hex>`),
their name, email and phone are blanked wherever they appear, and the client address of their own
actions is removed. The audit rows stay (they record what happened, under the organisation's legal
obligations) but can no longer be attributed to the person. The member row goes last: the earlier steps
read it for the values to look for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.lifecycle.owners import OWNERS, owner_of
from shared.lifecycle.steps import Progress, Step, delete_owned_rows
from shared.members import Member
from shared.ownership import TableOwner
from shared.services import Services
from shared.storage import TableName, TenantContext

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


# The member's own rows, in this order (then every other owner's, the pseudonymisation, the member row).
_FIRST = (TableName.SESSIONS, TableName.IDENTITIES, TableName.MFA, TableName.INVITATIONS)
_LAST = TableName.MEMBERS
_OWN_ROWS = (
    *(owner_of(table) for table in _FIRST),
    *(owner for owner in OWNERS if owner.member_rows and owner.table not in (*_FIRST, _LAST)),
)


class _Erasure:
    def __init__(self, services: Services, tenant: TenantContext, member_id: str, pseudonym: str) -> None:
        self.services = services
        self.tenant = tenant
        self.member_id = member_id
        self.pseudonym = pseudonym

    def member(self) -> Member | None:
        return self.services.org(self.tenant).members.find(self.member_id)

    def own_rows(self, owner: TableOwner, kind: str) -> Step:
        def run(progress: Progress) -> None:
            found = owner.member_rows(self.services, self.tenant, self.member_id) if owner.member_rows else []
            delete_owned_rows(list(found), kind, progress)

        return Step(kind, run)

    def pseudonymise(self, progress: Progress) -> None:
        """Rewrite the rows that mention the member (the audit log, other members' invitations ...)."""
        member = self.member()
        if member is None:
            progress.plan("pseudonymised", 0)
            return
        values = personal_values(member)
        found = [
            partition
            for owner in OWNERS
            if owner.mentions is not None
            for partition in owner.mentions(self.services, self.tenant)
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
            *(self.own_rows(owner, owner.table.value) for owner in _OWN_ROWS),
            Step("pseudonymised", self.pseudonymise),
            self.own_rows(owner_of(_LAST), "member"),
        ]


def erasure_steps(services: Services, tenant: TenantContext, member_id: str, pseudonym: str) -> list[Step]:
    return _Erasure(services, tenant, member_id, pseudonym).steps()
