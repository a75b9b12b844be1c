"""Compact per-account state for the joins (users × sign-ins × registration × roles × usage reports).

One slot per account in parallel arrays: dates as proleptic ordinals (0 = never/unknown), flags in one
byte, department and licence set as small integer codes into interned tables. At 100k accounts this is
tens of megabytes, against hundreds for a list of record objects.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from datetime import date, datetime

from shared.snapshot.records import User

ENABLED = 1
GUEST = 2
SYNCED = 4
MFA_REGISTERED = 8
MFA_KNOWN = 16  # a registration-details row was seen for the account
ADMIN = 32
GLOBAL_ADMIN = 64

NEVER = 0

# A licence as held by one account: (sku id, disabled plan ids), lower-case and sorted for interning.
Licence = tuple[str, tuple[str, ...]]
Combination = tuple[Licence, ...]


def ordinal(value: date | datetime | None) -> int:
    if value is None:
        return NEVER
    return (value.date() if isinstance(value, datetime) else value).toordinal()


def iso(day: int) -> str | None:
    return date.fromordinal(day).isoformat() if day else None


class AccountTable:
    def __init__(self, group_of: Callable[[str | None], str | None]) -> None:
        self._group_of = group_of
        self.by_id: dict[str, int] = {}
        self.by_upn: dict[str, int] = {}
        self.upn: list[str] = []
        self.name: list[str | None] = []
        self.flags = bytearray()
        self.created = array("i")
        self.group = array("i")  # group code, -1 none
        self.combo = array("i")  # licence combination code, -1 unlicensed
        self.signin = array("i")  # newest successful interactive or non-interactive sign-in
        self.workload = array("i")  # newest workload activity date in any usage report
        self.groups: list[str] = []
        self._group_codes: dict[str, int] = {}
        self.combinations: list[Combination] = []
        self._combination_codes: dict[Combination, int] = {}

    def __len__(self) -> int:
        return len(self.flags)

    def group_code(self, name: str) -> int:
        code = self._group_codes.get(name)
        if code is None:
            code = self._group_codes[name] = len(self.groups)
            self.groups.append(name)
        return code

    def _combination(self, user: User) -> int:
        if not user.assigned_licenses:
            return -1
        held: Combination = tuple(
            sorted(
                (lic.sku_id.lower(), tuple(sorted(p.lower() for p in lic.disabled_plans)))
                for lic in user.assigned_licenses
            )
        )
        code = self._combination_codes.get(held)
        if code is None:
            code = self._combination_codes[held] = len(self.combinations)
            self.combinations.append(held)
        return code

    def add(self, user: User) -> None:
        key = user.id.lower()
        if key in self.by_id:
            return  # a repeated row (a resumed page): the first one wins
        index = len(self.flags)
        self.by_id[key] = index
        self.by_upn[user.user_principal_name.lower()] = index
        self.upn.append(user.user_principal_name)
        self.name.append(user.display_name)
        flags = ENABLED if user.account_enabled is not False else 0
        if (user.user_type or "").lower() == "guest" or "#ext#" in user.user_principal_name.lower():
            flags |= GUEST
        if user.on_premises_sync_enabled:
            flags |= SYNCED
        self.flags.append(flags)
        self.created.append(ordinal(user.created_date_time))
        group = self._group_of(user.department)
        self.group.append(self.group_code(group) if group else -1)
        self.combo.append(self._combination(user))
        self.signin.append(NEVER)
        self.workload.append(NEVER)

    def licences(self, index: int) -> Combination:
        code = self.combo[index]
        return self.combinations[code] if code >= 0 else ()

    def last_activity(self, index: int) -> int:
        """Blended: the newer of the sign-in and the usage-report activity (0 when neither)."""
        return max(self.signin[index], self.workload[index])

    def is_(self, index: int, flag: int) -> bool:
        return bool(self.flags[index] & flag)

    def set_flag(self, index: int, flag: int) -> None:
        self.flags[index] |= flag

    def note_workload(self, index: int, day: int) -> None:
        self.workload[index] = max(self.workload[index], day)
