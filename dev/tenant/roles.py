"""Directory roles: well-known role template ids and where admins are planted.

Admin indices are chosen once per tenant (a small map, O(admins)), so account i stays a pure function
of (spec, i) while the Global Administrator count is exactly what the spec asks for.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from shared.snapshot.roles import GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLES

GLOBAL_ADMIN = GLOBAL_ADMINISTRATOR
OTHER_ROLES = tuple(role for role in PRIVILEGED_ROLES if role != GLOBAL_ADMIN)


def plant_roles(
    seed: int, accounts: int, global_admins: int, other_admins: int, is_member: Callable[[int], bool]
) -> dict[int, tuple[str, ...]]:
    """Index → role ids. A few Global Administrators also hold a second role, as real tenants do."""
    rng = random.Random(f"roles:{seed}")
    wanted = global_admins + other_admins
    chosen: list[int] = []
    seen: set[int] = set()
    # Sample members without scanning the tenant; a bounded number of tries keeps tiny tenants safe.
    for _ in range(wanted * 50 + 100):
        if len(chosen) == wanted:
            break
        index = rng.randrange(accounts)
        if index not in seen and is_member(index):
            seen.add(index)
            chosen.append(index)
    roles: dict[int, tuple[str, ...]] = {}
    for position, index in enumerate(chosen):
        if position < global_admins:
            roles[index] = (GLOBAL_ADMIN, rng.choice(OTHER_ROLES)) if rng.random() < 0.2 else (GLOBAL_ADMIN,)
        else:
            roles[index] = (OTHER_ROLES[position % len(OTHER_ROLES)],)
    return roles
