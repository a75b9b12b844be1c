"""One organisation's repositories, handed out by `services.org(tenant)`.

A handler writes `services.org(request.tenant).members` instead of building each repository from the
storage clients, the tenant and the page-token signer; each repository is built on first use and reused
for the rest of the scope's life (one request, one job step). The constructors stay public for tests and
for the owning modules themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from shared.audit import AuditLog
from shared.auth.sessions import SessionStore
from shared.insights.acceptance import AcceptanceRepository
from shared.insights.store import InsightStore
from shared.integrations import IntegrationRepository
from shared.members import InvitationRepository, MemberRepository
from shared.metadata import MetadataRepository
from shared.mfa import MfaService
from shared.runs import RunRepository
from shared.services import Services
from shared.storage import TenantContext


@dataclass(frozen=True)
class OrgScope:
    services: Services
    tenant: TenantContext

    @cached_property
    def members(self) -> MemberRepository:
        return MemberRepository(self.services.storage, self.tenant, self.services.page_signer)

    @cached_property
    def invitations(self) -> InvitationRepository:
        return InvitationRepository(self.services.storage, self.tenant, self.services.page_signer)

    @cached_property
    def mfa(self) -> MfaService:
        services = self.services
        return MfaService(services.storage, self.tenant, services.page_signer, services.secret_box)

    @cached_property
    def sessions(self) -> SessionStore:
        return SessionStore(self.services.storage, self.tenant, self.services.page_signer)

    @cached_property
    def integration(self) -> IntegrationRepository:
        return IntegrationRepository(self.services.storage, self.tenant, self.services.page_signer)

    @cached_property
    def metadata(self) -> MetadataRepository:
        return MetadataRepository(self.services.storage, self.tenant, self.services.page_signer)

    @cached_property
    def runs(self) -> RunRepository:
        return RunRepository(self.services.storage, self.tenant, self.services.page_signer)

    @cached_property
    def audit(self) -> AuditLog:
        services = self.services
        return AuditLog(services.storage, self.tenant, services.page_signer, clock=services.clock)

    @cached_property
    def insights(self) -> InsightStore:
        services = self.services
        return InsightStore.for_tenant(services.storage, self.tenant, services.page_signer, services.clock)

    @cached_property
    def acceptances(self) -> AcceptanceRepository:
        return AcceptanceRepository(self.services.storage, self.tenant, self.services.page_signer)
