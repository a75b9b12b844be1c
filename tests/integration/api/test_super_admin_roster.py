"""The roster of active super admins under many concurrent writers: never empty, always the member rows'."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from shared.members import (
    LastSuperAdminError,
    Member,
    MemberRepository,
    SuperAdminRequiredError,
    new_member_id,
)
from shared.storage import OrgTable, PageTokenSigner, StorageClients, TableName, TenantContext

SUPER_ADMINS = 5


def _organisation(clients: StorageClients, tokens: PageTokenSigner) -> tuple[MemberRepository, list[Member]]:
    members = MemberRepository(clients, TenantContext.new_organisation(), tokens)
    created = [
        members.create(
            Member(
                member_id=new_member_id(),
                first_name="Sam",
                last_name=f"Admin {index}",
                email=f"sam{index}@example.test",
                role="super_admin",
                created_at=datetime.now(UTC),
            )
        )
        for index in range(SUPER_ADMINS)
    ]
    return members, created


def _active_super_admins(members: MemberRepository) -> set[str]:
    return {m.member_id for m in members.iter_all() if m.role == "super_admin" and m.status == "active"}


@pytest.mark.parametrize("change", [{"role": "admin"}, {"status": "disabled"}], ids=["demote", "disable"])
def test_every_super_admin_acting_on_the_next_at_once_leaves_one(
    clients: StorageClients, tokens: PageTokenSigner, change: dict[str, str]
) -> None:
    members, created = _organisation(clients, tokens)
    start = threading.Barrier(SUPER_ADMINS)

    def act(index: int) -> str:
        actor, target = created[index], created[(index + 1) % SUPER_ADMINS]
        start.wait()
        try:
            members.save(target.model_copy(update=change), authorised_by=actor.member_id)
        except LastSuperAdminError:
            return "last"
        except SuperAdminRequiredError:
            return "no longer a super admin"
        return "done"

    with ThreadPoolExecutor(SUPER_ADMINS) as pool:
        outcomes = list(pool.map(act, range(SUPER_ADMINS)))
    remaining = _active_super_admins(members)
    assert remaining, outcomes
    assert remaining == members.super_admin_ids()  # the roster is exactly what the member rows say
    assert outcomes.count("done") == SUPER_ADMINS - len(remaining)


def test_the_roster_row_is_not_a_member(clients: StorageClients, tokens: PageTokenSigner) -> None:
    members, created = _organisation(clients, tokens)
    rows = {
        row.row_key for row in OrgTable(clients, members.tenant, TableName.MEMBERS, tokens=tokens).query()
    }
    assert len(rows) == SUPER_ADMINS + 1  # the members and the roster beside them
    assert {m.member_id for m in members.iter_all()} == {m.member_id for m in created}
    listed, _ = members.page(page_size=SUPER_ADMINS + 1, continuation_token=None)
    assert len(listed) == SUPER_ADMINS
