"""Publishing and reading insight runs in the `insights` table and the organisation's container.

Layout (one partition per organisation, RowKey = `kind|as_of|run_id|item`):
- `<family>|<as_of>|<run_id>|summary.NNNN`: the family's payload as JSON, split over rows of at most
  `CHUNK_CHARS` characters (a table string property holds 32K UTF-16 units; the JSON is ASCII).
- `day|<as_of>`: the run published for that day, its detail lists and its trend points.
- `current`: a copy of the newest day's pointer: what readers see by default.
- blobs `insights/<as_of>/<run_id>/<list>.jsonl.gz`: the detail lists.

A run's rows and blobs are written under its own run id first and never change afterwards; a run becomes
visible only when a pointer row names it, and a pointer is one entity, written in one operation. So a
reader that resolves a pointer and then reads that run's rows sees one whole run, never a mix of two.
Recomputing a day writes a new run id and flips `day|<as_of>` (and `current` if it is the newest day);
the superseded rows stay until retention removes them.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shared.insights.engine import DAILY_ACTIVE_KEYS, ComputedRun, adoption_trend_fields
from shared.insights.ledger import LedgerStore
from shared.insights.models import (
    PAYLOAD_MODELS,
    DetailListInfo,
    Family,
    Payload,
    PublishedRun,
    TrendPoint,
    TrendSeries,
)
from shared.insights.source import BlobStore
from shared.ownership import Rows, TableOwner
from shared.runs import RunRecord
from shared.services import Services
from shared.storage import (
    AlreadyExistsError,
    ConcurrencyError,
    Entity,
    NotFoundError,
    OrgContainer,
    OrgTable,
    PageTokenSigner,
    StorageClients,
    TableName,
    TablePartition,
    TenantContext,
    compose_key,
    split_key,
)
from shared.storage.tables import scan_row

log = logging.getLogger(__name__)
CHUNK_CHARS = 30_000
CURRENT = "current"
DAY = "day"
_POINTER_RETRIES = 8


def list_blob_name(as_of: date, run_id: str, list_id: str) -> str:
    return f"insights/{as_of.isoformat()}/{run_id}/{list_id}.jsonl.gz"


def _summary_prefix(family: Family, as_of: date, run_id: str) -> str:
    return compose_key(family.value, as_of.isoformat(), run_id, "summary.")


def _chunks(text: str) -> Iterator[str]:
    for start in range(0, max(len(text), 1), CHUNK_CHARS):
        yield text[start : start + CHUNK_CHARS]


def _rows(run: ComputedRun) -> Iterator[tuple[str, dict[str, Any]]]:
    for family, payload in run.payloads.items():
        # ASCII-only JSON, so CHUNK_CHARS characters are CHUNK_CHARS bytes of a table string property.
        text = json.dumps(payload.model_dump(mode="json"), ensure_ascii=True, separators=(",", ":"))
        prefix = _summary_prefix(family, run.as_of, run.run_id)
        for number, chunk in enumerate(_chunks(text)):
            yield f"{prefix}{number:04d}", {"p": chunk}


class InsightStore:
    """One organisation's published insights: publish a computed run; read summaries, trends and lists."""

    def __init__(self, table: TablePartition, blobs: BlobStore, now: Callable[[], datetime]) -> None:
        self._table = table
        self._blobs = blobs
        self._now = now

    @classmethod
    def for_tenant(
        cls,
        clients: StorageClients,
        tenant: TenantContext,
        tokens: PageTokenSigner,
        now: Callable[[], datetime],
    ) -> InsightStore:
        return cls(
            OrgTable(clients, tenant, TableName.INSIGHTS, tokens=tokens), OrgContainer(clients, tenant), now
        )

    def ledger(self) -> LedgerStore:
        """The realised-savings ledger rows (rows of the runs that realised them)."""
        return LedgerStore(self._table)

    # -- publishing ---------------------------------------------------------------------------------------

    def publish(self, run: ComputedRun) -> PublishedRun:
        """Write the run's lists and summaries, then flip `day|<as_of>` and (if newest) `current`.

        Idempotent: a redelivered message for a run already named by its day pointer only re-checks the
        `current` pointer; a run collected before the day's published run (a late redelivery) is not
        published over it. (Two computations of one day racing each other: the last pointer write wins,
        and either way readers see one whole run.)
        """
        existing = self.published(run.as_of)
        if existing is not None and existing.run_id == run.run_id:
            self._flip_current(existing, self._pointer_properties_of(run.as_of))
            return existing
        if existing is not None and existing.collected_at > run.collected_at:
            log.info(
                "run %s is older than the published run %s of its day; not published",
                run.run_id,
                existing.run_id,
            )
            return existing
        lists: dict[str, DetailListInfo] = {}
        for list_id, rows in run.lists.items():
            blob = list_blob_name(run.as_of, run.run_id, list_id)
            written = self._blobs.write_jsonl_gz(blob, rows())
            count = written if isinstance(written, int) else int(getattr(written, "rows", 0))
            lists[list_id] = DetailListInfo(list_id=list_id, blob=blob, rows=count)
        self._table.upsert_many(_rows(run))
        published = PublishedRun(
            run_id=run.run_id,
            as_of=run.as_of,
            collected_at=run.collected_at,
            published_at=self._now(),
            lists=lists,
            warnings=[w.code for w in run.warnings],
        )
        properties = self._pointer_properties(published, run)
        self._table.upsert(compose_key(DAY, run.as_of.isoformat()), properties)
        self._flip_current(published, properties)
        return published

    @staticmethod
    def _pointer_properties(published: PublishedRun, run: ComputedRun) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "run": published.model_dump_json(),
            "as_of": published.as_of.isoformat(),
            "run_id": published.run_id,
        }
        for family, values in run.trend.items():
            properties[f"t_{family.value}"] = json.dumps(values, separators=(",", ":"))
        adoption = run.payloads.get(Family.ADOPTION)
        daily = getattr(adoption, "daily", [])
        backfill = {d.day.isoformat(): [d.active.get(k, 0) for k in DAILY_ACTIVE_KEYS] for d in daily}
        text = json.dumps(backfill, separators=(",", ":"))
        if len(text) <= CHUNK_CHARS:
            properties["backfill"] = text
        return properties

    def _pointer_properties_of(self, as_of: date) -> dict[str, Any]:
        entity = self._table.get(compose_key(DAY, as_of.isoformat()))
        return dict(entity.properties)

    def _flip_current(self, published: PublishedRun, properties: dict[str, Any]) -> None:
        """Point `current` at this run unless a newer day is already current (optimistic concurrency)."""
        for _ in range(_POINTER_RETRIES):
            try:
                entity = self._table.get(CURRENT)
            except NotFoundError:
                try:
                    self._table.insert(CURRENT, properties)
                    return
                except AlreadyExistsError:
                    continue
            current = PublishedRun.model_validate_json(entity.properties["run"])
            if current.run_id == published.run_id or current.as_of > published.as_of:
                return
            try:
                self._table.update(CURRENT, properties, etag=entity.etag)
                return
            except (ConcurrencyError, NotFoundError):
                continue
        raise ConcurrencyError("could not move the current insights pointer: too much contention")

    # -- reading ------------------------------------------------------------------------------------------

    def _pointer(self, row_key: str) -> tuple[PublishedRun, dict[str, Any]] | None:
        try:
            entity = self._table.get(row_key)
        except NotFoundError:
            return None
        return PublishedRun.model_validate_json(entity.properties["run"]), entity.properties

    def current(self) -> PublishedRun | None:
        found = self._pointer(CURRENT)
        return found[0] if found else None

    def published(self, as_of: date | None = None) -> PublishedRun | None:
        """The run published for `as_of` (None: the current one), or None."""
        found = self._pointer(CURRENT if as_of is None else compose_key(DAY, as_of.isoformat()))
        return found[0] if found else None

    def published_before(self, as_of: date) -> PublishedRun | None:
        """The run published for the newest day before `as_of`, or None."""
        newest = None
        for entity in self._table.query(
            start=compose_key(DAY, ""), end=compose_key(DAY, as_of.isoformat()), select=["RowKey", "run"]
        ):
            newest = entity
        return None if newest is None else PublishedRun.model_validate_json(newest.properties["run"])

    def published_between(self, start: date, end: date) -> list[PublishedRun]:
        """The runs published for the days `start`..`end` inclusive, oldest first."""
        rows = self._table.query(
            start=compose_key(DAY, start.isoformat()),
            end=compose_key(DAY, (end + timedelta(days=1)).isoformat()),
            select=["RowKey", "run"],
        )
        return [PublishedRun.model_validate_json(entity.properties["run"]) for entity in rows]

    def summary(self, family: Family, as_of: date | None = None) -> Payload | None:
        """The family's payload of the published run for `as_of` (None: current), or None if none."""
        run = self.published(as_of)
        return None if run is None else self.summary_of(family, run)

    def summary_of(self, family: Family, run: PublishedRun) -> Payload | None:
        text = "".join(
            entity.properties["p"]
            for entity in self._table.query(prefix=_summary_prefix(family, run.as_of, run.run_id))
        )
        return PAYLOAD_MODELS[family].model_validate_json(text) if text else None

    def iter_list(self, run: PublishedRun, list_id: str) -> Iterator[dict[str, Any]]:
        """The rows of one detail list of `run`, streamed; `NotFoundError` once retention removed it."""
        return self._blobs.iter_jsonl_gz(run.lists[list_id].blob)

    def iter_report(self, report_id: str, as_of: date | None = None) -> Iterator[dict[str, Any]] | None:
        """The rows of a detail list of the published run, streamed; None if no such list or run."""
        run = self.published(as_of)
        if run is None or report_id not in run.lists:
            return None
        return self._blobs.iter_jsonl_gz(run.lists[report_id].blob)

    def trend(self, family: Family, start: date, end: date) -> TrendSeries:
        """Daily series of the family's headline numbers from published runs, `start`..`end` inclusive.

        Adoption days without a run are backfilled from the newest run's daily counts report
        (`<workload>.daily_active`, source `counts_report`).
        """
        points: dict[date, TrendPoint] = {}
        if start <= end:
            rows = self._table.query(
                start=compose_key(DAY, start.isoformat()),
                end=compose_key(DAY, (end + timedelta(days=1)).isoformat()),
            )
            for entity in rows:
                run = PublishedRun.model_validate_json(entity.properties["run"])
                values = json.loads(entity.properties.get(f"t_{family.value}", "{}"))
                points[run.as_of] = TrendPoint(day=run.as_of, run_id=run.run_id, values=values)
            if family is Family.ADOPTION:
                self._backfill(points, start, end)
        return TrendSeries(family=family, start=start, end=end, points=[points[d] for d in sorted(points)])

    def _backfill(self, points: dict[date, TrendPoint], start: date, end: date) -> None:
        found = self._pointer(CURRENT)
        if found is None or "backfill" not in found[1]:
            return
        backfill: dict[str, list[int]] = json.loads(found[1]["backfill"])
        for day_text, counts in backfill.items():
            day = date.fromisoformat(day_text)
            if start <= day <= end and day not in points:
                values: dict[str, float | None] = dict.fromkeys(adoption_trend_fields())
                for key, count in zip(DAILY_ACTIVE_KEYS, counts, strict=True):
                    values[f"{key}.daily_active"] = float(count)
                points[day] = TrendPoint(day=day, run_id=None, source="counts_report", values=values)


