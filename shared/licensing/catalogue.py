"""Microsoft's SKU / service-plan catalogue, vendored as `catalogue.json.gz`.

Regenerate with `python -m dev.build_catalogue <csv>` (the source table and its quirks: see that module).
`sku_id` is Graph's `skuId` (`/subscribedSkus`, `assignedLicenses`), `string_id` its `skuPartNumber`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, TypeAdapter

from shared.licensing.rules import counts_for_redundancy, included_plans

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json.gz")


class ServicePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    friendly_name: str


class Sku(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    string_id: str
    display_name: str
    service_plans: tuple[ServicePlan, ...]

    def plan_ids(self) -> frozenset[str]:
        return frozenset(plan.id for plan in self.service_plans)

    def billable_plan_ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.service_plans if counts_for_redundancy(p.name))


class Catalogue:
    """Lookups by SKU id (case-insensitive GUID) and by skuPartNumber (`String_Id`)."""

    def __init__(self, skus: Iterable[Sku]) -> None:
        self._by_id = {sku.id: sku for sku in skus}
        # Plan sets are asked for once per account and SKU pair; build them once.
        self._plans = {sku.id: sku.plan_ids() for sku in self._by_id.values()}
        self._billable = {sku.id: sku.billable_plan_ids() for sku in self._by_id.values()}
        # Plan id → ids of the lower tiers it includes (`rules.PLAN_TIERS`), for plans that have any.
        ids_by_name: dict[str, set[str]] = {}
        for sku in self._by_id.values():
            for plan in sku.service_plans:
                ids_by_name.setdefault(plan.name.upper(), set()).add(plan.id)
        self._includes = {
            plan_id: frozenset(i for lower in included for i in ids_by_name.get(lower, ()))
            for name, plan_ids in ids_by_name.items()
            if (included := included_plans(name))
            for plan_id in plan_ids
        }
        self._by_part: dict[str, Sku] = {}
        for sku in self._by_id.values():
            # A few part numbers map to two GUIDs in Microsoft's table; keep the first (sorted by id).
            self._by_part.setdefault(sku.string_id.upper(), sku)

    def __len__(self) -> int:
        return len(self._by_id)

    def skus(self) -> list[Sku]:
        return list(self._by_id.values())

    def by_id(self, sku_id: str) -> Sku | None:
        return self._by_id.get(sku_id.lower())

    def by_part_number(self, part_number: str) -> Sku | None:
        return self._by_part.get(part_number.upper())

    def sku(self, sku_id: str) -> Sku:
        """Like `by_id`, for ids the caller knows are present; raises KeyError otherwise."""
        found = self.by_id(sku_id)
        if found is None:
            raise KeyError(sku_id)
        return found

    def redundant(
        self, holder: str, holder_disabled: Iterable[str], other: str, other_disabled: Iterable[str]
    ) -> bool:
        """True when `other` adds nothing to `holder` for one account: other's enabled plans that count
        (`rules.counts_for_redundancy`) are a subset of holder's enabled plans and the lower tiers those
        include (`rules.PLAN_TIERS`), each after removing its licence's `disabledPlans`. Unknown SKUs are
        never redundant."""
        a, b = holder.lower(), other.lower()
        if a == b or a not in self._plans or b not in self._plans:
            return False
        held = self._plans[a].difference(p.lower() for p in holder_disabled)
        held = held.union(*(self._includes[p] for p in held if p in self._includes))
        wanted = self._billable[b].difference(p.lower() for p in other_disabled)
        return bool(wanted) and wanted <= held


# The file's compact shape, written by dev/build_catalogue.py.
_RawCatalogue = TypeAdapter(dict[str, tuple[str, str, list[tuple[str, str, str]]]])


def _parse(payload: bytes) -> Catalogue:
    raw = _RawCatalogue.validate_python(json.loads(payload)["skus"])
    return Catalogue(
        Sku(
            id=sku_id,
            string_id=string_id,
            display_name=display_name,
            service_plans=tuple(ServicePlan(id=p[0], name=p[1], friendly_name=p[2]) for p in plans),
        )
        for sku_id, (string_id, display_name, plans) in raw.items()
    )


@cache
def load_catalogue() -> Catalogue:
    """The vendored catalogue, parsed once per process."""
    return _parse(gzip.decompress(CATALOGUE_FILE.read_bytes()))
