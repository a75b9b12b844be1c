"""Operators: Insight365 staff, separate from every customer organisation.

How an operator route is declared and audited (the API for other platform modules):

    from shared.http.adapter import Access, Api
    api = Api(func.Blueprint())

    @api.get("v1/platform/incidents", access=Access.OPERATOR, summary="…", response=…, tags=("platform",))
    def list_incidents(request: ApiRequest) -> …:
        operator = request.operator          # Operator(operator_id, role), from the setting
        request.audit.target = "incident=…"  # the audit row's target, as on customer routes
        request.audit.security_event("incident_escalated", "incident=…")  # an extra security row

- Routes live under `v1/platform/`; `Access.OPERATOR` admits `operator` and `security_officer`,
  `Access.SECURITY_OFFICER` only `security_officer`. Deny by default: a customer (any role) gets 403,
  an operator without a platform session 401, and an operator calling a customer route 403 (support
  access aside, see `shared.platform.support`).
- Every request to a platform route is audited automatically in the platform audit log (the `audit`
  table's `PLATFORM` partition), actor = `operator_id`, actor_role = the platform role. A background
  job (no request) writes a row with `platform_audit(services).append(AuditEntry(...))`.
- Operators are configured by the setting `INSIGHT365_PLATFORM_OPERATORS` (`<sub>:<role>,…`), never by a
  customer's action. They sign in with the same identity provider and the same TOTP rules as members:
  `POST v1/platform/mfa/totp` (+ `/confirm`) once, then `POST v1/platform/session` with a code, and send
  `Authorization: Bearer …` and `X-Session: …` like a member. Their TOTP secrets and sessions live in
  the `PLATFORM` partition of the `mfa` and `sessions` tables, which no organisation can address.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.audit import AuditLog
from shared.identity.tokens import VerifiedToken
from shared.roles import PlatformRole
from shared.services import Services
from shared.storage.tenant import PLATFORM


@dataclass(frozen=True)
class Operator:
    """A configured operator. `operator_id` stands for them in sessions, MFA and audit rows: the first
    32 hex digits of their identity key (a hash of issuer and subject), never the subject itself."""

    operator_id: str
    role: PlatformRole


def find_operator(identity: VerifiedToken, services: Services) -> Operator | None:
    """The operator this identity is, by the setting; None for everyone else."""
    for configured in services.settings.platform_operators:
        if configured.subject == identity.subject:
            return Operator(operator_id=identity.identity_key[:32], role=configured.role)
    return None


def platform_audit(services: Services) -> AuditLog:
    """The platform audit log: every operator request, every support request and grant decision."""
    return services.org(PLATFORM).audit
