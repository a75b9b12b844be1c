"""Anonymising a raw snapshot: every identifier replaced by a keyed pseudonym, every figure kept.

Pure functions over snapshot rows (the `records.py` JSON). Each kind of identifier has one mapping,
HMAC-SHA256 under a key that is thrown away (or kept apart) after the run, so joins survive: a UPN maps
to the same pseudonym in `users`, in every usage report and in `registration_details`; an object id to
the same one in `users`, `sign_in_activity`, role assignments and Conditional Access. Mappings keep the
shape insights rely on: GUIDs stay GUIDs, a concealed 32-hex report name stays 32 hex, a guest's
`#EXT#` UPN stays a guest UPN, `onmicrosoft.com` domains stay so. Counts, flags, dates, SKU and service
plan ids and role template ids are Microsoft's or the tenant's figures, not identifiers, and are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from shared.snapshot import Dataset

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CONCEALED = re.compile(r"[0-9A-Fa-f]{32}")
_EXT = "#EXT#"
_ONMICROSOFT = ".onmicrosoft.com"


class Anonymiser:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the anonymisation key must be at least 32 bytes")
        self._key = key

    def _mac(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def object_id(self, value: str) -> str:
        """A GUID maps to a GUID (case-insensitively); anything else to hex of the same role."""
        if _GUID.fullmatch(value):
            return str(uuid.UUID(self._mac("id", value.lower())[:32]))
        return self._mac("id", value)[:32]

    def domain(self, value: str) -> str:
        label = "t" + self._mac("domain", value.lower())[:10]
        return label + (_ONMICROSOFT if value.lower().endswith(_ONMICROSOFT) else ".example")

    def address(self, value: str) -> str:
        """A UPN or mail address (case-insensitive); a concealed 32-hex name stays 32 hex."""
        if _CONCEALED.fullmatch(value):
            return self._mac("concealed", value.lower())[:32]
        local, at, domain = value.rpartition("@")
        if not at:
            return "u" + self._mac("address", value.lower())[:16]
        guest = _EXT.lower() in local.lower()
        person = local.lower().split(_EXT.lower())[0]
        pseudonym = "u" + self._mac("address", person)[:16]
        return f"{pseudonym}{_EXT if guest else ''}@{self.domain(domain)}"

    def name(self, value: str) -> str:
        if _CONCEALED.fullmatch(value):
            return self._mac("concealed", value.lower())[:32]
        return "Person " + self._mac("name", value)[:10]

    def label(self, value: str) -> str:
        return "Name " + self._mac("label", value)[:10]

    def site_url(self, value: str) -> str:
        return f"https://anon-my.sharepoint.com/personal/{self._mac('site', value.lower())[:20]}"

    def principal_list(self, values: list[str]) -> list[str]:
        """Conditional Access user/group lists: object ids change, keywords (All, None, ...) stay."""
        return [self.object_id(value) if _GUID.fullmatch(value) else value for value in values]


_Field = Callable[[Anonymiser, Any], Any]
_ADDRESS: _Field = Anonymiser.address
_ID: _Field = Anonymiser.object_id
_PEOPLE: _Field = Anonymiser.principal_list

# Which field of which dataset holds which kind of identifier.
_COMMON: dict[str, _Field] = {
    "user_principal_name": _ADDRESS,
    "owner_principal_name": _ADDRESS,
    "mail": _ADDRESS,
    "display_name": Anonymiser.name,
    "id": _ID,
    "user_id": _ID,
    "principal_id": _ID,
    "tenant_id": _ID,
    "site_url": Anonymiser.site_url,
}
_BY_DATASET: dict[Dataset, dict[str, _Field]] = {
    Dataset.ORGANISATION: {"display_name": Anonymiser.label},
    Dataset.CONDITIONAL_ACCESS_POLICIES: {
        "display_name": Anonymiser.label,
        "include_users": _PEOPLE,
        "exclude_users": _PEOPLE,
        "include_groups": _PEOPLE,
        "exclude_groups": _PEOPLE,
    },
}


def anonymise_row(anonymiser: Anonymiser, dataset: Dataset, row: Mapping[str, Any]) -> dict[str, Any]:
    """One snapshot row with its identifiers replaced; every other value as it was."""
    fields = {**_COMMON, **_BY_DATASET.get(dataset, {})}
    return {
        name: fields[name](anonymiser, value) if name in fields and value is not None else value
        for name, value in row.items()
    }
