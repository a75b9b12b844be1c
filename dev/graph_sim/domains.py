"""`GET /domains` (learn.microsoft.com/graph/api/domain-list, resources/domain): the tenant's initial
`.onmicrosoft.com` domain and its custom domain, verified, with the planted password validity period, and
a custom domain still awaiting verification (its period is Graph's default, not set)."""

from __future__ import annotations

from typing import Any

from dev.tenant import Tenant

JsonObject = dict[str, Any]


def _domain(name: str, *, verified: bool, initial: bool, default: bool, validity: int | None) -> JsonObject:
    return {
        "id": name,
        "authenticationType": "Managed",
        "availabilityStatus": None,
        "isAdminManaged": True,
        "isDefault": default,
        "isInitial": initial,
        "isRoot": verified,
        "isVerified": verified,
        "passwordNotificationWindowInDays": 14 if validity else None,
        "passwordValidityPeriodInDays": validity,
        "supportedServices": ["Email", "OfficeCommunicationsOnline"] if verified else [],
        "state": None,
    }


def domains(tenant: Tenant, context: str) -> JsonObject:
    custom = tenant.spec.domain
    validity = tenant.policies.password_validity_days
    return {
        "@odata.context": context,
        "value": [
            _domain(
                f"{custom.split('.')[0]}.onmicrosoft.com",
                verified=True,
                initial=True,
                default=False,
                validity=validity,
            ),
            _domain(custom, verified=True, initial=False, default=True, validity=validity),
            _domain(f"pending.{custom}", verified=False, initial=False, default=False, validity=None),
        ],
    }
