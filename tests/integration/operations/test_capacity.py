"""Monitoring: a filled queue and an organisation whose insights are older than the objective are both
recorded as breaches; the high one becomes an incident, mailed to on call through the local SMTP server."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dev.smtp import RunningMailbox
from shared.integrations import IntegrationRepository, M365Integration, secret_name_for
from shared.messages import Retention
from shared.operations.incidents import IncidentBook
from shared.operations.jobs import run_monitoring
from shared.operations.notifications import Notifier
from shared.services import Services
from shared.storage import QueueName, QueueSender, TenantContext
from tests.integration.api.client import FakeClock
from tests.integration.api.conftest import MakeOrg

QUEUE_LIMIT = 5


def test_a_full_queue_and_stale_insights_are_breaches_and_the_high_one_an_incident(
    fresh_org: MakeOrg, services: Services, notifier: Notifier, clock: FakeClock, mailbox: RunningMailbox
) -> None:
    org = fresh_org("Stale Data Ltd")
    tenant = TenantContext(org.super_admin.call("GET", "/api/v1/organisation").json()["org_id"])
    connected = M365Integration(
        tenant_id="00000000-0000-4000-8000-000000000001",
        client_id="00000000-0000-4000-8000-000000000002",
        secret_name=secret_name_for(tenant),
        connected_at=clock(),
    )
    IntegrationRepository(services.storage, tenant, services.page_signer).save(connected)
    sender = QueueSender(services.storage, QueueName.RETENTION)
    client = services.storage.queue_client(QueueName.RETENTION)
    client.clear_messages()
    for _ in range(QUEUE_LIMIT + 1):
        sender.send(Retention(org_id=tenant.org_id, requested_on=clock().date()))
    limited = replace(
        services, settings=services.settings.model_copy(update={"queue_length_limit": QUEUE_LIMIT})
    )
    try:
        with clock.travel():
            clock.advance(hours=37)  # never published since it connected: past the 36-hour objective
            report = run_monitoring(limited, notifier, clock())
    finally:
        client.clear_messages()

    assert report.claimed
    breaches = {(breach.limit_id, breach.subject): breach for breach in report.breaches}
    full = breaches[("queue-length", QueueName.RETENTION.value)]
    assert (full.value, full.threshold, full.severity, full.incident_id) == (
        QUEUE_LIMIT + 1,
        QUEUE_LIMIT,
        "medium",
        None,
    )
    stale = breaches[("data-freshness", f"org={tenant.org_id}")]
    assert stale.severity == "high" and 37 <= stale.value < 38 and stale.threshold == 36
    incident = IncidentBook(services.storage, services.page_signer, notifier).get(stale.incident_id or "")
    assert (incident.org_ids, incident.priority, incident.customer_impacting) == ([tenant.org_id], "P1", True)
    mail = mailbox.wait_for(lambda message: message["X-Insight365-Incident"] == incident.incident_id)
    assert "Hours since an organisation's insights were published" in str(mail["Subject"])
    # Operators see the same breaches as platform health.
    recorded = {breach.breach_id for breach in report.breaches}
    assert {full.breach_id, stale.breach_id} <= recorded
    assert incident.acknowledge_by - incident.opened_at == timedelta(minutes=15)
