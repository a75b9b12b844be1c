"""What every benchmark shares: the synthetic tenant's identity, the day, and a measured child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

from shared.organisations import Organisation, OrganisationRepository
from shared.storage import OrgContainer, PageTokenSigner, StorageClients, TenantContext

TENANT_ID = "8f1d6c3e-5b7a-4e2f-9c1d-2a3b4c5d6e7f"  # the synthetic tenant's id (dev.tenant.TenantSpec)
CLIENT_ID = "0b3e6d1c-3333-4000-a000-00000000be01"
TOKENS = PageTokenSigner(b"bench-only-page-token-key-0123456789abcdef")
AS_OF: date = datetime.now(UTC).date()


def measure_child(module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args...` (it prints one JSON object); that object plus the child's peak RSS."""
    command = [sys.executable, "-m", module, *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 -- our own modules
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{module} failed with exit code {process.returncode}")
    result: dict[str, Any] = json.loads(output)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def new_organisation(clients: StorageClients, name: str) -> TenantContext:
    """An active organisation with its container, as sign-up creates it (not timed)."""
    tenant = TenantContext.new_organisation()
    now = datetime.now(UTC)
    OrganisationRepository(clients, TOKENS).create(
        Organisation(org_id=tenant.org_id, name=name, created_at=now)
    )
    OrgContainer(clients, tenant).create()
    return tenant
