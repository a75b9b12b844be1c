"""Collecting one dataset: stream pages or a report into a sink, stopping at a checkpoint when the
invocation's time budget runs out, and resuming from the saved `Cursor` later."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal

import httpx
from kiota_abstractions.request_information import RequestInformation

from shared.collection.csv_values import is_concealed
from shared.collection.encoding import DEFAULT_MEMBER_BYTES, JsonlGzEncoder
from shared.collection.graph_records import Item
from shared.collection.report_parsing import NAME_FIELD, ReportParser, csv_lines
from shared.collection.sinks import DatasetWriter, Position, Sink
from shared.collection.sources import SOURCES, JsonSource, ReportSource
from shared.graph import GraphError, GraphSession
from shared.snapshot import Dataset

Status = Literal["complete", "suspended", "failed", "unavailable"]
REPORTS_CONCEALED = "reports_concealed"


@dataclass(frozen=True, slots=True)
class Budget:
    """When this invocation must stop starting work and checkpoint (a `time.monotonic` deadline)."""

    deadline: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def seconds(cls, seconds: float) -> Budget:
        return cls(time.monotonic() + seconds)

    def expired(self) -> bool:
        return self.clock() >= self.deadline


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a suspended dataset resumes: its listing, the absolute nextLink, and what is durable."""

    request: int
    next_link: str | None
    rows: int
    size: int
    parts: int

    def dumps(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def loads(cls, text: str) -> Cursor:
        return cls(**json.loads(text))


@dataclass(slots=True)
class Outcome:
    status: Status
    rows: int = 0
    bytes: int = 0
    sha256: str = ""
    endpoint: str = ""
    as_of: date | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    cursor: Cursor | None = None


@dataclass(frozen=True, slots=True)
class Collector:
    session: GraphSession
    sink: Sink
    budget: Budget
    member_bytes: int = DEFAULT_MEMBER_BYTES

    async def collect(self, dataset: Dataset, cursor: Cursor | None = None) -> Outcome:
        return await self._collect(dataset, SOURCES[dataset], cursor)

    async def _collect(
        self, dataset: Dataset, source: JsonSource | ReportSource, cursor: Cursor | None
    ) -> Outcome:
        try:
            if isinstance(source, ReportSource):
                return await self._report(dataset, source)
            read = (
                self._entity(dataset, source) if source.entity else self._collection(dataset, source, cursor)
            )
            return await read
        except GraphError as error:
            if error.page_size_refused and isinstance(source, JsonSource) and source.smaller_pages:
                # Graph once refused pages larger than it serves: start the listing again, smaller.
                return await self._collect(dataset, source.smaller_pages, None)
            if error.non_premium and isinstance(source, JsonSource) and source.unavailable_warning:
                return Outcome("unavailable", warnings=[source.unavailable_warning], error=str(error))
            return Outcome("failed", error=str(error))
        except httpx.HTTPError as error:
            return Outcome("failed", error=f"connection to Graph failed: {type(error).__name__}")

    async def _write(self, writer: DatasetWriter, data: bytes) -> None:
        if data:
            await writer.write(data)

    async def _collection(self, dataset: Dataset, source: JsonSource, cursor: Cursor | None) -> Outcome:
        requests = [self.session.freeze(info) for info in source.requests(self.session)]
        endpoint = self.session.endpoint(requests[0])
        if len(requests) > 1:
            endpoint = endpoint.split("?", 1)[0]
        resume = Position(cursor.size, cursor.parts) if cursor else None
        writer = await self.sink.open(dataset.blob_name, resume)
        encoder = JsonlGzEncoder(self.member_bytes)
        done_rows = cursor.rows if cursor else 0
        warnings: list[str] = []
        for index in range(cursor.request if cursor else 0, len(requests)):
            info = requests[index]
            if cursor and index == cursor.request and cursor.next_link:
                info = self.session.request_for(cursor.next_link)
            async for page in self.session.pages(info):
                for item in page.items:
                    await self._write(writer, encoder.add(source.convert(item)))
                    if source.expand is not None:
                        await self._expand(writer, encoder, source, item, warnings)
                more = page.next_link is not None or index + 1 < len(requests)
                if not (encoder.member_full or not more):
                    continue
                await self._write(writer, encoder.end_member())
                if more and self.budget.expired():
                    position = await writer.checkpoint()
                    resume_at = Cursor(
                        request=index if page.next_link else index + 1,
                        next_link=page.next_link,
                        rows=done_rows + encoder.rows,
                        size=position.size,
                        parts=position.parts,
                    )
                    return Outcome(
                        "suspended",
                        rows=resume_at.rows,
                        bytes=position.size,
                        endpoint=endpoint,
                        cursor=resume_at,
                    )
        written = await writer.finish()
        return Outcome(
            "complete",
            rows=done_rows + encoder.rows,
            bytes=written.size,
            sha256=written.sha256,
            endpoint=endpoint,
            warnings=warnings,
        )

    async def _expand(
        self,
        writer: DatasetWriter,
        encoder: JsonlGzEncoder,
        source: JsonSource,
        item: Item,
        warnings: list[str],
    ) -> None:
        """The rows of the listings `item` calls for, right after its own (inside the same page, so a
        checkpoint never splits them from it)."""
        assert source.expand is not None
        for info, convert in source.expand(self.session, item):
            try:
                async for page in self.session.pages(self.session.freeze(info)):
                    for member in page.items:
                        await self._write(writer, encoder.add(convert(member)))
            except GraphError as error:
                if not error.permission_denied or source.expansion_denied_warning is None:
                    raise
                if source.expansion_denied_warning not in warnings:
                    warnings.append(source.expansion_denied_warning)

    async def _entity(self, dataset: Dataset, source: JsonSource) -> Outcome:
        (info,) = map(self.session.freeze, source.requests(self.session))
        row = source.convert(await self.session.get_json(info))
        encoder = JsonlGzEncoder(self.member_bytes)
        writer = await self.sink.open(dataset.blob_name, None)
        await self._write(writer, encoder.add(row) + encoder.end_member())
        written = await writer.finish()
        warnings = [REPORTS_CONCEALED] if row.get("display_concealed_names") else []
        return Outcome(
            "complete", 1, written.size, written.sha256, self.session.endpoint(info), warnings=warnings
        )

    async def _report(self, dataset: Dataset, source: ReportSource) -> Outcome:
        # A pre-authenticated download cannot be resumed part-way, so a report runs to its end. One that
        # arrives broken (cut off, or not CSV) is requested again from the start, as a JSON page is read
        # again (`GraphSession.reread_broken`); each attempt follows a fresh download URL.
        info = self.session.freeze(source.request(self.session))
        writer = await self.sink.open(dataset.blob_name, None)

        async def read() -> Outcome:
            await writer.restart()
            return await self._read_report(dataset, info, writer)

        return await self.session.reread_broken(read)

    async def _read_report(
        self, dataset: Dataset, info: RequestInformation, writer: DatasetWriter
    ) -> Outcome:
        parser = ReportParser(dataset)
        encoder = JsonlGzEncoder(self.member_bytes)
        name_field = NAME_FIELD.get(dataset)
        concealed = False
        refreshed: str | None = None
        async with self.session.stream(info) as response:
            async for lines in csv_lines(response.aiter_bytes()):
                for row in parser.rows(lines):
                    refreshed = refreshed or row["report_refresh_date"]
                    concealed = concealed or (name_field is not None and is_concealed(row[name_field]))
                    await self._write(writer, encoder.add(row))
        parser.finish()
        await self._write(writer, encoder.end_member())
        written = await writer.finish()
        return Outcome(
            "complete",
            encoder.rows,
            written.size,
            written.sha256,
            self.session.endpoint(info),
            as_of=date.fromisoformat(refreshed) if refreshed else None,
            warnings=[REPORTS_CONCEALED] if concealed else [],
        )
