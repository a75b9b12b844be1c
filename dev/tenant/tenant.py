"""A synthetic tenant: accounts generated on demand by index, plus tenant-wide facts.

Nothing here holds the account list: `account(i)` recomputes account i from (spec, i), and the ground
truth is folded in one streaming pass. Memory stays flat from 1k to 100k accounts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from dev.tenant import names
from dev.tenant.account import MFA_COMBINATIONS, Account, Mfa
from dev.tenant.activity import Activity, Workload, draw_activity, edge_activity, is_edge_account
from dev.tenant.copilot import COPILOT_PART_NUMBER, draw_copilot
from dev.tenant.entropy import Draw
from dev.tenant.groups import directory_groups, licence_paths, plant_group_members
from dev.tenant.licences import Licence, LicenceMix
from dev.tenant.policies import PlantedPolicies, planted_policies
from dev.tenant.rightsizing import plant, second_run_seats
from dev.tenant.roles import plant_roles
from dev.tenant.spec import TenantSpec
from dev.tenant.subscriptions import CompanySubscription, Seats, plant_seats
from dev.tenant.truth import GroundTruth, SeatTruth, compute_ground_truth, compute_seat_truth
from shared.licensing import Catalogue, load_catalogue

# Service plan name prefixes → the workload a usage report attributes them to.
_WORKLOAD_PLANS = (
    ("EXCHANGE_S_STANDARD", Workload.EXCHANGE),
    ("EXCHANGE_S_ENTERPRISE", Workload.EXCHANGE),
    ("EXCHANGE_S_DESKLESS", Workload.EXCHANGE),
    ("SHAREPOINTSTANDARD", Workload.SHAREPOINT),
    ("SHAREPOINTENTERPRISE", Workload.SHAREPOINT),
    ("SHAREPOINTDESKLESS", Workload.SHAREPOINT),
    ("SHAREPOINTSTANDARD", Workload.ONEDRIVE),
    ("SHAREPOINTENTERPRISE", Workload.ONEDRIVE),
    ("SHAREPOINTDESKLESS", Workload.ONEDRIVE),
    ("TEAMS1", Workload.TEAMS),
    ("YAMMER_ENTERPRISE", Workload.YAMMER),
    ("MCOSTANDARD", Workload.SKYPE),
    ("OFFICESUBSCRIPTION", Workload.APPS),
    ("OFFICE_BUSINESS", Workload.APPS),
    ("OFFICEMOBILE_SUBSCRIPTION", Workload.APPS),
)


@dataclass(frozen=True, slots=True)
class SecureScoreDay:
    day: date
    current: float
    maximum: float


class Tenant:
    def __init__(self, spec: TenantSpec, catalogue: Catalogue | None = None) -> None:
        self.spec = spec
        self.catalogue = catalogue or load_catalogue()
        self.mix = LicenceMix(self.catalogue, spec.premium, spec.copilot)
        self.copilot_sku = self.mix.sku(COPILOT_PART_NUMBER).id
        self._workload_cache: dict[tuple[str, tuple[str, ...]], frozenset[Workload]] = {}
        others = spec.other_admins if spec.other_admins is not None else max(6, spec.accounts * 3 // 1000)
        is_member = lambda i: not self._is_guest(self._draw(i))  # noqa: E731
        self.roles = plant_roles(spec.seed, spec.accounts, spec.global_admins, others, is_member)
        self.groups = directory_groups(spec.tenant_id)
        self._licensing_group = {
            self.mix.sku(g.sku_part).id: g.id for g in self.groups if g.sku_part is not None
        }
        self.role_group_members = plant_group_members(
            spec.seed, spec.accounts, tuple(g for g in self.groups if g.role_assignable), is_member
        )

    def _draw(self, index: int) -> Draw:
        return Draw(self.spec.seed, "account", index)

    def _is_guest(self, draw: Draw) -> bool:
        # Always the first value drawn, so role planting can ask without building the account.
        return draw.chance(self.spec.guest_ratio)

    def workloads_of(self, licences: tuple[Licence, ...]) -> frozenset[Workload]:
        found: set[Workload] = set()
        for licence in licences:
            cached = self._workload_cache.get(licence.plans_key)
            if cached is None:
                disabled = set(licence.disabled_plans)
                plans = {
                    p.name for p in self.catalogue.sku(licence.sku_id).service_plans if p.id not in disabled
                }
                cached = frozenset(w for prefix, w in _WORKLOAD_PLANS if prefix in plans)
                self._workload_cache[licence.plans_key] = cached
            found |= cached
        return frozenset(found)

    def account(self, index: int) -> Account:
        if not 0 <= index < self.spec.accounts:
            raise IndexError(index)
        draw = self._draw(index)
        guest = self._is_guest(draw)
        account_id = draw.guid()
        given, surname = draw.pick(names.GIVEN_NAMES), draw.pick(names.SURNAMES)
        local = f"{given}.{surname}{index}".lower()
        roles = self.roles.get(index, ())
        if guest:
            home = draw.pick(names.GUEST_DOMAINS)
            mail = f"{local}@{home}"
            upn = f"{local}_{home}#EXT#@{self.spec.domain}"
            licences = self.mix.draw_guest(draw)
        else:
            mail = upn = f"{local}@{self.spec.domain}"
            licences = licence_paths(self.spec.seed, index, self.mix.draw_member(draw), self._licensing_group)
        workloads = self.workloads_of(licences)
        enabled = bool(roles) or draw.chance(0.97 if guest else 0.94)
        mfa_chance = 0.85 if roles else (0.3 if guest else 0.7)
        methods = draw.weighted(MFA_COMBINATIONS) if draw.chance(mfa_chance) else ()
        account = Account(
            index=index,
            id=account_id,
            guest=guest,
            upn=upn,
            mail=mail,
            given_name=given,
            surname=surname,
            department=None if guest or draw.chance(0.05) else draw.weighted(names.DEPARTMENTS),
            job_title=None if guest else draw.pick(names.JOB_TITLES),
            office_location=None if guest else draw.pick(names.OFFICES),
            mobile_phone=None if guest or draw.chance(0.4) else f"+44 7700 9{index % 100000:05d}",
            preferred_language=None if draw.chance(0.3) else draw.pick(names.LANGUAGES),
            created=self.spec.as_of - timedelta(days=draw.between(20, 2500)),
            enabled=enabled,
            synced=not guest and draw.chance(self.spec.synced_ratio),
            licences=licences,
            workloads=workloads,
            activity=self._edges(index, draw_activity(draw, workloads)),
            mfa=Mfa(
                methods=methods,
                sspr_registered=bool(methods) and draw.chance(0.8),
                preferred=methods[0] if methods and draw.chance(0.9) else ("" if methods else "none"),
            ),
            roles=roles,
            role_groups=self.role_group_members.get(index, ()),
        )
        account = plant(self, account)  # right-sizing plants and second-run changes (off by default)
        if not any(lic.sku_id == self.copilot_sku for lic in licences):
            return account
        # Its own draw stream, after everything else: Copilot leaves every other planted fact as it was.
        return replace(account, copilot=draw_copilot(self.spec.seed, index, enabled, account.activity))

    def _edges(self, index: int, activity: Activity) -> Activity:
        """An edge account's activity moved onto the windows' edges (its own draw stream)."""
        if not is_edge_account(index):
            return activity
        return edge_activity(Draw(self.spec.seed, "edge", index), activity)

    def accounts(self, start: int = 0, stop: int | None = None) -> Iterator[Account]:
        for index in range(start, min(stop if stop is not None else self.spec.accounts, self.spec.accounts)):
            yield self.account(index)

    @property
    def policies(self) -> PlantedPolicies:
        """The tenant-wide policies it is planted with (authorization, consent, authentication methods)."""
        return planted_policies(self.spec.hardened_policies, self.spec.sign_in_risk_blocked)

    @cached_property
    def ground_truth(self) -> GroundTruth:
        return compute_ground_truth(self)

    @cached_property
    def seats(self) -> tuple[Seats, ...]:
        """Every subscribedSku with its subscriptions, in every lifecycle status (`plant_seats`)."""
        if self.spec.second_run:
            return second_run_seats(self.first_run.seats, self.ground_truth.sku_consumed, self)
        return plant_seats(self.spec, self.catalogue, self.ground_truth.sku_consumed)

    @cached_property
    def first_run(self) -> Tenant:
        """For a second run: the same tenant as the run before saw it (its seats are the ones renewed)."""
        return Tenant(self.spec.model_copy(update={"second_run": False}), self.catalogue)

    @cached_property
    def subscriptions(self) -> tuple[CompanySubscription, ...]:
        """`/directory/subscriptions`: every SKU's subscriptions, Deleted ones included."""
        return tuple(sub for seats in self.seats for sub in seats.subscriptions)

    @cached_property
    def seat_truth(self) -> SeatTruth:
        return compute_seat_truth(self.seats, self.ground_truth, self.spec.as_of)

    @cached_property
    def secure_scores(self) -> tuple[SecureScoreDay, ...]:
        """90 days, latest first, as `/security/secureScores` returns them (graph_api.md §5)."""
        maximum = 220.0 if self.spec.premium else 150.0
        days = []
        for back in range(90):
            draw = Draw(self.spec.seed, "securescore", back)
            current = round(maximum * (0.55 - back * 0.002) + draw.fraction() * 3, 2)
            days.append(SecureScoreDay(self.spec.as_of - timedelta(days=back), current, maximum))
        return tuple(days)
