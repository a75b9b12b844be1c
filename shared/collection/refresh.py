"""One `refresh-tenant` message: claim the run, collect within the time budget, checkpoint, and say
what to enqueue next (this run's next continuation, or `compute-insights`).

At-least-once delivery: the run id is fixed per organisation and day, the run record is written with
its ETag, and a message acts only when its `continuation` equals the record's `continuations`. While an
invocation works, its datasets are `running`; a duplicate that finds them so (and the record fresh) is
deferred rather than run twice; one that finds them released takes over where the cursors say.

A run never stays `collecting` when it cannot progress: credentials Entra ID refuses (permanent) end it
`failed` at once; an unexpected error is retried by the host, and its last delivery (before the poison
queue) ends the run `failed` too. Either way the reason is on the run and, when the customer must act,
on the integration (`status: error`, `last_error`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from azure.storage.blob.aio import ContainerClient

from shared.collection.carry_forward import KEPT, find_earlier, gives_up, keep_earlier, late
from shared.collection.datasets import Budget, Collector, Cursor, Outcome
from shared.collection.encoding import DEFAULT_MEMBER_BYTES
from shared.collection.progress import FINAL, build_manifest, resume_cursor, run_warnings, to_progress
from shared.collection.run import (
    DEFAULT_CONCURRENCY,
    REQUIRED,
    collect_datasets,
    failure_reason,
    permission_missing,
)
from shared.collection.sinks import BlobSink
from shared.graph import (
    CredentialError,
    GovernorConfig,
    GraphSession,
    Priority,
    QuotaGate,
    QuotaGovernor,
    tenant_credential,
    verify_credentials,
)
from shared.integrations import IntegrationRepository
from shared.messages import MAX_DEQUEUE_COUNT, ComputeInsights, RefreshTenant
from shared.organisations import organisation_is_active
from shared.runs import DatasetProgress, RunRecord, RunRepository, new_run
from shared.secrets import SecretNotFoundError, SecretStore
from shared.snapshot import Dataset, snapshot_prefix
from shared.storage import ConcurrencyError, PageTokenSigner, StorageClients, org_container_name
from shared.storage.block_blobs import AsyncBlobFolder

# An invocation may run past its budget to the next checkpoint (see encoding) or a report's end.
LEASE_GRACE = timedelta(minutes=10)
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RefreshConfig:
    graph_base_url: str
    graph_authority: str
    time_budget_seconds: float
    member_bytes: int = DEFAULT_MEMBER_BYTES
    concurrency: int = DEFAULT_CONCURRENCY
    # The fleet-wide governor of Graph's shared quotas; None: none (a single collection, tests).
    quota: GovernorConfig | None = None


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What the queue function sends: through its output bindings, or (`defer`) delayed by a sender."""

    continuation: RefreshTenant | None = None
    compute: ComputeInsights | None = None
    defer_seconds: int = 0


def _held(record: RunRecord, now: datetime, lease: timedelta) -> bool:
    running = any(progress.status == "running" for progress in record.datasets.values())
    return record.state == "collecting" and running and now - record.updated_at < lease


