"""The tenant context: which organisation a piece of work is for.

Repositories take a `TenantContext`, never a bare org id, so the only way to reach an organisation's
partition or container is through a context built by the session layer (from the member record behind
an authenticated session) or by a queue handler (from a validated message). Nothing builds one from a
URL or a request body.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from shared.storage.errors import InvalidArgumentError

# uuid4().hex: lowercase, no dashes. One canonical spelling, so the same organisation can never be
# addressed under two keys (e.g. upper/lower case) and the id is safe in keys and container names.
_ORG_ID = re.compile(r"[0-9a-f]{32}")


def validate_org_id(org_id: str) -> str:
    if not isinstance(org_id, str) or _ORG_ID.fullmatch(org_id) is None:
        raise InvalidArgumentError("an organisation id is 32 lowercase hexadecimal characters")
    return org_id


@dataclass(frozen=True, slots=True)
class TenantContext:
    org_id: str

    def __post_init__(self) -> None:
        validate_org_id(self.org_id)

    @classmethod
    def new_organisation(cls) -> TenantContext:
        """A context for an organisation being created (sign-up): a fresh random id."""
        return cls(uuid.uuid4().hex)


# The platform's own partition of the per-organisation tables (mfa, sessions, audit, supportaccess):
# Insight365's operators. All `f`s: a version-4 UUID has `4` in its 13th hex digit, so no organisation
# id can ever be this one.
PLATFORM = TenantContext("f" * 32)
