"""What a SKU is, for the figures: free of charge, judged by which usage signal, and which of its plans count.

Each rule is defined here once and used by every figure, list and report (and the README says the same):

- **Free** (`is_free`): Microsoft's own product name calls the SKU free, a trial or exploratory ("Microsoft
  Fabric (Free)", "Microsoft Power Automate Free", "Microsoft Power Apps Plan 2 Trial", "Microsoft Teams
  Exploratory"), or every one of its
  service plans is a self-service ("viral") plan Microsoft grants at no cost (`*_VIRAL`, plus the
  `EXCHANGE_S_FOUNDATION` plan that rides along in nearly every SKU), or the organisation set its price to 0.
  A free SKU is listed with its seats but kept out of every total, waste, renewal and list.
- **Usage signal** (`usage_signal`): a SKU that carries a mailbox, Teams, the Microsoft 365 apps or an Entra
  ID plan is used whenever its holder is active (sign-ins and the usage reports measure exactly those
  products). An add-on without such a plan (Copilot, Visio, Project, Power BI Pro, Teams Phone) has no
  per-user usage report among the workload reports, so a sign-in says nothing about it: its holders are
  never "active", only "no usage signal" — unless the whole account is inactive, which rules out any use.
  Copilot alone has a report of its own (`shared.insights.copilot`), which measures its seats when read.
- **Plans that count for redundancy** (`counts_for_redundancy`): every plan except Exchange Foundation
  (`EXCHANGE_S_FOUNDATION`, and `_GOV` variants: any name ending `_FOUNDATION` or `_FOUNDATION_GOV`), the
  plumbing plan Microsoft adds at no charge so that a product gets a directory mailbox object. The
  catalogue singles it out: it is in 224 of 569 SKUs and in 16 of the 22 free ones, while no other plan is
  in more than 3 free SKUs. Power BI Pro is BI_AZURE_P2 plus that plan and Microsoft 365 E5 carries
  BI_AZURE_P2 but not it, so counting it would make no SKU ever redundant beside a suite (Power BI Pro
  redundancy on the demo tenant fell from 37 to 0).
- **Plan tiers** (`PLAN_TIERS`): Microsoft sells Exchange Online, SharePoint Online and To Do in tiers
  whose higher plan includes everything in the lower one (Kiosk ⊂ Plan 1 ⊂ Plan 2; learn.microsoft.com/
  office365/servicedescriptions/exchange-online-service-description/exchange-online-service-description).
  A held higher tier covers a lower one, so Exchange Online (Plan 1) beside Microsoft 365 E3 (Plan 2's
  EXCHANGE_S_ENTERPRISE) is redundant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

# Exchange Foundation: plumbing Microsoft adds at no charge to nearly every SKU; it never makes a licence
# worth keeping.
FOUNDATION_PLAN = re.compile(r"_FOUNDATION(_GOV)?$", re.IGNORECASE)
# Each tuple lists one service's plans from the lowest tier up; a plan includes every plan before it.
PLAN_TIERS: tuple[tuple[str, ...], ...] = (
    ("EXCHANGE_S_DESKLESS", "EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"),
    ("EXCHANGE_S_DESKLESS_GOV", "EXCHANGE_S_STANDARD_GOV", "EXCHANGE_S_ENTERPRISE_GOV"),
    ("SHAREPOINTDESKLESS", "SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"),
    ("SHAREPOINTDESKLESS_GOV", "SHAREPOINTENTERPRISE_GOV"),
    ("BPOS_S_TODO_FIRSTLINE", "BPOS_S_TODO_1", "BPOS_S_TODO_2", "BPOS_S_TODO_3"),
)
# Plans whose use the signals we collect measure: a mailbox (email activity), Teams (Teams activity), the
# Microsoft 365 apps (apps usage) — all also in the active-user report — and Entra ID (every sign-in).
MEASURED_PLAN_NAMES = frozenset(
    {
        "EXCHANGE_S_STANDARD",
        "EXCHANGE_S_ENTERPRISE",
        "EXCHANGE_S_DESKLESS",
        "TEAMS1",
        "OFFICESUBSCRIPTION",
        "OFFICE_BUSINESS",
        "AAD_PREMIUM",
        "AAD_PREMIUM_P2",
    }
)
FREE_NAME = re.compile(r"\b(free|trial|exploratory)\b", re.IGNORECASE)
VIRAL_PLAN = re.compile(r"_VIRAL(_|$)", re.IGNORECASE)

UsageSignal = Literal["activity", "none"]


def counts_for_redundancy(plan_name: str) -> bool:
    return not FOUNDATION_PLAN.search(plan_name.strip())


def included_plans(plan_name: str) -> tuple[str, ...]:
    """The lower tiers a plan includes (upper-case names; empty for a plan outside `PLAN_TIERS`)."""
    name = plan_name.upper()
    for tiers in PLAN_TIERS:
        if name in tiers:
            return tiers[: tiers.index(name)]
    return ()


def is_free(display_name: str, plan_names: Iterable[str], monthly_price: float | None) -> bool:
    """True for a no-cost SKU (see the module docstring for the three ways to be one)."""
    if monthly_price is not None and monthly_price == 0:
        return True
    if FREE_NAME.search(display_name):
        return True
    billable = [name for name in plan_names if counts_for_redundancy(name)]
    return bool(billable) and all(VIRAL_PLAN.search(name) for name in billable)


def usage_signal(plan_names: Iterable[str]) -> UsageSignal:
    return "activity" if any(name.upper() in MEASURED_PLAN_NAMES for name in plan_names) else "none"
