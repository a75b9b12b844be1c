"""Sign-in and workload activity, as day offsets back from the tenant's `as_of`.

No offset is ever planted within 3 days of a threshold the insights use (7/30/60/90/180), so ground-truth
counts do not depend on inclusive vs exclusive comparisons, time of day, or whether a consumer measures
from `as_of` or from the reports' refresh date (`as_of` − 2 days).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dev.tenant.entropy import Draw, Weighted

THRESHOLDS = (7, 30, 60, 90, 180)
BAND = 3
REPORT_LAG_DAYS = 2  # reports are refreshed two days behind `as_of`


class Workload(StrEnum):
    EXCHANGE = "exchange"
    ONEDRIVE = "onedrive"
    SHAREPOINT = "sharepoint"
    TEAMS = "teams"
    YAMMER = "yammer"
    SKYPE = "skype"
    APPS = "apps"


# Usage probability per workload for someone licensed for it and otherwise active.
WORKLOAD_USE = {
    Workload.EXCHANGE: 0.95,
    Workload.ONEDRIVE: 0.75,
    Workload.SHAREPOINT: 0.7,
    Workload.TEAMS: 0.85,
    Workload.YAMMER: 0.15,
    Workload.SKYPE: 0.0,
    Workload.APPS: 0.8,
}


def clear_of_thresholds(days: int) -> int:
    for threshold in THRESHOLDS:
        if abs(days - threshold) <= BAND:
            return threshold + BAND + 1
    return days


class Profile(StrEnum):
    ACTIVE = "active"
    OCCASIONAL = "occasional"
    LAPSED_30 = "lapsed_30"
    LAPSED_60 = "lapsed_60"
    DORMANT = "dormant"
    NEVER = "never"
    FAILED_ONLY = "failed_only"  # interactive attempts fail; nothing else happens


PROFILES = Weighted(
    (
        (Profile.ACTIVE, 60.0),
        (Profile.OCCASIONAL, 13.0),
        (Profile.LAPSED_30, 7.0),
        (Profile.LAPSED_60, 5.0),
        (Profile.DORMANT, 8.0),
        (Profile.NEVER, 5.0),
        (Profile.FAILED_ONLY, 2.0),
    )
)
_RECENCY = {
    Profile.ACTIVE: (1, 3),
    Profile.OCCASIONAL: (11, 26),
    Profile.LAPSED_30: (34, 56),
    Profile.LAPSED_60: (64, 86),
    Profile.DORMANT: (94, 400),
    Profile.FAILED_ONLY: (1, 20),
}


@dataclass(frozen=True, slots=True)
class SignIn:
    """Day offsets (None: never) and seconds into that day; `null_style` renders "never" as null
    rather than the 0001-01-01 sentinel (graph_api.md §2 shows both)."""

    interactive: int | None  # lastSignInDateTime: last attempt, successful or not
    successful: int | None  # lastSuccessfulSignInDateTime
    non_interactive: int | None
    second_of_day: int
    null_style: bool


@dataclass(frozen=True, slots=True)
class Activity:
    profile: Profile
    sign_in: SignIn | None  # None: `signInActivity: null`
    workloads: dict[Workload, int]  # last activity offset per workload used (licensed ones only)
    engagement: float  # scales report counts

    def last_signin(self) -> int | None:
        """Most recent successful interactive or non-interactive sign-in (the blended rule's part)."""
        if self.sign_in is None:
            return None
        seen = [d for d in (self.sign_in.successful, self.sign_in.non_interactive) if d is not None]
        return min(seen, default=None)

    def last_workload(self) -> int | None:
        return min(self.workloads.values(), default=None)

    def last_any(self) -> int | None:
        seen = [d for d in (self.last_signin(), self.last_workload()) if d is not None]
        return min(seen, default=None)


def draw_activity(draw: Draw, licensed: frozenset[Workload]) -> Activity:
    profile = draw.weighted(PROFILES)
    engagement = 0.2 + draw.fraction() * 1.6
    if profile is Profile.NEVER:
        sign_in = None if draw.chance(0.5) else SignIn(None, None, None, 0, draw.chance(0.3))
        return Activity(profile, sign_in, {}, engagement)
    low, high = _RECENCY[profile]
    recent = clear_of_thresholds(draw.between(low, high))
    second = draw.below(86_400)
    if profile is Profile.FAILED_ONLY:
        return Activity(profile, SignIn(recent, None, None, second, draw.chance(0.5)), {}, engagement)
    successful = recent if draw.chance(0.85) else None  # else only non-interactive tokens are in use
    non_interactive = (
        clear_of_thresholds(recent + draw.below(3)) if draw.chance(0.9) or successful is None else None
    )
    interactive = successful if successful is not None else clear_of_thresholds(recent + 40 + draw.below(200))
    workloads: dict[Workload, int] = {}
    for workload, use in WORKLOAD_USE.items():
        # One draw decides both use and lag: below `use` it is used, and where in [0, use) sets the lag.
        point = draw.fraction() if workload in licensed else 1.0
        if point < use:
            lag = 0 if point < use * 0.7 else int((point / use - 0.7) * 133)
            workloads[workload] = clear_of_thresholds(max(REPORT_LAG_DAYS, recent + lag))
    return Activity(
        profile,
        SignIn(interactive, successful, non_interactive, second, draw.chance(0.3)),
        workloads,
        engagement,
    )
