"""Sign-in activity that cannot be read in time is kept from the previous run, with its own date.

Real runs against Azurite and the simulator: yesterday's run collects everything; today's meets Graph's
real signInActivity quota (10 pages a minute) and a time budget that lets it read one page per invocation,
and the UK working day starts before it can finish (or Graph throttles it out). The run then finishes
with yesterday's sign-in activity copied byte for byte, dated yesterday, with a warning naming its age,
and inactivity is judged from yesterday, never as if the copy were today's.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dev.graph_sim import (
    Endpoint,
    FaultKind,
    FaultRule,
    RunningSimulator,
    SimulatorConfig,
    ThrottleMode,
    start_simulator,
)
from shared.collection import Refresh, RefreshConfig, RefreshResult
from shared.graph import GovernorConfig
from shared.insights.accounts import ordinal
from shared.insights.engine import ComputedRun, ComputeSettings, compute
from shared.insights.job import run_compute_job
from shared.integrations import IntegrationRepository, M365Integration
from shared.messages import RefreshTenant
from shared.organisations import Organisation, OrganisationRepository
from shared.runs import RunRecord, RunRepository, RunTrigger, daily_run_id
from shared.secrets import LocalSecretStore
from shared.snapshot import Dataset, records, snapshot_prefix
from shared.storage import OrgContainer, PageTokenSigner, StorageClients, TenantContext
from tests.integration.collection.conftest import AS_OF

SECRET = "sim-secret"
TOKENS = PageTokenSigner(b"k" * 32)
YESTERDAY = AS_OF - timedelta(days=1)
KEPT = "dataset_kept:sign_in_activity"
BLOB = Dataset.SIGN_IN_ACTIVITY.blob_name


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    # 3,000 accounts: 6 signInActivity pages of 500. Concealed usage reports leave sign-ins as the only
    # activity, so the inactivity figures below depend on sign-ins alone.
    config = SimulatorConfig(accounts=3000, seed=15, as_of=AS_OF, client_secret=SECRET, concealed=True)
    with start_simulator(config) as running:
        yield running


@pytest.fixture
def secrets(tmp_path: Path) -> LocalSecretStore:
    store = LocalSecretStore(tmp_path / "secrets.json")
    store.set("graph-secret", SECRET)
    return store


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _organisation(clients: StorageClients, sim: RunningSimulator) -> TenantContext:
    tenant = TenantContext(uuid.uuid4().hex)
    OrganisationRepository(clients, TOKENS).create(
        Organisation(org_id=tenant.org_id, name="Kept sign-ins", created_at=datetime.now(UTC))
    )
    OrgContainer(clients, tenant).create()
    integration = M365Integration(
        tenant_id=sim.tenant.spec.tenant_id,
        client_id=str(uuid.uuid4()),  # an app of its own: no other test's quota schedule
        secret_name="graph-secret",
        connected_at=datetime.now(UTC),
    )
    IntegrationRepository(clients, tenant, TOKENS).save(integration)
    return tenant


def _run(
    refresh: Refresh,
    message: RefreshTenant,
    after_first: Callable[[], None] = lambda: None,
) -> RefreshResult:
    """The message and every continuation it asks for, as the queue would; `after_first` runs once the
    first invocation is done (the morning comes)."""
    result = asyncio.run(refresh.handle(message))
    after_first()
    for _ in range(200):
        if result.continuation is None:
            return result
        result = asyncio.run(refresh.handle(result.continuation))
    raise AssertionError("the run never finished")


def _message(
    tenant: TenantContext, day: date, run_id: str, trigger: RunTrigger = "schedule"
) -> RefreshTenant:
    return RefreshTenant(org_id=tenant.org_id, run_id=run_id, as_of=day, trigger=trigger)


def _yesterday(clients: StorageClients, secrets: LocalSecretStore, sim: RunningSimulator) -> TenantContext:
    """An organisation whose previous day's run collected and published everything (no throttling)."""
    tenant = _organisation(clients, sim)
    sim.set_throttling(ThrottleMode.OFF)
    clock = Clock(datetime.combine(YESTERDAY, datetime.min.time(), UTC) + timedelta(hours=2))
    config = RefreshConfig(sim.graph_url, sim.base_url, 3600)
    done = _run(
        Refresh(clients, TOKENS, secrets, config, clock), _message(tenant, YESTERDAY, daily_run_id(YESTERDAY))
    )
    assert done.compute is not None
    assert run_compute_job(clients, TOKENS, done.compute, clock) is not None
    return tenant


