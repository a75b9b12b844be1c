"""The resumable-step machinery of deletion jobs, and the deletions every step is made of.

A job is an ordered list of steps. Each step first counts what it will remove and records the count in
the receipt (once: a redelivered job keeps the first count, so a crash never loses or doubles what is
reported), then deletes in batches, calling the hook after each batch; when it ends the receipt lists it
as done and a redelivery skips it. Every deletion treats "already gone" as done, so re-running the step
that was interrupted is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from shared.lifecycle.receipts import Receipt, ReceiptRepository
from shared.ownership import Rows
from shared.storage import TablePartition

DeletionHook = Callable[[int], None]  # called after each batch of deletions with its size
BATCH = 100  # one entity group transaction


def _no_hook(_count: int) -> None:
    return None


class Progress:
    """`receipts` None keeps the receipt in memory only (a restore re-applying a journalled deletion)."""

    def __init__(
        self, receipts: ReceiptRepository | None, receipt: Receipt, hook: DeletionHook | None
    ) -> None:
        self._receipts = receipts
        self.receipt = receipt
        self._hook = hook or _no_hook

    def is_done(self, kind: str) -> bool:
        return kind in self.receipt.steps_done

    def plan(self, kind: str, count: int) -> None:
        """Record how many `kind` this step removes, unless an earlier delivery already did."""
        if kind not in self.receipt.removed:
            self._save(removed={**self.receipt.removed, kind: count})

    def deleted(self, count: int) -> None:
        self._hook(count)

    def finish(self, kind: str) -> None:
        self._save(steps_done=[*self.receipt.steps_done, kind])

    def _save(self, **changes: object) -> None:
        self.receipt = self.receipt.model_copy(update=changes)
        if self._receipts is not None:
            self.receipt = self._receipts.save(self.receipt)


@dataclass(frozen=True)
class Step:
    kind: str  # the receipt's name for what it removes, e.g. "audit" or "blobs"
    run: Callable[[Progress], None]


def delete_rows(partition: TablePartition, row_keys: Iterable[str], progress: Progress) -> None:
    """Delete rows of one partition in transactions of up to 100, reporting each batch."""
    keys: Iterator[str] = iter(row_keys)
    while batch := list(islice(keys, BATCH)):
        partition.delete_many(batch)
        progress.deleted(len(batch))


def delete_owned_rows(found: list[Rows], kind: str, progress: Progress) -> None:
    """Record how many rows the owners found, then delete them partition by partition."""
    progress.plan(kind, sum(len(rows.row_keys) for rows in found))
    for rows in found:
        delete_rows(rows.partition, rows.row_keys, progress)