# -- retention: which runs expire ----------------------------------------------------------------------------
# A day with several runs keeps the run its pointers name (else the day's latest published run); the others
# go once they have ended (published or failed, or have no run record left). A run still in progress is
# never touched, whatever its day.

_ENDED = frozenset({"published", "failed"})

RunKey = tuple[date, str]  # (as_of, run_id)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class InsightRowKey:
    """What an `insights` RowKey names: a pointer (`run` is None) or a row of one run."""

    kind: str
    as_of: date | None
    run: RunKey | None


def parse_insight_row_key(row_key: str) -> InsightRowKey | None:
    """None for rows that are neither a pointer nor a run's row (left alone)."""
    if row_key == CURRENT:
        return InsightRowKey(CURRENT, None, None)
    parts = split_key(row_key)
    day = _day(parts[1]) if len(parts) > 1 else None
    if day is None:
        return None
    if parts[0] == DAY and len(parts) == 2:
        return InsightRowKey(DAY, day, None)
    return InsightRowKey(parts[0], day, (day, parts[2])) if len(parts) >= 3 else None


def _pointer_target(entity: Entity) -> RunKey | None:
    """The run a pointer row names (its `as_of` and `run_id` columns, see `_pointer_properties`)."""
    fields: Mapping[str, Any] = entity.properties
    day = _day(str(fields.get("as_of", "")))
    run_id = fields.get("run_id")
    return (day, run_id) if day is not None and isinstance(run_id, str) else None


