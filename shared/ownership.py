"""How a table's owning module tells the data-lifecycle jobs what of its table they may remove.

One module owns each table: it alone names the table, builds its keys and decodes its rows. It declares
a `TableOwner` (and `shared.lifecycle.owners` lists every declaration), whose operations *find* rows:

- `organisation_rows`: everything of one organisation (offboarding);
- `member_rows`: everything that is one member's own (erasure);
- `expired_rows`: what is past its retention period at a moment (the retention job);
- `mentions`: the partitions whose rows may name a member, which erasure rewrites (the member's id
  becomes a pseudonym, their name, email and phone are blanked) instead of deleting.

The lifecycle jobs count what the operations find (the receipt reports it), delete it in batches and
record their progress, so an operation is read-only and may be called again when a job resumes. An
operation left out is a claim that nothing of that kind is held, and `keeps` says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.services import Services
from shared.storage import TableName, TablePartition, TenantContext
from shared.storage.scan import org_partitions

if TYPE_CHECKING:  # the organisation's periods; `shared.organisations` declares an owner itself
    from shared.organisations import RetentionSettings


@dataclass(frozen=True)
class Rows:
    """Rows of one partition that a lifecycle job removes (keys only: the owner found them)."""

    partition: TablePartition
    row_keys: Sequence[str]


OrgRows = Callable[[Services, TenantContext], Iterable[Rows]]
MemberRows = Callable[[Services, TenantContext, str], Iterable[Rows]]
ExpiredRows = Callable[[Services, TenantContext, datetime, "RetentionSettings"], Iterable[Rows]]
OrgPartitions = Callable[[Services, TenantContext], Iterable[TablePartition]]
ExpiredPrefixes = Callable[[Services, TenantContext, datetime, "RetentionSettings"], Iterable[str]]
RowOfOrganisation = Callable[[Mapping[str, Any], str], bool]  # (a row's keys and properties, org id)


@dataclass(frozen=True)
class TableOwner:
    table: TableName
    module: str  # the owning module, `__name__` where it is declared
    organisation_rows: OrgRows | None
    member_rows: MemberRows | None = None
    expired_rows: ExpiredRows | None = None
    mentions: OrgPartitions | None = None
    keeps: str = ""  # why an operation left out owes nothing
    # A shared table's rows that are one organisation's, told from a row as a backup holds it (the restore
    # of one organisation brings back those); organisation-partitioned tables need none.
    row_of_organisation: RowOfOrganisation | None = None

    @classmethod
    def of_organisation_table(
        cls,
        table: TableName,
        module: str,
        *,
        member_rows: MemberRows | None = None,
        expired_rows: ExpiredRows | None = None,
        mentions: OrgPartitions | None = None,
        keeps: str = "",
    ) -> TableOwner:
        """The owner of an organisation-partitioned table, whose offboarding removes every partition the
        organisation owns (`org_partition_rows`)."""
        return cls(table, module, org_partition_rows(table), member_rows, expired_rows, mentions, keeps)

    def __post_init__(self) -> None:
        absent = None in (self.organisation_rows, self.member_rows, self.expired_rows)
        if absent and not self.keeps:
            raise ValueError(f"table {self.table.value}: say in `keeps` why an operation is left out")


def org_partitions_of(table: TableName) -> OrgPartitions:
    """Every partition of an organisation-partitioned table that the organisation owns."""

    def partitions(services: Services, tenant: TenantContext) -> Iterator[TablePartition]:
        return org_partitions(services.storage, tenant, table, services.page_signer)

    return partitions


def org_partition_rows(table: TableName) -> OrgRows:
    """`organisation_rows` for an organisation-partitioned table: every row of every partition it owns."""

    def rows(services: Services, tenant: TenantContext) -> Iterator[Rows]:
        for partition in org_partitions(services.storage, tenant, table, services.page_signer):
            yield Rows(partition, [row.row_key for row in partition.query(select=["RowKey"])])

    return rows


OPERATIONS_RECORD = (
    "the operations plane's own record of what detections and operators saw: it names an organisation by"
    " its random id, a member by id and an address, never by name or email; offboarding and erasure leave"
    " it, as evidence"
)


@dataclass(frozen=True)
class BlobArea:
    """A top-level folder of the organisation's container, and the module that owns it. Offboarding
    deletes the whole container; blobs hold the organisation's Microsoft 365 data, never a member's.

    `expired_prefixes` finds the folders past their retention period at a moment, which the retention
    job deletes whole (read-only, like a table owner's operations); an area whose blobs expire with
    something else (the insights store's runs) leaves it out and says so in `keeps`.
    """

    prefix: str
    module: str
    expired_prefixes: ExpiredPrefixes | None = None
    keeps: str = ""

    def __post_init__(self) -> None:
        if self.expired_prefixes is None and not self.keeps:
            raise ValueError(f"blob area {self.prefix}: say in `keeps` why nothing of it expires by itself")
