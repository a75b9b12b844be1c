"""Directory roles: well-known role template ids and where admins are planted.

Admin indices are chosen once per tenant (a small map, O(admins)), so account i stays a pure function
of (spec, i) while the Global Administrator count is exactly what the spec asks for.
"""

from __future__ import annotations

import random
from collections.abc import Callable

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
# ScubaGear's highly privileged roles (product_anchors.md (b)) plus two common lower ones.
ROLE_NAMES = {
    GLOBAL_ADMIN: "Global Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}
OTHER_ROLES = tuple(role for role in ROLE_NAMES if role != GLOBAL_ADMIN)


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
