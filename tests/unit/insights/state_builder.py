"""TEST-ONLY: a hand-made `TenantState` — a few named people, role holders, policies and scores — so each
check's predicate and grading rule can be tested at its boundaries without writing a snapshot."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from shared.insights.accounts import MFA_KNOWN, MFA_REGISTERED, AccountTable, ordinal
from shared.insights.models import ScorePoint
from shared.insights.state import CaPolicy, Population, RoleHolders, TenantState
from shared.insights.utilisation import PriceInfo, Utilisation
from shared.licensing import load_catalogue
from shared.snapshot import Dataset
from shared.snapshot import records as r
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR

AS_OF = date(2026, 3, 1)
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
EVERYTHING = {d.value: "complete" for d in Dataset}
HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"  # Helpdesk Administrator (privileged)
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"  # User Administrator (highly privileged, CISA)


@dataclass(frozen=True)
class Person:
    upn: str
    enabled: bool = True
    guest: bool = False
    mfa: bool = True
    licensed: bool = False
    synced: bool = False
    signed_in_days_ago: int | None = 1  # None: never
    created_days_ago: int = 400
    roles: tuple[str, ...] = ()


def people(n: int, prefix: str = "p", **facts: object) -> list[Person]:
    return [replace(Person(f"{prefix}{i}@contoso.com"), **facts) for i in range(n)]  # type: ignore[arg-type]


def global_admins(n: int, **facts: object) -> list[Person]:
    return people(n, "ga", roles=(GLOBAL_ADMINISTRATOR,), **facts)


def policy(**changes: object) -> CaPolicy:
    base = CaPolicy(
        name="Block legacy authentication",
        state="enabled",
        include_users=("All",),
        exclude_users=("break-glass",),
        include_applications=("All",),
        client_app_types=("exchangeActiveSync", "other"),
        built_in_controls=("block",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _when(days_ago: int | None) -> datetime | None:
    if days_ago is None:
        return None
    return datetime.combine(AS_OF - timedelta(days=days_ago), datetime.min.time(), UTC)


def tenant_state(
    everyone: Iterable[Person] = (),
    *,
    policies: tuple[CaPolicy, ...] = (),
    scores: tuple[ScorePoint, ...] = (),
    statuses: Mapping[str, str] = EVERYTHING,
    errors: Mapping[str, str] | None = None,
    price: PriceInfo | None = None,
    skus: Iterable[r.SubscribedSku] = (),
) -> TenantState:
    table = AccountTable(lambda department: department)
    roles = RoleHolders()
    everyone = list(everyone)
    for n, p in enumerate(everyone):
        user_id = f"00000000-0000-0000-0000-{n:012d}"
        table.add(
            r.User(
                id=user_id,
                user_principal_name=p.upn,
                account_enabled=p.enabled,
                user_type="Guest" if p.guest else "Member",
                created_date_time=_when(p.created_days_ago),
                on_premises_sync_enabled=p.synced,
                assigned_licenses=[r.AssignedLicense(sku_id=E5)] if p.licensed else [],
            )
        )
        table.signin[n] = ordinal(_when(p.signed_in_days_ago))
        table.set_flag(n, MFA_KNOWN | (MFA_REGISTERED if p.mfa else 0))
        for role in p.roles:
            roles.add(
                r.RoleAssignment(
                    id=f"{user_id}-{role}",
                    role_definition_id=role,
                    principal_id=user_id,
                    principal_type="user",
                    principal_on_premises_sync_enabled=p.synced,
                )
            )
    reference = AS_OF.toordinal()
    utilisation = Utilisation(
        table=table,
        catalogue=load_catalogue(),
        skus=list(skus),
        subscriptions=[],
        prices={E5: price} if price else {},
        threshold_days=30,
        reference=reference,
        basis="sign_in",
    )
    holders = roles.holders(table, {})
    enabled = [p for p in everyone if p.enabled]
    return TenantState(
        table=table,
        utilisation=utilisation,
        roles=roles,
        holders=holders,
        policies=policies,
        scores=scores,
        statuses=statuses,
        errors=errors or {},
        population=Population(
            enabled=len(enabled),
            enabled_members=sum(not p.guest for p in enabled),
            enabled_guests=sum(p.guest for p in enabled),
            licensed_enabled=sum(p.licensed for p in enabled),
            registration_rows=len(everyone),
            registered_rows=sum(p.mfa for p in everyone),
        ),
        reference=reference,
        currency=price.currency if price else None,
        holder_of={h.index: h for h in holders if h.index is not None},
    )