def kept_runs(pointers: Iterable[RunKey], records: Iterable[RunRecord]) -> dict[date, str]:
    """The run kept for each day: the one a pointer names, else the day's latest published run."""
    kept: dict[date, str] = {}
    latest: dict[date, RunRecord] = {}
    for record in records:
        if record.state == "published":
            best = latest.get(record.as_of)
            if best is None or record.updated_at > best.updated_at:
                latest[record.as_of] = record
    kept.update({day: record.run_id for day, record in latest.items()})
    kept.update(dict(pointers))
    return kept


def runs_to_remove(
    runs: Iterable[RunKey], kept: Mapping[date, str], states: Mapping[str, str], cutoff: date
) -> set[RunKey]:
    """Runs older than `cutoff`, and ended runs of a day whose kept run is another one."""
    remove: set[RunKey] = set()
    for day, run_id in runs:
        expired = day < cutoff
        superseded = day in kept and kept[day] != run_id and states.get(run_id, "failed") in _ENDED
        if expired or superseded:
            remove.add((day, run_id))
    return remove


@dataclass(frozen=True)
class ExpiredInsightRuns:
    """What of an organisation's insight runs the retention job removes, found (nothing deleted yet)."""

    rows: Rows  # the rows of the runs that go
    blob_prefixes: list[str]  # `insights/<as_of>/<run_id>/` of the runs that go and have detail lists
    pointers: Rows  # the pointers of days before the cutoff
    run_ids: list[str]  # the run records of days before the cutoff (`shared.runs` deletes them)


