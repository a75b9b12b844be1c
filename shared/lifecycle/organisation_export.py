"""The organisation's export before offboarding: everything it may take with it, as gzipped JSON Lines.

One JSON object per line, each with a `kind`:
- `export` (first): when, the format version and the organisation (name, status, retention);
- `member`: each member's profile and role (never MFA material or session tokens);
- `integration`: the Microsoft 365 connection (tenant and client ids, never the secret);
- `metadata`: prices, department groups and the inactivity threshold;
- `run`: each refresh run;
- `insight`: the summary of each family for each published day;
- `report_row`: each row of each detail list (the reports) of each published day;
- `audit`: each audit row, oldest month first;
- `end` (last): how many lines came before it, so a truncated download is recognisable.

Rows go from table pages and blob streams straight into the gzip stream, one at a time: nothing holds a
list of an organisation's rows; the caller decides where the compressed bytes go.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import IO, Any

from shared.insights.models import Family
from shared.integrations import IntegrationRepository
from shared.lifecycle.export import Profile
from shared.metadata import MetadataRepository
from shared.organisations import OrganisationRepository
from shared.services import Services
from shared.storage import TenantContext

FORMAT_VERSION = 1
_EVERY_DAY = (date.min, date.max - timedelta(days=1))  # inclusive: the store asks for the day after the end
_INTEGRATION_FIELDS = {
    "tenant_id",
    "client_id",
    "status",
    "consented_scopes",
    "connected_at",
    "last_refresh_at",
}


class _Lines:
    def __init__(self, services: Services, tenant: TenantContext) -> None:
        self.services = services
        self.tenant = tenant

    def head(self) -> Iterator[dict[str, Any]]:
        organisation = OrganisationRepository(self.services.storage, self.services.page_signer).get(
            self.tenant
        )
        yield {
            "kind": "export",
            "format": FORMAT_VERSION,
            "exported_at": self.services.clock().isoformat(),
            "organisation": organisation.model_dump(mode="json"),
        }

    def members(self) -> Iterator[dict[str, Any]]:
        for member in self.services.org(self.tenant).members.iter_all():
            yield {
                "kind": "member",
                "member": Profile.model_validate(member.model_dump()).model_dump(mode="json"),
            }

    def settings(self) -> Iterator[dict[str, Any]]:
        storage, tokens = self.services.storage, self.services.page_signer
        integration = IntegrationRepository(storage, self.tenant, tokens).find()
        if integration is not None:
            yield {
                "kind": "integration",
                "integration": integration.model_dump(mode="json", include=_INTEGRATION_FIELDS),
            }
        metadata = MetadataRepository(storage, self.tenant, tokens)
        yield {
            "kind": "metadata",
            "prices": metadata.prices_with_etag()[0].model_dump(mode="json"),
            "groups": metadata.groups_with_etag()[0].model_dump(mode="json"),
        }

    def runs(self) -> Iterator[dict[str, Any]]:
        for record in self.services.org(self.tenant).runs.iter_all():
            yield {"kind": "run", "run": record.model_dump(mode="json")}

    def insights(self) -> Iterator[dict[str, Any]]:
        services = self.services
        store = services.org(self.tenant).insights
        for run in store.published_between(*_EVERY_DAY):
            where = {"as_of": run.as_of.isoformat(), "run_id": run.run_id}
            for family in Family:
                summary = store.summary_of(family, run)
                if summary is not None:
                    yield {
                        "kind": "insight",
                        "family": family.value,
                        **where,
                        "summary": summary.model_dump(mode="json"),
                    }
            for list_id in sorted(run.lists):
                for row in store.iter_list(run, list_id):
                    yield {"kind": "report_row", "report": list_id, **where, "row": row}

    def audit(self) -> Iterator[dict[str, Any]]:
        for row in self.services.org(self.tenant).audit.iter_exported():
            yield {"kind": "audit", "audit": row}

    def all(self) -> Iterator[dict[str, Any]]:
        yield from self.head()
        yield from self.members()
        yield from self.settings()
        yield from self.runs()
        yield from self.insights()
        yield from self.audit()


def export_organisation(services: Services, tenant: TenantContext, out: IO[bytes]) -> int:
    """Write the organisation's export to `out` as gzipped JSON Lines; returns the number of lines.

    `NotFoundError` if the organisation does not exist.
    """
    count = 0
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as stream:
        for line in _Lines(services, tenant).all():
            stream.write(
                json.dumps(line, separators=(",", ":"), ensure_ascii=False, default=str).encode() + b"\n"
            )
            count += 1
        stream.write(json.dumps({"kind": "end", "lines": count}).encode() + b"\n")
    return count