def _today(
    clients: StorageClients, secrets: LocalSecretStore, sim: RunningSimulator, clock: Clock, scale: float = 1
) -> Refresh:
    """Graph's real signInActivity quota (time scale 1) through the governor, and a time budget of one
    page per invocation: 6 pages take a minute of quota, several invocations."""
    sim.set_throttling(ThrottleMode.REALISTIC, time_scale=scale)
    config = RefreshConfig(
        sim.graph_url, sim.base_url, 0, member_bytes=16 * 1024, quota=GovernorConfig(scale=scale)
    )
    return Refresh(clients, TOKENS, secrets, config, clock)


def _blob(clients: StorageClients, tenant: TenantContext, day: date, run_id: str) -> bytes:
    return OrgContainer(clients, tenant).read_bytes(snapshot_prefix(day, run_id) + BLOB)


def _inactive(
    clients: StorageClients, tenant: TenantContext, run_id: str, judged_on: date, *, licensed: bool = True
) -> dict[int, int]:
    """Enabled (licensed) accounts with no sign-in within 30/60/90 days of `judged_on`, from the run's
    rows."""
    container = OrgContainer(clients, tenant)
    prefix = snapshot_prefix(AS_OF, run_id)
    last = {
        row["id"].lower(): ordinal(records.SignInActivity.model_validate(row).last_successful_sign_in)
        for row in container.iter_jsonl_gz(prefix + BLOB)
    }
    counts = dict.fromkeys((30, 60, 90), 0)
    for row in container.iter_jsonl_gz(prefix + Dataset.USERS.blob_name):
        user = records.User.model_validate(row)
        if user.account_enabled is False or (licensed and not user.assigned_licenses):
            continue
        signed_in = last.get(user.id.lower(), 0)
        for days in counts:
            counts[days] += signed_in == 0 or judged_on.toordinal() - signed_in > days
    return counts


def _computed(clients: StorageClients, tenant: TenantContext, run_id: str) -> ComputedRun:
    return compute(
        OrgContainer(clients, tenant),
        as_of=AS_OF,
        run_id=run_id,
        settings=ComputeSettings(),
        now=datetime.combine(AS_OF, datetime.min.time(), UTC) + timedelta(hours=9),
    )


def _assert_kept(clients: StorageClients, tenant: TenantContext, run: RunRecord) -> None:
    """Today's run holds yesterday's sign-in activity, dated yesterday, warned, judged from yesterday."""
    assert run.state == "computing"
    progress = run.datasets[Dataset.SIGN_IN_ACTIVITY.value]
    assert (progress.status, progress.data_as_of) == ("complete", YESTERDAY)
    assert KEPT in progress.warnings and KEPT in run.warnings
    assert progress.rows == 3000
    assert _blob(clients, tenant, AS_OF, run.run_id) == _blob(
        clients, tenant, YESTERDAY, daily_run_id(YESTERDAY)
    )

    computed = _computed(clients, tenant, run.run_id)
    utilisation = computed.utilisation
    (warning,) = [w for w in utilisation.warnings if w.code == KEPT]
    assert YESTERDAY.isoformat() in warning.message and "1 day older" in warning.message
    (source,) = [s for s in utilisation.sources if s.dataset == Dataset.SIGN_IN_ACTIVITY.value]
    assert (source.status, source.data_as_of) == ("complete", YESTERDAY)
    assert utilisation.activity_basis == "sign_in"
    judged_yesterday = _inactive(clients, tenant, run.run_id, YESTERDAY)
    assert utilisation.inactive_licensed == judged_yesterday
    # The test means something only if judging the copy as today's would give other figures.
    assert judged_yesterday != _inactive(clients, tenant, run.run_id, AS_OF)
    (stale,) = [c for c in computed.assurance.checks if c.id == "stale-enabled-accounts"]
    stale_yesterday = _inactive(clients, tenant, run.run_id, YESTERDAY, licensed=False)[90]
    assert stale.evidence["stale_enabled_90"] == stale_yesterday


