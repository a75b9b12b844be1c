"""Sign-in and workload activity, as day offsets back from the tenant's `as_of`.

Drawn offsets stay more than 3 days away from every threshold the insights use (7/30/60/90/180), so most
counts do not hinge on edges. The edges are then tested on purpose: one account in `EDGE_EVERY` is an
*edge account* (`edge_activity`) whose last successful sign-in lies exactly on, or one day past, a
window's edge counted from `as_of` (the snapshot), and whose workload activity lies exactly on, or one day
past, a window's edge counted from the reports' refresh date (`as_of` − `REPORT_LAG_DAYS`). "Within N days"
includes day N; the ground truth counts report activity on the refresh date's clock like the insights do.
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

    interactive: int | None  # lastSignInDateTime: last interactive attempt, successful or not
    successful: int | None  # lastSuccessfulSignInDateTime: last success, interactive or non-interactive
    non_interactive: int | None  # lastNonInteractiveSignInDateTime: last attempt, successful or not
    second_of_day: int
    null_style: bool


@dataclass(frozen=True, slots=True)
class Activity:
    profile: Profile
    sign_in: SignIn | None  # None: `signInActivity: null`
    workloads: dict[Workload, int]  # last activity offset per workload used (licensed ones only)
    engagement: float  # scales report counts

    def last_signin(self) -> int | None:
        """lastSuccessfulSignInDateTime: the newest successful sign-in, interactive or not."""
        return None if self.sign_in is None else self.sign_in.successful

    def last_workload(self) -> int | None:
        return min(self.workloads.values(), default=None)

    def workload_age(self, workload: Workload) -> int | None:
        """Days from the report's refresh date to the workload's last activity (windows count from it)."""
        days = self.workloads.get(workload)
        return None if days is None else days - REPORT_LAG_DAYS

    def last_workload_age(self) -> int | None:
        last = self.last_workload()
        return None if last is None else last - REPORT_LAG_DAYS

    def last_any(self) -> int | None:
        """Blended age for windows: a sign-in's from as_of, report activity's from its refresh date."""
        seen = [d for d in (self.last_signin(), self.last_workload_age()) if d is not None]
        return min(seen, default=None)


EDGE_EVERY = 37  # one account in 37 is an edge account
EDGES = (7, 30, 60, 90)


def is_edge_account(index: int) -> bool:
    return index % EDGE_EVERY == 5


def edge_activity(draw: Draw, activity: Activity) -> Activity:
    """`activity` moved onto window edges: the successful sign-in exactly N days before as_of (or N + 1),
    each workload used exactly N days before the reports' refresh date (or N + 1), N from `EDGES`."""
    if activity.profile in (Profile.NEVER, Profile.FAILED_ONLY):
        return activity
    signin = draw.pick(EDGES) + (1 if draw.chance(0.5) else 0)
    workload = draw.pick(EDGES) + (1 if draw.chance(0.5) else 0) + REPORT_LAG_DAYS
    old = activity.sign_in
    second = old.second_of_day if old is not None else 0
    null_style = old.null_style if old is not None else False
    return Activity(
        activity.profile,
        SignIn(signin, signin, None, second, null_style),
        dict.fromkeys(activity.workloads, workload),
        activity.engagement,
    )


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
    interactive_ok = recent if draw.chance(0.85) else None  # else only non-interactive tokens are in use
    non_interactive = (
        clear_of_thresholds(recent + draw.below(3)) if draw.chance(0.9) or interactive_ok is None else None
    )
    interactive = (
        interactive_ok if interactive_ok is not None else clear_of_thresholds(recent + 40 + draw.below(200))
    )
    workloads: dict[Workload, int] = {}
    for workload, use in WORKLOAD_USE.items():
        # One draw decides both use and lag: below `use` it is used, and where in [0, use) sets the lag.
        point = draw.fraction() if workload in licensed else 1.0
        if point < use:
            lag = 0 if point < use * 0.7 else int((point / use - 0.7) * 133)
            workloads[workload] = clear_of_thresholds(max(REPORT_LAG_DAYS, recent + lag))
    null_style = draw.chance(0.3)
    # lastSuccessfulSignInDateTime covers successful interactive *and* non-interactive sign-ins; the
    # non-interactive date is the last attempt, successful or not (a client retrying a revoked token).
    non_interactive_ok = non_interactive is not None and draw.chance(
        0.95 if interactive_ok is not None else 0.5
    )
    successes = [
        d for d in (interactive_ok, non_interactive if non_interactive_ok else None) if d is not None
    ]
    successful = min(successes, default=None)
    return Activity(
        profile, SignIn(interactive, successful, non_interactive, second, null_style), workloads, engagement
    )
