"""Right-sizing: named, data-driven rules that move a licence to a cheaper SKU its holder's usage fits.

Each rule names the SKUs it applies to (by skuPartNumber, resolved in the SKU catalogue), the cheaper
SKUs it may move them to (most capable first), the datasets its evidence needs and the evidence itself,
over the last `WINDOW_DAYS` days of the usage reports the run already collects (Reports.Read.All):

- `mail_only` — a suite holder whose only activity in 90 days is mail: Exchange has a "Last Activity Date"
  in the active-user detail report (or the email activity report) within 90 days, and OneDrive,
  SharePoint, Teams, Yammer, Skype and the Microsoft 365 apps have none
  (learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail,
  learn.microsoft.com/graph/api/reportroot-getm365appuserdetail). → Exchange Online (Plan 1), else Kiosk.
- `web_mobile_only` — a holder of a suite with the desktop apps whose Microsoft 365 apps report row shows
  use on the web or mobile and none on Windows or Mac in the report period (the platform columns cover
  the period collected, 30 days), with apps activity within 90 days. → Office 365 E1 (enterprise suites)
  or Microsoft 365 Business Basic (Business Premium / Standard): the same services, web and mobile apps.
- `e5_features_unseen` — an active E5 holder who uses nothing E5 adds that Graph shows: they hold no
  privileged directory role (Entra ID P2's Privileged Identity Management protects those) and no enabled
  Conditional Access policy uses user or sign-in risk (Entra ID P2's Identity Protection). What else E5
  adds — Defender for Office 365 P2, Defender for Endpoint and Identity, Purview (eDiscovery Premium,
  insider risk), Power BI Pro, Teams Phone and Audio Conferencing — has no per-user usage in the data we
  collect, so this rule is the weakest: confirm with the person first. → Microsoft 365 E3 / Office 365 E3.

A recommendation needs the organisation's prices for both SKUs, in one currency, with the target
cheaper (no price → no recommendation, never a cost increase); it never targets a SKU the account
already holds; a licence already listed as reclaimable (disabled, inactive or redundant) is not
right-sized (removing it saves more); one recommendation per account and SKU — the first rule that fits.
No rule runs on concealed report names, and a rule whose dataset is missing or failed does not run: each
says why in a warning with a code.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cached_property
from typing import Any

from shared.insights.accounts import ENABLED, ordinal
from shared.insights.models import InsightWarning, LicenceName, Money, RightSizingMove
from shared.insights.reports import REPORTS_BY_ID
from shared.insights.rounding import exact, money
from shared.insights.utilisation import PriceInfo, Utilisation
from shared.snapshot import Dataset
from shared.snapshot import records as r

WINDOW_DAYS = 90
RIGHTSIZING_LIST = "rightsizing-recommendations"
DESKTOP = 1  # Windows or Mac use in the apps report's period
WEB_MOBILE = 2  # web or mobile use in it
ENTERPRISE_SUITES = ("SPE_E5", "SPE_E3", "ENTERPRISEPREMIUM", "ENTERPRISEPACK")
BUSINESS_SUITES = ("SPB", "O365_BUSINESS_PREMIUM")
MAIL_PLANS = ("EXCHANGESTANDARD", "EXCHANGEDESKLESS")
CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}


class UsageEvidence:
    """Per account, on the snapshot's clock (a report's date plus its lag behind as_of; 0 = none): the
    newest mail activity, the newest other workload activity, the newest apps activity, and the apps
    report's platforms (`DESKTOP` | `WEB_MOBILE`)."""

    def __init__(self) -> None:
        self.mail = array("i")
        self.other = array("i")
        self.apps = array("i")
        self.platforms = bytearray()

    def size(self, accounts: int) -> None:
        grow = accounts - len(self.platforms)
        if grow > 0:
            for column in (self.mail, self.other, self.apps):
                column.extend([0] * grow)
            self.platforms.extend(bytes(grow))

    @staticmethod
    def _note(column: array[int], index: int, day: date | None, lag: int) -> None:
        value = ordinal(day)
        if value:
            column[index] = max(column[index], value + lag)

    def active_user(self, index: int, row: r.ActiveUserDetail, lag: int) -> None:
        self._note(self.mail, index, row.exchange_last_activity_date, lag)
        others = [
            day
            for day in (
                row.onedrive_last_activity_date,
                row.sharepoint_last_activity_date,
                row.skype_for_business_last_activity_date,
                row.yammer_last_activity_date,
                row.teams_last_activity_date,
            )
            if day is not None
        ]
        if others:  # only the newest counts: one note instead of five (a row per account at 100k)
            self._note(self.other, index, max(others), lag)

    def usage(self, index: int, source: str, day: date | None, lag: int) -> None:
        """A workload report's row: `email` is mail, the others (teams, sharepoint, onedrive) are not."""
        self._note(self.mail if source == "email" else self.other, index, day, lag)

    def apps_row(self, index: int, row: r.M365AppUserDetail, lag: int) -> None:
        self._note(self.apps, index, row.last_activity_date, lag)
        self.platforms[index] |= (DESKTOP if row.windows or row.mac else 0) | (
            WEB_MOBILE if row.web or row.mobile else 0
        )