def test_the_working_day_starts_before_the_sign_ins_are_read(clients, secrets, sim):
    tenant = _yesterday(clients, secrets, sim)
    clock = Clock(datetime.combine(AS_OF, datetime.min.time(), UTC) + timedelta(hours=2))
    refresh = _today(clients, secrets, sim, clock)
    message = _message(tenant, AS_OF, daily_run_id(AS_OF))

    def morning() -> None:
        # After one invocation one page of six is read; 08:00 in London comes (GMT in January).
        run = RunRepository(clients, tenant, TOKENS).get(message.run_id)
        assert run.datasets[Dataset.SIGN_IN_ACTIVITY.value].status == "pending"
        clock.now = datetime(2026, 1, 15, 8, 0, 1, tzinfo=UTC)

    done = _run(refresh, message, morning)

    assert done.compute is not None
    _assert_kept(clients, tenant, RunRepository(clients, tenant, TOKENS).get(message.run_id))


def test_sign_ins_throttled_out_are_kept_even_for_a_members_refresh(clients, secrets, sim):
    tenant = _yesterday(clients, secrets, sim)
    clock = Clock(datetime.combine(AS_OF, datetime.min.time(), UTC) + timedelta(hours=10))
    refresh = _today(clients, secrets, sim, clock)
    message = _message(tenant, AS_OF, "manual-kept", trigger="member")
    # Graph keeps answering 429 with a wait longer than a request may wait: the retries give up.
    sim.set_faults(
        FaultRule(kind=FaultKind.THROTTLE, endpoints=frozenset({Endpoint.USERS_SIGNIN}), retry_after=120)
    )
    try:
        done = _run(refresh, message)
    finally:
        sim.set_faults()

    assert done.compute is not None
    _assert_kept(clients, tenant, RunRepository(clients, tenant, TOKENS).get(message.run_id))


def _assert_reads_todays_however_late(
    clients: StorageClients, secrets: LocalSecretStore, sim: RunningSimulator, tenant: TenantContext
) -> None:
    """Today's run, still reading sign-ins when the working day starts, has no copy to keep: it reads
    today's to the end."""
    clock = Clock(datetime(2026, 1, 15, 2, 0, tzinfo=UTC))
    refresh = _today(clients, secrets, sim, clock, scale=600)  # the quota is not what this is about
    message = _message(tenant, AS_OF, daily_run_id(AS_OF))

    def morning() -> None:
        clock.now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    done = _run(refresh, message, morning)

    run = RunRepository(clients, tenant, TOKENS).get(message.run_id)
    assert done.compute is not None
    progress = run.datasets[Dataset.SIGN_IN_ACTIVITY.value]
    assert (progress.status, progress.data_as_of, progress.rows) == ("complete", None, 3000)
    assert KEPT not in run.warnings


def test_with_no_earlier_copy_the_run_reads_todays_however_late(clients, secrets, sim):
    _assert_reads_todays_however_late(clients, secrets, sim, _organisation(clients, sim))


def test_when_retention_removed_the_earlier_copy_the_run_reads_todays(clients, secrets, sim):
    tenant = _yesterday(clients, secrets, sim)
    # The run record still says yesterday's sign-ins are complete, but their blob is gone.
    OrgContainer(clients, tenant).delete_prefix(snapshot_prefix(YESTERDAY, daily_run_id(YESTERDAY)))
    _assert_reads_todays_however_late(clients, secrets, sim, tenant)
