"""The licence mix: which SKUs an account holds, with real SKU ids from the vendored catalogue.

Overlaps are planted on purpose (E5 + Power BI Pro, E5 + Teams Phone, M365 E3 + O365 E3 or Entra ID
P1), and some are defused by `disabledPlans` (E5 with Power BI switched off + Power BI Pro), so the
generic redundancy rule has both positives and traps to find.
"""

from __future__ import annotations

from dataclasses import dataclass

from dev.tenant.entropy import Draw, Weighted
from shared.licensing import Catalogue, Sku

# Suites by part number with weights; a premium tenant includes Entra ID P1 somewhere in its mix.
PREMIUM_SUITES = Weighted(
    (
        ("SPE_E3", 30.0),
        ("SPE_E5", 10.0),
        ("ENTERPRISEPACK", 15.0),
        ("ENTERPRISEPREMIUM", 5.0),
        ("SPB", 8.0),
        ("O365_BUSINESS_PREMIUM", 7.0),
        ("O365_BUSINESS_ESSENTIALS", 5.0),
        ("SPE_F1", 12.0),
        ("", 8.0),
    )
)
BASIC_SUITES = Weighted(
    (
        ("ENTERPRISEPACK", 35.0),
        ("STANDARDPACK", 20.0),
        ("O365_BUSINESS_PREMIUM", 20.0),
        ("O365_BUSINESS_ESSENTIALS", 15.0),
        ("", 10.0),
    )
)
GUEST_SKUS = Weighted((("O365_BUSINESS_ESSENTIALS", 2.0), ("STANDARDPACK", 1.0), ("POWER_BI_PRO", 1.0)))
E5_SUITES = frozenset({"SPE_E5", "ENTERPRISEPREMIUM"})
# Add-ons: (part number, chance for suite holders, premium tenants only).
ADD_ONS = (
    ("VISIOCLIENT", 0.04, False),
    ("PROJECTPROFESSIONAL", 0.03, False),
    ("Microsoft_365_Copilot", 0.05, False),
    ("POWER_BI_STANDARD", 0.15, False),
    ("AAD_PREMIUM", 0.03, True),
)
# Plans an admin may switch off for a whole suite; Teams off removes the user from the Teams report.
OPTIONAL_PLANS = ("YAMMER_ENTERPRISE", "SWAY", "TEAMS1")


@dataclass(frozen=True, slots=True)
class Licence:
    sku_id: str
    disabled_plans: tuple[str, ...] = ()
    via_groups: tuple[str, ...] = ()  # licensing groups it is inherited from
    direct: bool = True  # also (or only) assigned directly

    @property
    def plans_key(self) -> tuple[str, tuple[str, ...]]:
        """What the licence grants, whatever path it came by."""
        return self.sku_id, self.disabled_plans


class LicenceMix:
    """Resolves part numbers once; `draw_member` / `draw_guest` then cost a few draws each."""

    def __init__(self, catalogue: Catalogue, premium: bool, copilot: bool = True) -> None:
        self.suites = PREMIUM_SUITES if premium else BASIC_SUITES
        self._premium = premium
        self._copilot = copilot
        parts = {"POWER_BI_PRO", "MCOEV", "ENTERPRISEPACK", "STANDARDPACK", "O365_BUSINESS_ESSENTIALS"}
        parts |= {part for part, _ in PREMIUM_SUITES.items if part} | {part for part, _, _ in ADD_ONS}
        self._skus = {part: self._resolve(catalogue, part) for part in parts}
        # (suite part number, plan name) → plan id, for the plans a suite may have switched off.
        self._plans = {
            (part, plan.name): plan.id for part, sku in self._skus.items() for plan in sku.service_plans
        }

    @staticmethod
    def _resolve(catalogue: Catalogue, part_number: str) -> Sku:
        found = catalogue.by_part_number(part_number)
        if found is None:
            raise KeyError(part_number)
        return found

    def sku(self, part_number: str) -> Sku:
        return self._skus[part_number]

    def draw_member(self, draw: Draw) -> tuple[Licence, ...]:
        suite_part = draw.weighted(self.suites)
        if not suite_part:
            return ()
        suite = self._skus[suite_part]
        disabled = [
            plan_id
            for name in OPTIONAL_PLANS
            if draw.chance(0.08) and (plan_id := self._plans.get((suite_part, name))) is not None
        ]
        held = [suite_part]
        if suite_part in E5_SUITES:
            if draw.chance(0.2):
                held.append("POWER_BI_PRO")
                if draw.chance(0.25):  # trap: Power BI switched off in E5, so Pro is needed
                    disabled.append(self._plans.get((suite_part, "BI_AZURE_P2"), ""))
            if draw.chance(0.15):
                held.append("MCOEV")
        elif draw.chance(0.08):
            held.append("POWER_BI_PRO")
        if suite_part == "SPE_E3" and draw.chance(0.03):
            held.append("ENTERPRISEPACK")  # leftover from a migration
        for part, chance, premium_only in ADD_ONS:
            # Drawn either way, so a tenant without Copilot differs from its twin only there.
            if (
                (self._premium or not premium_only)
                and draw.chance(chance)
                and (self._copilot or part != "Microsoft_365_Copilot")
            ):
                held.append(part)
        first = Licence(suite.id, tuple(sorted(p for p in disabled if p)))
        return (first, *(Licence(self._skus[part].id) for part in held[1:]))

    def draw_guest(self, draw: Draw) -> tuple[Licence, ...]:
        if not draw.chance(0.15):
            return ()
        return (Licence(self._skus[draw.weighted(GUEST_SKUS)].id),)
