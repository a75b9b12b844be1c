"""Journey: a customer with published insights exports everything, offboards, and is left with a receipt.

Sign up → connect → refresh now → published → export (insights, reports, audit) → offboard → the same
session is refused at once → the deletion job runs on the host → the receipt, read with its id and
secret, says done → no table, blob, queue, poison queue or secret holds the organisation's id but the
records kept on purpose (`KEPT`).
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from shared.storage import TableName
from tests.journeys.conftest import Person, Stack

RECEIPT_HEADER = "X-Receipt-Secret"
# Records that keep the organisation's random id on purpose (the README's "Data we hold"): the deletion
# journal (ids and times, 36 days, so that no restore undoes the deletion), and the operations plane's
# alerts and incidents, what detections saw whenever their 5-minute timer fired during the journey
# (`new-super-admin`, `offboarding-requested` …), kept as evidence.
KEPT = {TableName.DELETION_JOURNAL, TableName.ALERTS, TableName.INCIDENTS}


def _receipt(stack: Stack, request_id: str, secret: str) -> dict[str, Any]:
    answered = stack.call("GET", f"/deletion-receipts/{request_id}", headers={RECEIPT_HEADER: secret})
    assert answered.status_code == 200, answered.text
    body: dict[str, Any] = answered.json()
    return body


def wait_for_receipt(stack: Stack, request_id: str, secret: str, timeout: float = 60) -> dict[str, Any]:
    """Poll the receipt as the requester would, until the deletion is done."""
    deadline = time.monotonic() + timeout
    receipt: dict[str, Any] = {}
    while time.monotonic() < deadline:
        receipt = _receipt(stack, request_id, secret)
        if receipt["state"] == "done":
            return receipt
        time.sleep(0.3)
    raise AssertionError(f"the deletion did not finish within {timeout} s: {receipt}")


def _traces(stack: Stack, org_id: str) -> list[str]:
    """Every place in storage and the secret store that still names the organisation."""
    storage = stack.services.storage
    found: list[str] = []
    for table in storage.table.list_tables():
        if table.name in KEPT:
            continue
        for row in storage.table.get_table_client(table.name).list_entities():
            if org_id in json.dumps(dict(row), default=str):
                found.append(f"table {table.name}: {row['PartitionKey']}/{row['RowKey']}")
    for container in storage.blob.list_containers():
        if org_id in container.name:
            found.append(f"container {container.name}")
            continue
        found += [
            f"blob {container.name}/{blob.name}"
            for blob in storage.container_client(container.name).list_blobs()
            if org_id in blob.name
        ]
    for queue in storage.queue.list_queues():
        client = storage.queue.get_queue_client(queue.name)
        for message in client.peek_messages(max_messages=32):
            text = str(message.content)
            with suppress(ValueError):
                text += base64.b64decode(text).decode("utf-8", errors="replace")
            if org_id in text:
                found.append(f"queue {queue.name}: {message.id}")
    secrets_file = Path(stack.services.settings.local_secrets_path)
    if secrets_file.exists() and org_id in secrets_file.read_text():
        found.append("secret store")
    return found


def _publish(stack: Stack, admin: Person) -> None:
    connected = stack.connect_good_tenant(admin)
    assert connected.status_code == 200, connected.text
    refresh = admin.call("POST", "/integrations/m365/refresh")
    assert refresh.status_code == 202, refresh.text
    run = stack.wait_for_run(admin, refresh.json()["run_id"])
    assert run["state"] == "published", run


def test_export_offboard_receipt_nothing_left(stack: Stack) -> None:
    admin = stack.sign_up()
    organisation = admin.get("/organisation").json()
    org_id, name = organisation["org_id"], organisation["name"]
    _publish(stack, admin)

    exported = admin.get("/organisation/export")
    assert exported.status_code == 200, exported.text
    lines = [json.loads(line) for line in gzip.decompress(exported.content).splitlines()]
    kinds = [line["kind"] for line in lines]
    assert kinds[0] == "export" and lines[-1] == {"kind": "end", "lines": len(lines) - 1}
    assert {"member", "integration", "run", "insight", "report_row", "audit"} <= set(kinds)
    published = admin.get("/insights/utilisation").json()
    exported_utilisation = next(
        line for line in lines if line["kind"] == "insight" and line["family"] == "utilisation"
    )
    assert exported_utilisation["run_id"] == published["run_id"]
    reclaim = admin.get("/reports/reclaimable-licences").json()
    exported_rows = [
        line["row"]
        for line in lines
        if line["kind"] == "report_row" and line["report"] == "reclaimable-licences"
    ]
    assert len(exported_rows) == len(reclaim["rows"])
    audited = {line["audit"]["action"] for line in lines if line["kind"] == "audit"}
    assert {"POST /api/v1/integrations/m365/refresh", "PUT /api/v1/integrations/m365"} <= audited

    offboarded = admin.call("DELETE", "/organisation", json={"confirm_name": name})
    assert offboarded.status_code == 202, offboarded.text
    request_id, secret = offboarded.json()["request_id"], offboarded.json()["receipt_secret"]

    # The same session is refused at once, for reads and writes alike, with a problem that says why.
    for refused in (admin.get("/organisation"), admin.call("PUT", "/metadata/prices", json={"prices": {}})):
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"] == "urn:insight365:problem:organisation-offboarded"

    # The host runs the deletion job from its queue; the requester follows it by receipt.
    receipt = wait_for_receipt(stack, request_id, secret)
    assert receipt["removed"]["organisation"] == 1 and receipt["removed"]["blobs"] > 0
    assert receipt["removed"]["audit"] > 0 and receipt["error"] is None
    assert org_id not in json.dumps(receipt) and admin.email not in json.dumps(receipt)

    assert _traces(stack, org_id) == []
    wrong = stack.call("GET", f"/deletion-receipts/{request_id}", headers={RECEIPT_HEADER: "not-the-secret"})
    assert wrong.status_code == 404