class Refresh:
    def __init__(
        self,
        clients: StorageClients,
        tokens: PageTokenSigner,
        secrets: SecretStore,
        config: RefreshConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._clients = clients
        self._tokens = tokens
        self._secrets = secrets
        self._config = config
        self._clock = clock
        self._governor = QuotaGovernor(clients, tokens, config.quota) if config.quota is not None else None

    async def handle(self, message: RefreshTenant, *, last_delivery: bool = False) -> RefreshResult:
        """`last_delivery`: a failure now sends the message to the poison queue, so the run must end."""
        if not organisation_is_active(self._clients, message.tenant, self._tokens):
            # Offboarded (or being offboarded): a message still in flight must not recreate its run.
            return RefreshResult()
        runs = RunRepository(self._clients, message.tenant, self._tokens)
        now = self._clock()
        record = runs.create_if_absent(new_run(message.run_id, message.as_of, message.trigger, now))
        lease = timedelta(seconds=self._config.time_budget_seconds) + LEASE_GRACE
        if record.state not in ("queued", "collecting") or message.continuation > record.continuations:
            return RefreshResult()
        if message.continuation < record.continuations:
            # The previous invocation saved its checkpoint but its output (this continuation) may have
            # been lost with a crash before the host wrote it: send it again. Duplicates are harmless.
            lost = message.continuation == record.continuations - 1 and not _held(record, now, lease)
            next_message = message.model_copy(update={"continuation": record.continuations})
            return RefreshResult(continuation=next_message if lost else None)
        if _held(record, now, lease):
            remaining = lease - (now - record.updated_at)
            return RefreshResult(defer_seconds=max(1, int(remaining.total_seconds())))
        try:
            return await self._collect(message, runs, record)
        except BaseException as error:
            if not last_delivery:
                self._release(runs, message.run_id)
                raise
            # The host gives up on this message now: the run must not stay `collecting` behind it.
            log.exception("refresh-tenant: run %s failed on its last delivery", message.run_id)
            reason = (
                f"the refresh failed {MAX_DEQUEUE_COUNT} times in a row ({type(error).__name__}); "
                "the next scheduled refresh, or refresh now, tries again"
            )
            self._fail(runs, message.run_id, reason)
            raise

    async def _collect(self, message: RefreshTenant, runs: RunRepository, record: RunRecord) -> RefreshResult:
        integrations = IntegrationRepository(self._clients, message.tenant, self._tokens)
        integration = integrations.find()
        if integration is None:
            return self._fail(runs, record.run_id, "the organisation has no Microsoft 365 integration")
        try:
            secret = self._secrets.get(integration.secret_name)
        except SecretNotFoundError:
            return self._fail(
                runs, record.run_id, "the integration's client secret is missing: connect the tenant again"
            )
        # Every dataset, whoever created the record: one listed nowhere would never be collected.
        everything = {dataset.value: DatasetProgress() for dataset in Dataset} | record.datasets
        claimed = {
            name: p if p.status in FINAL else p.model_copy(update={"status": "running"})
            for name, p in everything.items()
        }
        timings = record.timings.model_copy(
            update={"collect_started": record.timings.collect_started or self._clock()}
        )
        try:
            record = runs.save(
                record.model_copy(update={"state": "collecting", "datasets": claimed, "timings": timings}),
                now=self._clock(),
            )
        except ConcurrencyError:
            return RefreshResult()  # another delivery of this message claimed it first
        credential = tenant_credential(
            self._config.graph_authority, integration.tenant_id, integration.client_id, secret
        )
        gate = None
        if self._governor is not None:
            # A member's "refresh now" goes ahead of the nightly batch for the shared quotas.
            priority = Priority.MEMBER if message.trigger == "member" else Priority.BATCH
            gate = QuotaGate(self._governor, integration.client_id, integration.tenant_id, priority)
        try:
            async with (
                GraphSession(self._config.graph_base_url, credential, quota=gate) as session,
                self._clients.async_blob_service() as blobs,
            ):
                await verify_credentials(credential)
                container = blobs.get_container_client(org_container_name(message.org_id))
                sink = BlobSink(container, snapshot_prefix(message.as_of, message.run_id))
                collector = Collector(
                    session, sink, Budget.seconds(self._config.time_budget_seconds), self._config.member_bytes
                )
                work = {
                    Dataset(name): resume_cursor(p)
                    for name, p in record.datasets.items()
                    if p.status not in FINAL
                }
                outcomes = await self._collect_in_time(
                    collector, work, record, runs=runs, container=container, sink=sink
                )
                datasets = record.datasets | {
                    dataset.value: to_progress(o) for dataset, o in outcomes.items()
                }
                sign_ins = outcomes.get(Dataset.SIGN_IN_ACTIVITY)
                if self._governor is not None and sign_ins is not None and sign_ins.status == "complete":
                    # The tenant's size, for tomorrow's plan of the fleet's shared quota.
                    self._governor.record_accounts(
                        integration.client_id, integration.tenant_id, sign_ins.rows
                    )
                if all(p.status in FINAL for p in datasets.values()):
                    manifest = build_manifest(
                        message.run_id, message.as_of, integration.tenant_id, self._clock(), datasets
                    )
                    await sink.write_manifest(manifest)
        except CredentialError as refused:
            # Permanent: the same credentials fail every retry. The customer must connect again.
            reason = f"Microsoft Entra ID refused the connection: {refused.field}: {refused}"
            integrations.record_failure(reason, self._clock())
            return self._fail(runs, record.run_id, reason)
        return self._conclude(runs, record, datasets, message)

    async def _collect_in_time(
        self,
        collector: Collector,
        work: dict[Dataset, Cursor | None],
        record: RunRecord,
        *,
        runs: RunRepository,
        container: ContainerClient,
        sink: BlobSink,
    ) -> dict[Dataset, Outcome]:
        """The datasets, but sign-in activity the run can no longer wait for is kept from an earlier run."""
        kept: dict[Dataset, Outcome] = {}
        # When the deadline passed before this invocation, the earlier copy is kept without asking Graph.
        late_already = KEPT in work and late(record, self._clock())
        if late_already and (earlier := await self._keep_earlier(runs, record, container, sink)) is not None:
            kept[KEPT] = earlier
            work = {dataset: cursor for dataset, cursor in work.items() if dataset is not KEPT}
        outcomes = kept | await collect_datasets(collector, work, self._config.concurrency)
        unfinished = outcomes.get(KEPT)
        if unfinished is not None and gives_up(unfinished, record, self._clock()):
            outcomes[KEPT] = await self._keep_earlier(runs, record, container, sink) or unfinished
        return outcomes

    async def _keep_earlier(
        self, runs: RunRepository, record: RunRecord, container: ContainerClient, sink: BlobSink
    ) -> Outcome | None:
        """Sign-in activity copied from the newest earlier run that has it; None when none has."""
        earlier = find_earlier(runs, record)
        kept = None if earlier is None else await keep_earlier(AsyncBlobFolder(container, ""), sink, earlier)
        if kept is not None:
            log.warning("run %s: sign-in activity not read in time; kept from %s", record.run_id, kept.as_of)
        return kept

    def _conclude(
        self,
        runs: RunRepository,
        record: RunRecord,
        datasets: dict[str, DatasetProgress],
        message: RefreshTenant,
    ) -> RefreshResult:
        if not all(p.status in FINAL for p in datasets.values()):
            runs.save(
                record.model_copy(update={"datasets": datasets, "continuations": record.continuations + 1}),
                now=self._clock(),
            )
            return RefreshResult(
                continuation=message.model_copy(update={"continuation": record.continuations + 1})
            )
        failed_required = [d for d in sorted(REQUIRED) if datasets[d.value].status == "failed"]
        failed = [failure_reason(dataset, datasets[dataset.value].error) for dataset in failed_required]
        timings = record.timings.model_copy(update={"collect_finished": self._clock()})
        runs.save(
            record.model_copy(
                update={
                    "datasets": datasets,
                    "warnings": run_warnings(datasets),
                    "state": "failed" if failed else "computing",
                    "error": ("required dataset failed: " + "; ".join(failed)) if failed else None,
                    "timings": timings,
                }
            ),
            now=self._clock(),
        )
        if any(permission_missing(datasets[d.value].error) for d in failed_required):
            IntegrationRepository(self._clients, message.tenant, self._tokens).record_failure(
                "the last refresh failed: " + "; ".join(failed), self._clock()
            )
        if failed:
            return RefreshResult()
        return RefreshResult(
            compute=ComputeInsights(org_id=message.org_id, run_id=message.run_id, as_of=message.as_of)
        )

    def _fail(self, runs: RunRepository, run_id: str, reason: str) -> RefreshResult:
        """End the run `failed`: the reason on the run, and on each dataset it did not finish."""
        record = runs.get(run_id)
        if record.state not in ("queued", "collecting"):
            return RefreshResult()  # someone else moved the run on; their outcome stands
        datasets = {
            name: p if p.status in FINAL else p.model_copy(update={"status": "failed", "error": reason})
            for name, p in record.datasets.items()
        }
        # A concurrency error means someone else wrote the run since; their outcome stands.
        with suppress(ConcurrencyError):
            runs.save(
                record.model_copy(
                    update={
                        "state": "failed",
                        "error": reason,
                        "datasets": datasets,
                        "warnings": run_warnings(datasets),
                    }
                ),
                now=self._clock(),
            )
        return RefreshResult()

    def _release(self, runs: RunRepository, run_id: str) -> None:
        """After an unexpected error: hand the datasets back so the retried message may resume them."""
        try:
            record = runs.get(run_id)
            released = {
                name: p.model_copy(update={"status": "pending"}) if p.status == "running" else p
                for name, p in record.datasets.items()
            }
            runs.save(record.model_copy(update={"datasets": released}), now=self._clock())
        except Exception:  # noqa: S110 -- best effort: the lease expires on its own
            pass
