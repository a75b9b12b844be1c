"""One synthetic M365 account: a pure function of (tenant spec, index)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from dev.tenant.activity import Activity, Workload
from dev.tenant.copilot import CopilotActivity
from dev.tenant.entropy import Weighted
from dev.tenant.groups import DirectoryGroup
from dev.tenant.licences import Licence
from shared.snapshot.roles import PRIVILEGED_ROLES

# Registered method sets seen in practice; "email" alone is not an MFA method, so it never stands alone.
MFA_COMBINATIONS = Weighted(
    (
        (("microsoftAuthenticatorPush",), 30.0),
        (("microsoftAuthenticatorPush", "softwareOneTimePasscode", "mobilePhone"), 20.0),
        (("mobilePhone",), 15.0),
        (("mobilePhone", "email"), 10.0),
        (("softwareOneTimePasscode",), 8.0),
        (("microsoftAuthenticatorPush", "fido2"), 7.0),
        (("fido2",), 3.0),
        (("microsoftAuthenticatorPush", "mobilePhone", "email"), 7.0),
    )
)


@dataclass(frozen=True, slots=True)
class Mfa:
    """userRegistrationDetails facts (graph_api.md §4)."""

    methods: tuple[str, ...]
    sspr_registered: bool
    preferred: str  # userPreferredMethodForSecondaryAuthentication; "" is a real value

    @property
    def registered(self) -> bool:
        return any(m != "email" for m in self.methods)

    @property
    def passwordless(self) -> bool:
        return "fido2" in self.methods or "microsoftAuthenticatorPush" in self.methods


@dataclass(frozen=True, slots=True)
class Account:
    index: int
    id: str
    guest: bool
    upn: str
    mail: str
    given_name: str
    surname: str
    department: str | None
    job_title: str | None
    office_location: str | None
    mobile_phone: str | None
    preferred_language: str | None
    created: date
    enabled: bool
    synced: bool  # onPremisesSyncEnabled / onPremisesImmutableId set
    licences: tuple[Licence, ...]
    workloads: frozenset[Workload]  # licensed workloads after disabledPlans
    activity: Activity
    mfa: Mfa
    roles: tuple[str, ...]  # role definition ids assigned to the account itself
    role_groups: tuple[DirectoryGroup, ...] = ()  # role-assignable groups it belongs to
    copilot: CopilotActivity | None = None  # set for a Microsoft 365 Copilot licence holder

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.surname}"

    @property
    def licensed(self) -> bool:
        return bool(self.licences)

    @property
    def group_roles(self) -> tuple[tuple[str, DirectoryGroup], ...]:
        """(role id, group) for every role held through a role-assignable group."""
        return tuple((role, group) for group in self.role_groups for role in group.roles)

    def held_roles(self, collected: Collection[str]) -> set[str]:
        """Role ids among `collected` held directly or through a group."""
        return {role for role in self.roles if role in collected} | {
            role for role, _ in self.group_roles if role in collected
        }

    @property
    def admin(self) -> bool:
        return bool(self.held_roles(PRIVILEGED_ROLES))
