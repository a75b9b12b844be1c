"""Microsoft 365 Copilot use, planted for every Copilot licence holder (its own draw stream per account).

Each holder gets one pattern: never used it, a heavy user (every surface in the last few days), a user of one
surface only, an occasional user (two or three surfaces a few weeks ago) or a lapsed one (last use one to
three months ago). Ages are days before the Copilot report's refresh date and stay more than 3 days away
from the windows the insights use (7, 28, 30, 90 and 180 days), so every count is exact. Someone who never
signs in or never succeeds never uses Copilot, and nobody uses it more recently than they were last active.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dev.tenant.activity import BAND, REPORT_LAG_DAYS, Activity, Profile
from dev.tenant.entropy import Draw, Weighted
from shared.snapshot.records import COPILOT_SURFACES

SURFACES = tuple(key for key, _ in COPILOT_SURFACES)
COPILOT_PART_NUMBER = "Microsoft_365_Copilot"
WINDOWS = (7, 28, 30, 90, 180)


class CopilotUse(StrEnum):
    NEVER = "never"
    HEAVY = "heavy"
    ONE_SURFACE = "one_surface"
    OCCASIONAL = "occasional"
    LAPSED = "lapsed"


USES = Weighted(
    (
        (CopilotUse.NEVER, 20.0),
        (CopilotUse.HEAVY, 25.0),
        (CopilotUse.ONE_SURFACE, 20.0),
        (CopilotUse.OCCASIONAL, 20.0),
        (CopilotUse.LAPSED, 15.0),
    )
)
_AGES = {
    CopilotUse.HEAVY: (0, 2),
    CopilotUse.ONE_SURFACE: (0, 3),
    CopilotUse.OCCASIONAL: (11, 22),
    CopilotUse.LAPSED: (36, 85),
}


def clear_of_windows(age: int) -> int:
    """`age` moved past any window edge it lies within 3 days of."""
    for window in WINDOWS:
        if abs(age - window) <= BAND:
            return clear_of_windows(window + BAND + 1)
    return age


@dataclass(frozen=True, slots=True)
class CopilotActivity:
    use: CopilotUse
    ages: dict[str, int]  # surface → days from the report's refresh date to its last use

    @property
    def last_age(self) -> int | None:
        """Days since the newest use on any surface (None: never used)."""
        return min(self.ages.values(), default=None)

    def offset(self, surface: str) -> int | None:
        """Days before the tenant's as_of (what `Clock.day` takes)."""
        age = self.ages.get(surface)
        return None if age is None else age + REPORT_LAG_DAYS


def draw_copilot(seed: int, index: int, enabled: bool, activity: Activity) -> CopilotActivity:
    draw = Draw(seed, "copilot", index)
    use = draw.weighted(USES)
    last_active = activity.last_any()
    if not enabled or activity.profile in (Profile.NEVER, Profile.FAILED_ONLY) or last_active is None:
        return CopilotActivity(CopilotUse.NEVER, {})
    if use is CopilotUse.NEVER:
        return CopilotActivity(use, {})
    if use is CopilotUse.HEAVY:
        surfaces = SURFACES
    elif use is CopilotUse.ONE_SURFACE:
        surfaces = (draw.pick(SURFACES),)
    else:
        surfaces = tuple(s for s in SURFACES if draw.chance(0.35)) or (draw.pick(SURFACES),)
    low, high = _AGES[use]
    ages = {s: clear_of_windows(max(draw.between(low, high), last_active)) for s in surfaces}
    # What the pattern promises must still hold once nobody uses Copilot after they were last active.
    newest = min(ages.values())
    if use in (CopilotUse.HEAVY, CopilotUse.ONE_SURFACE) and newest > 7:
        use = CopilotUse.OCCASIONAL if newest <= 28 else CopilotUse.LAPSED
    elif use is CopilotUse.OCCASIONAL and newest > 28:
        use = CopilotUse.LAPSED
    return CopilotActivity(use, ages)
