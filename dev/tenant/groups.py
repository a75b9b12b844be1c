"""Directory groups: licensing groups (group-based licensing), role-assignable groups holding directory roles,
and a few ordinary groups.

A licence inherited from a group appears in the member's `assignedLicenses` like a direct one; only
`licenseAssignmentStates[].assignedByGroup` tells them apart
(learn.microsoft.com/graph/api/resources/licenseassignmentstate). A role assigned to a role-assignable
group (`isAssignableToRole`) is held by every member of the group
(learn.microsoft.com/entra/identity/role-based-access-control/groups-concept); such groups cannot contain
other groups, so their members are users.

Members and licence paths are drawn from their own streams ("licence-path", "role-groups"), so adding
them left every other fact of an account unchanged.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from dev.tenant.entropy import Draw
from dev.tenant.licences import Licence

SECURITY_READER = "5d6b6bb7-de71-4623-b4af-96380a352509"
SECURITY_OPERATOR = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
REPORTS_READER = "4a5d8f65-41da-4de4-8968-e035b65339cf"  # not privileged: never collected
GROUP_ONLY = 0.45  # chance a licence a licensing group covers is inherited from it only
BOTH_PATHS = 0.05  # chance it is inherited and also assigned directly


@dataclass(frozen=True, slots=True)
class DirectoryGroup:
    id: str
    display_name: str
    role_assignable: bool = False
    roles: tuple[str, ...] = ()  # role template ids assigned to the group
    sku_part: str | None = None  # the SKU the group licenses its members with
    members: int = 0  # how many members a role-assignable group gets


# name, role-assignable, roles, licensed SKU part number, members
GROUP_SPECS: tuple[tuple[str, bool, tuple[str, ...], str | None, int], ...] = (
    ("Licensing - Microsoft 365 E3", False, (), "SPE_E3", 0),
    ("Licensing - Microsoft 365 E5", False, (), "SPE_E5", 0),
    ("Licensing - Office 365 E3", False, (), "ENTERPRISEPACK", 0),
    ("Licensing - Power BI Pro", False, (), "POWER_BI_PRO", 0),
    ("Helpdesk team", True, (HELPDESK_ADMINISTRATOR,), None, 4),
    ("Security operations", True, (SECURITY_READER, SECURITY_OPERATOR), None, 3),
    ("Report readers", True, (REPORTS_READER,), None, 3),
    ("All staff", False, (), None, 0),
)


def directory_groups(tenant_id: str) -> tuple[DirectoryGroup, ...]:
    return tuple(
        DirectoryGroup(
            id=str(uuid.uuid5(uuid.UUID(tenant_id), name)),
            display_name=name,
            role_assignable=assignable,
            roles=roles,
            sku_part=part,
            members=members,
        )
        for name, assignable, roles, part, members in GROUP_SPECS
    )


def licence_paths(
    seed: int, index: int, licences: tuple[Licence, ...], group_of_sku: dict[str, str]
) -> tuple[Licence, ...]:
    """The licences with how each reached the account: direct, inherited from its licensing group, or both."""
    draw = Draw(seed, "licence-path", index)
    placed = []
    for licence in licences:
        group = group_of_sku.get(licence.sku_id)
        point = draw.fraction()
        if group is None or point >= GROUP_ONLY + BOTH_PATHS:
            placed.append(licence)
        else:
            placed.append(
                Licence(
                    licence.sku_id, licence.disabled_plans, via_groups=(group,), direct=point < BOTH_PATHS
                )
            )
    return tuple(placed)


def plant_group_members(
    seed: int, accounts: int, groups: tuple[DirectoryGroup, ...], is_member: Callable[[int], bool]
) -> dict[int, tuple[DirectoryGroup, ...]]:
    """Index → the role-assignable groups the account belongs to (members only, no guests)."""
    rng = random.Random(f"role-groups:{seed}")
    found: dict[int, list[DirectoryGroup]] = {}
    for group in groups:
        chosen: set[int] = set()
        for _ in range(group.members * 50 + 100):
            if len(chosen) == min(group.members, accounts):
                break
            index = rng.randrange(accounts)
            if is_member(index):
                chosen.add(index)
        for index in chosen:
            found.setdefault(index, []).append(group)
    return {index: tuple(held) for index, held in found.items()}
