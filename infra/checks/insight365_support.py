"""Shared helpers and policy constants for the Insight365 custom checks.

checkov imports every ``.py`` file in this directory as a top-level module (the directory is put on
``sys.path``), so the checks import this module as ``insight365_support``. It registers no check.

The Bicep parser (pycep) hands checks the resource body as plain JSON: literals keep their type,
while expressions and parameter references arrive as strings (``'location'``, ``'${gatewayId}/x'``)
or dicts. The checks therefore compare against literals and fail closed on anything else: a
security property that is not written as a literal cannot be proved offline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from checkov.common.models.enums import CheckResult
from pycep.transformer import BicepElement

UK_REGIONS = frozenset({"uksouth", "ukwest"})
ALLOWED_LOCATIONS_POLICY_ID = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
GEO_REDUNDANT_STORAGE_SKUS = frozenset({"Standard_GZRS", "Standard_RAGZRS"})
MAX_WAF_BODY_KB = 64
# A parameter reference whose name ends in "location"; CKV_I365_6 restricts such parameters.
LOCATION_PARAM_REFERENCE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*)?[Ll]ocation$")

_MISSING = object()


def get_path(conf: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    """Return ``conf[a][b][c]`` for ``"a.b.c"``, or ``default`` when any step is missing."""
    node: Any = conf
    for key in dotted.split("."):
        if not isinstance(node, Mapping):
            return default
        node = node.get(key, _MISSING)
        if node is _MISSING:
            return default
    return node


def as_list(value: Any) -> list[Any]:
    """A Bicep array as a list; anything else (an expression, a missing value) as empty."""
    return list(value) if isinstance(value, list) else []


def app_settings(conf: Mapping[str, Any]) -> dict[Any, Any]:
    """A site's ``siteConfig.appSettings`` as name → value."""
    return {
        item.get("name"): item.get("value")
        for item in as_list(get_path(conf, "properties.siteConfig.appSettings"))
        if isinstance(item, Mapping)
    }


def last_segment(reference: Any) -> str:
    """Name of a sub-resource from an id such as ``'${gatewayId}/httpListeners/https'``."""
    if isinstance(reference, Mapping):
        reference = reference.get("id")
    return reference.rsplit("/", 1)[-1] if isinstance(reference, str) else ""


def is_reference(value: Any) -> bool:
    """True for a Bicep identifier/expression (pycep's ``BicepElement``), False for a string literal."""
    return isinstance(value, BicepElement)


def result(problems: Iterable[str]) -> CheckResult:
    """PASSED when there is no problem; FAILED otherwise."""
    return CheckResult.FAILED if list(problems) else CheckResult.PASSED


def version_at_least(version: Any, minimum: tuple[int, ...]) -> bool:
    """``'3.2'`` >= (3, 2); anything that is not a dotted number literal is not."""
    if not isinstance(version, str) or not re.fullmatch(r"\d+(\.\d+)*", version):
        return False
    return tuple(int(part) for part in version.split(".")) >= minimum
