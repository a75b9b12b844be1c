"""Compact per-account state for the joins (users × sign-ins × registration × roles × usage reports).

One slot per account in parallel arrays: dates as proleptic ordinals (0 = never/unknown), flags in one
byte, department and licence set as small integer codes into interned tables. At 100k accounts this is
tens of megabytes, against hundreds for a list of record objects.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
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
ERROR_STATE = "error"  # licenseAssignmentState.state: the assignment failed, nothing is held through it


@dataclass(frozen=True, slots=True)
class LicencePath:
    """How one licence reached an account (learn.microsoft.com/graph/api/resources/licenseassignmentstate):
    assigned directly, inherited from groups (their ids), or both."""

    direct: bool
    groups: tuple[str, ...]


DIRECT = LicencePath(direct=True, groups=())


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
        self.ids: list[str] = []  # directory object ids (lower case), which a rename keeps
        self.upn: list[str] = []
        self.name: list[str | None] = []
        self.flags = bytearray()
        self.created = array("i")
        self.group = array("i")  # group code, -1 none
        self.combo = array("i")  # licence combination code, -1 unlicensed
        self.signin = array("i")  # lastSuccessfulSignInDateTime: successful, interactive or not
        # Days the sign-in activity is older than as_of: 0, or more when a run kept an earlier run's copy
        # (Graph's shared quota did not let it read today's). Windows count back from the copy's own date.
        self.signin_lag = 0
        self.workload = array("i")  # newest workload activity date in any usage report
        # The same activity moved onto the snapshot's clock: a report's date plus its lag behind as_of, so
        # "within N days" counts back from each report's own refresh date.
        self.workload_clock = array("i")
        self.groups: list[str] = []
        self._group_codes: dict[str, int] = {}
        self.combinations: list[Combination] = []
        self._combination_codes: dict[Combination, int] = {}
        # Only accounts holding a licence through a group: index → sku id → its path (else: direct).
        self.paths: dict[int, dict[str, LicencePath]] = {}

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
        self.ids.append(key)
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
        inherited = self._inherited(user)
        if inherited:
            self.paths[index] = inherited
        self.signin.append(NEVER)
        self.workload.append(NEVER)
        self.workload_clock.append(NEVER)

    @staticmethod
    def _inherited(user: User) -> dict[str, LicencePath]:
        """Paths of the held licences that come through a group (a failed assignment holds nothing)."""
        held = {lic.sku_id.lower() for lic in user.assigned_licenses}
        direct: set[str] = set()
        groups: dict[str, list[str]] = {}
        for state in user.license_assignment_states:
            sku = state.sku_id.lower()
            if sku not in held or (state.state or "").lower() == ERROR_STATE:
                continue
            if state.assigned_by_group:
                groups.setdefault(sku, []).append(state.assigned_by_group.lower())
            else:
                direct.add(sku)
        return {sku: LicencePath(sku in direct, tuple(sorted(ids))) for sku, ids in groups.items()}

    def path(self, index: int, sku_id: str) -> LicencePath:
        return self.paths.get(index, {}).get(sku_id, DIRECT)

    def licensing_groups(self) -> set[str]:
        return {g for paths in self.paths.values() for path in paths.values() for g in path.groups}

    def licences(self, index: int) -> Combination:
        code = self.combo[index]
        return self.combinations[code] if code >= 0 else ()

    def last_activity(self, index: int) -> int:
        """Blended, as dated by its sources: the newer of the sign-in and any report activity (0: neither)."""
        return max(self.signin[index], self.workload[index])

    def signin_clock(self, index: int) -> int:
        """The last sign-in moved onto the snapshot's clock (shifted by `signin_lag`); 0: never."""
        return self.signin[index] + self.signin_lag if self.signin[index] else NEVER

    def activity_clock(self, index: int) -> int:
        """Blended, for windows: sign-ins and report activity, each shifted by its own data's lag."""
        return max(self.signin_clock(index), self.workload_clock[index])

    def is_(self, index: int, flag: int) -> bool:
        return bool(self.flags[index] & flag)

    def set_flag(self, index: int, flag: int) -> None:
        self.flags[index] |= flag

    def note_workload(self, index: int, day: int, lag: int) -> None:
        """A report's last activity `day` (ordinal); `lag` = days from the report's refresh date to as_of."""
        if day:
            self.workload[index] = max(self.workload[index], day)
            self.workload_clock[index] = max(self.workload_clock[index], day + lag)
