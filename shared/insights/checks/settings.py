"""Whole-tenant checks of one setting in a policy document: read the value, judge it, show it as evidence.

The judgement is a function of the value alone, so a check is its metadata, where the value lives and
which values pass (or merely warn).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from shared.insights.assurance import CheckInfo, Outcome, TenantRule
from shared.insights.models import CheckStatus
from shared.insights.state import TenantState

Document = TypeVar("Document")


def one_of(passing: Collection[Any], warning: Collection[Any] = ()) -> Callable[[Any], CheckStatus]:
    """pass for a value in `passing`, warn for one in `warning`, else fail."""
    return lambda value: "pass" if value in passing else "warn" if value in warning else "fail"


def setting_rule(
    info: CheckInfo,
    document: Callable[[TenantState], Document | None],
    name: str,
    value: Callable[[Document], Any],
    judge: Callable[[Any], CheckStatus],
) -> TenantRule:
    """A check of `value(document)`, published as evidence named `name`. A run whose dataset is
    complete but holds no row cannot be judged: not applicable, data unreadable."""

    def evaluate(state: TenantState) -> Outcome:
        found = document(state)
        if found is None:
            dataset = info.requires[0].value
            reason = f"data could not be read: {dataset} has no row"
            return Outcome("not_applicable", {}, reason, "data_unreadable")
        setting = value(found)
        return Outcome(judge(setting), evidence(name, setting))

    return TenantRule(info, evaluate)


def evidence(name: str, value: Any) -> dict[str, Any]:
    """Evidence holds scalars: a mapping becomes `<name>_<key>` entries, a list one ';'-joined string."""
    if isinstance(value, dict):
        return {f"{name}_{key}": inner for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return {name: ";".join(map(str, value))}
    return {name: value}