def _run_folders(container: OrgContainer) -> set[RunKey]:
    """The runs that have detail lists under `insights/<as_of>/<run_id>/`."""
    folders: set[RunKey] = set()
    try:
        for blob in container.list_blobs("insights/"):
            parts = blob.name.split("/")
            if len(parts) > 3 and (as_of := _day(parts[1])) is not None:
                folders.add((as_of, parts[2]))
    except NotFoundError:  # no container: nothing to remove
        return set()
    return folders


def expired_insight_runs(services: Services, tenant: TenantContext, cutoff: date) -> ExpiredInsightRuns:
    """Runs of days before `cutoff` and superseded runs of any day: their rows and detail lists; and the
    pointers and run records of days before `cutoff`. Read-only, so the job may call it again."""
    table = OrgTable(services.storage, tenant, TableName.INSIGHTS, tokens=services.page_signer)
    rows: dict[RunKey, list[str]] = defaultdict(list)
    pointers: list[RunKey] = []
    stale_pointers: list[str] = []
    for entity in table.query():
        parsed = parse_insight_row_key(entity.row_key)
        if parsed is not None and parsed.run is not None:
            rows[parsed.run].append(entity.row_key)
        elif parsed is not None:
            target = _pointer_target(entity)
            pointers.extend([target] if target is not None else [])
            pointer_day = parsed.as_of or (target[0] if target else None)
            if pointer_day is not None and pointer_day < cutoff:
                stale_pointers.append(entity.row_key)
    folders = _run_folders(OrgContainer(services.storage, tenant))
    records = list(services.org(tenant).runs.iter_all())
    states = {record.run_id: record.state for record in records}
    removed = sorted(runs_to_remove(set(rows) | folders, kept_runs(pointers, records), states, cutoff))
    return ExpiredInsightRuns(
        rows=Rows(table, [row_key for run in removed for row_key in rows.get(run, [])]),
        blob_prefixes=[
            f"insights/{as_of}/{run_id}/" for as_of, run_id in removed if (as_of, run_id) in folders
        ],
        pointers=Rows(table, stale_pointers),
        run_ids=[record.run_id for record in records if record.as_of < cutoff],
    )


def iter_current_runs(clients: StorageClients) -> Iterator[tuple[str, PublishedRun]]:
    """Every organisation's current published run, as (org id, run): one query across the fleet, for
    the fleet-wide jobs (capacity), never for a request of one organisation."""
    for org_id, row in scan_row(clients, TableName.INSIGHTS, CURRENT, ["run"]):
        if row["run"]:
            yield org_id, PublishedRun.model_validate_json(row["run"])


INSIGHTS_OWNER = TableOwner.of_organisation_table(
    TableName.INSIGHTS,
    __name__,
    keeps="names no member; runs expire as a whole, rows and detail lists (`expired_insight_runs`)",
)