@dataclass(frozen=True, slots=True)
class Facts:
    """What a rule's evidence reads about the run besides the usage columns."""

    evidence: UsageEvidence
    reference: int  # as_of ordinal
    admins: frozenset[int]  # account indices holding a privileged directory role

    def recent(self, day: int) -> bool:
        return day > 0 and self.reference - day <= WINDOW_DAYS


Predicate = Callable[[Facts, int], bool]


def _mail_only(f: Facts, i: int) -> bool:
    e = f.evidence
    return f.recent(e.mail[i]) and not f.recent(e.other[i]) and not f.recent(e.apps[i])


def _web_mobile_only(f: Facts, i: int) -> bool:
    e = f.evidence
    return e.platforms[i] == WEB_MOBILE and f.recent(e.apps[i])


def _e5_features_unseen(f: Facts, i: int) -> bool:
    return i not in f.admins


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    targets: Mapping[str, tuple[str, ...]]  # from skuPartNumber → target part numbers, most capable first
    needs: tuple[Dataset, ...]
    applies: Predicate
    evidence: str  # in plain words, as the report's evidence column says it


RULES: tuple[Rule, ...] = (
    Rule(
        "mail_only",
        "Mail only",
        {part: MAIL_PLANS for part in (*ENTERPRISE_SUITES, *BUSINESS_SUITES, "STANDARDPACK")},
        (Dataset.ACTIVE_USER_DETAIL, Dataset.M365_APP_USER_DETAIL),
        _mail_only,
        "used only mail in 90 days: no OneDrive, SharePoint, Teams, Yammer, Skype or Microsoft 365 apps "
        "activity",
    ),
    Rule(
        "web_mobile_only",
        "Web and mobile apps only",
        {
            **dict.fromkeys(ENTERPRISE_SUITES, ("STANDARDPACK",)),
            **dict.fromkeys(BUSINESS_SUITES, ("O365_BUSINESS_ESSENTIALS",)),
        },
        (Dataset.M365_APP_USER_DETAIL,),
        _web_mobile_only,
        "used the Microsoft 365 apps on the web or mobile only, never on Windows or Mac, in the report "
        "period",
    ),
    Rule(
        "e5_features_unseen",
        "E5 features unseen",
        {"SPE_E5": ("SPE_E3",), "ENTERPRISEPREMIUM": ("ENTERPRISEPACK",)},
        (Dataset.ACTIVE_USER_DETAIL, Dataset.ROLE_ASSIGNMENTS, Dataset.CONDITIONAL_ACCESS_POLICIES),
        _e5_features_unseen,
        "active, holds no privileged directory role, and no Conditional Access policy uses risk; E5's "
        "security, compliance, Power BI and phone features show no per-user usage in Graph",
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True, slots=True)
class Recommendation:
    index: int
    sku_id: str
    rule: Rule
    target: str  # sku id
    price: PriceInfo
    target_price: PriceInfo

    @property
    def saving(self) -> float:
        return money(self.exact_saving)

    @property
    def exact_saving(self) -> Fraction:
        return exact(self.price.monthly) - exact(self.target_price.monthly)


class RightSizing:
    """The run's recommendations, from the account table, the usage evidence and the prices."""

    def __init__(
        self,
        utilisation: Utilisation,
        facts: Facts,
        *,
        statuses: Mapping[Dataset, str],
        concealed: bool,
        risk_policies: bool,
    ) -> None:
        self.u = utilisation
        self.facts = facts
        self.warnings: list[InsightWarning] = []
        self.rules = self._runnable(statuses, concealed, risk_policies)
        catalogue = utilisation.catalogue
        # from sku id → [(rule, target sku ids)], for the rules that run
        self._moves: dict[str, list[tuple[Rule, tuple[str, ...]]]] = defaultdict(list)
        for rule in self.rules:
            for part, targets in rule.targets.items():
                found = catalogue.by_part_number(part)
                ids = tuple(t.id for p in targets if (t := catalogue.by_part_number(p)) is not None)
                if found is not None and ids:
                    self._moves[found.id].append((rule, ids))
        # (rule, from sku) → holders it fits, but with no target priced below theirs
        self.unpriced: Counter[tuple[str, str]] = Counter()

    def _runnable(self, statuses: Mapping[Dataset, str], concealed: bool, risk_policies: bool) -> list[Rule]:
        if concealed:
            self.warnings.append(
                InsightWarning(
                    code="rightsizing_unavailable:reports_concealed",
                    message="No licence is right-sized: the usage reports conceal user names, so nobody's "
                    "usage can be told apart. Clear the concealment setting (see reports_concealed).",
                )
            )
            return []
        runnable = []
        for rule in RULES:
            missing = [d.value for d in rule.needs if statuses.get(d, "missing") != "complete"]
            if missing:
                self.warnings.append(
                    InsightWarning(
                        code=f"rightsizing_signal_missing:{rule.id}",
                        message=f"The '{rule.title}' rule did not run: {', '.join(missing)} was not "
                        "collected completely in this run.",
                    )
                )
            elif rule.id == "e5_features_unseen" and risk_policies:
                self.warnings.append(
                    InsightWarning(
                        code=f"rightsizing_signal_in_use:{rule.id}",
                        message="The 'E5 features unseen' rule did not run: an enabled Conditional Access "
                        "policy uses user or sign-in risk, an Entra ID P2 feature E5 holders may rely on.",
                    )
                )
            else:
                runnable.append(rule)
        return runnable

    def targets(self) -> list[LicenceName]:
        """The licences the rules that run could move holders to, by name."""
        ids = {target for moves in self._moves.values() for _, targets in moves for target in targets}
        return sorted((LicenceName(sku_id=i, name=self.u.sku_name(i)) for i in ids), key=lambda t: t.name)

    @cached_property
    def recommendations(self) -> list[Recommendation]:
        """At most one per account and SKU, in account order (one pass: the summary and the rows share it;
        it counts `unpriced` too)."""
        return list(self._recommend())

    def _recommend(self) -> Iterator[Recommendation]:
        t, u = self.u.table, self.u
        for i in range(len(t)):
            code = t.combo[i]
            if code < 0 or not t.flags[i] & ENABLED or u.inactive(i, u.threshold_days):
                continue  # no licence, or every licence of the account is already reclaimable
            held = t.combinations[code]
            held_ids = {sku for sku, _ in held}
            redundant = u.redundant_in(code, held)
            for sku_id, _ in held:
                if sku_id in redundant or sku_id not in self._moves:
                    continue
                found = self._first(i, sku_id, held_ids)
                if found is not None:
                    yield found

    def _first(self, i: int, sku_id: str, held: set[str]) -> Recommendation | None:
        price = self.u.unit_cost(sku_id)
        if price is None:
            return None  # free, on trial only, or unpriced (`price_missing` says so): nothing to save
        for rule, targets in self._moves[sku_id]:
            if not rule.applies(self.facts, i):
                continue
            for target in targets:
                target_price = self.u.price(target)
                if (
                    target not in held
                    and target_price is not None
                    and target_price.currency == price.currency
                    and target_price.monthly < price.monthly
                ):
                    return Recommendation(i, sku_id, rule, target, price, target_price)
            self.unpriced[rule.id, sku_id] += 1  # it fits, but no target is priced below it (or all held)
        return None

    def summary(self) -> list[RightSizingMove]:
        """The moves, most money first: accounts and the monthly saving per (rule, from, to)."""
        accounts: Counter[tuple[str, str, str]] = Counter()
        saving: dict[tuple[str, str, str], Fraction] = defaultdict(Fraction)
        currency: dict[tuple[str, str, str], str] = {}
        for rec in self.recommendations:
            key = (rec.rule.id, rec.sku_id, rec.target)
            accounts[key] += 1
            saving[key] += rec.exact_saving
            currency[key] = rec.price.currency
        moves = []
        for (rule, from_id, to_id), n in accounts.items():
            key = (rule, from_id, to_id)
            from_name, to_name = self.u.sku_name(from_id), self.u.sku_name(to_id)
            moves.append(
                RightSizingMove(
                    rule=rule,
                    from_sku_id=from_id,
                    from_name=from_name,
                    to_sku_id=to_id,
                    to_name=to_name,
                    accounts=n,
                    monthly_saving=Money(currency=currency[key], amount=money(saving[key])),
                    summary=_sentence(n, from_name, to_name, currency[key], saving[key]),
                )
            )
        moves.sort(key=lambda m: (-m.monthly_saving.amount, m.rule, m.from_name, m.to_name))
        for (rule_id, sku_id), count in sorted(self.unpriced.items()):
            self.warnings.append(
                InsightWarning(
                    code=f"rightsizing_no_priced_target:{rule_id}:{sku_id}",
                    message=f"{count} holder(s) of {self.u.sku_name(sku_id)} fit the "
                    f"'{RULES_BY_ID[rule_id].title}' rule, but no target licence they do not already hold "
                    "has a configured price below theirs, so nothing is recommended. Set prices under "
                    "metadata › prices.",
                )
            )
        return moves

    def rows(self) -> Iterator[dict[str, Any]]:
        """The person-level report: one row per recommendation, most saving first, then by name."""
        ranked = sorted(
            (
                (-rec.saving, self.u.table.upn[rec.index].lower(), rec.sku_id, rec)
                for rec in self.recommendations
            ),
            key=lambda item: item[:3],
        )
        for *_, rec in ranked:
            yield _ordered(self._row(rec))

    def _row(self, rec: Recommendation) -> dict[str, Any]:
        t, e, i = self.u.table, self.facts.evidence, rec.index
        return {
            "user_principal_name": t.upn[i],
            "user_id": t.ids[i],
            "display_name": t.name[i],
            "group": t.groups[t.group[i]] if t.group[i] >= 0 else None,
            "sku_id": rec.sku_id,
            "sku_name": self.u.sku_name(rec.sku_id),
            "rule": rec.rule.id,
            "evidence": rec.rule.evidence,
            "to_sku_id": rec.target,
            "to_sku_name": self.u.sku_name(rec.target),
            "days_since_mail": self._days_since(e.mail[i]),
            "days_since_other": self._days_since(max(e.other[i], e.apps[i])),
            "monthly_price": rec.price.monthly,
            "to_monthly_price": rec.target_price.monthly,
            "monthly_saving": rec.saving,
            "currency": rec.price.currency,
            "action": self._action(rec),
        }

    def _action(self, rec: Recommendation) -> str:
        """Assign the cheaper licence first (the mailbox and files stay), then take the old one away: a
        licence inherited from a group goes with the group membership (it cannot be removed directly)."""
        path = self.u.table.path(rec.index, rec.sku_id)
        assign = f"Assign {self.u.sku_name(rec.target)}, then "
        if not path.groups:
            return assign + f"remove {self.u.sku_name(rec.sku_id)}"
        names = ", ".join(self.u.group_names.get(g, g) for g in path.groups)
        direct = f"unassign the direct {self.u.sku_name(rec.sku_id)} and " if path.direct else ""
        return assign + f"{direct}remove the account from group {names} (it is inherited from it)"

    def _days_since(self, clock: int) -> int | None:
        """Days since the activity, each report's date counted from its own refresh date (None: none)."""
        return self.facts.reference - clock if clock else None


def _sentence(accounts: int, from_name: str, to_name: str, currency: str, saving: Fraction) -> str:
    amount = money(saving)
    symbol = CURRENCY_SYMBOLS.get(currency)
    priced = f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"
    noun = "account" if accounts == 1 else "accounts"
    return f"{accounts} {noun} could move from {from_name} to {to_name}, saving {priced} a month"


def _ordered(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in REPORTS_BY_ID[RIGHTSIZING_LIST].column_names()}


def risk_policies_enabled(policies: Iterable[Any]) -> bool:
    """Whether an enabled Conditional Access policy uses user or sign-in risk (Entra ID P2)."""
    return any(p.state == "enabled" and (p.user_risk_levels or p.sign_in_risk_levels) for p in policies)
