"""The I/O floor: the same Graph bytes fetched by a bare httpx client and written to Azurite as they
arrive (no SDK, no parsing, no compression), with the same concurrency across datasets."""

from __future__ import annotations

import asyncio
import time

import httpx
from azure.storage.blob import BlobBlock
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from shared.collection.sources import USER_FIELDS
from shared.snapshot.roles import PRIVILEGED_ROLES

BLOCK = 4 * 1024 * 1024
REPORTS = (
    "getOffice365ActiveUserDetail(period='D30')",
    "getEmailActivityUserDetail(period='D30')",
    "getTeamsUserActivityUserDetail(period='D30')",
    "getOneDriveUsageAccountDetail(period='D30')",
    "getSharePointActivityUserDetail(period='D30')",
    "getM365AppUserDetail(period='D30')",
    "getOffice365ActiveUserCounts(period='D90')",
    "getTeamsUserActivityCounts(period='D90')",
)


def _listings(graph: str) -> list[str]:
    return [
        f"{graph}/users?$select={','.join(USER_FIELDS)}&$top=999",
        f"{graph}/users?$select=id,signInActivity&$top=120",
        f"{graph}/reports/authenticationMethods/userRegistrationDetails",
        f"{graph}/organization",
        f"{graph}/subscribedSkus",
        f"{graph}/directory/subscriptions",
        f"{graph}/admin/reportSettings",
        f"{graph}/security/secureScores?$top=30",
        f"{graph}/identity/conditionalAccess/policies",
        *(
            f"{graph}/roleManagement/directory/roleAssignments"
            f"?$filter=roleDefinitionId eq '{role}'&$expand=principal"
            for role in PRIVILEGED_ROLES
        ),
    ]


class _Blob:
    def __init__(self, container: ContainerClient, name: str) -> None:
        self._blob = container.get_blob_client(name)
        self._buffer = bytearray()
        self._ids: list[str] = []
        self.size = 0

    async def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= BLOCK:
            await self._stage()

    async def _stage(self) -> None:
        if self._buffer:
            self._ids.append(f"{len(self._ids):08d}")
            await self._blob.stage_block(self._ids[-1], bytes(self._buffer))
            self._buffer.clear()

    async def close(self) -> None:
        await self._stage()
        await self._blob.commit_block_list([BlobBlock(i) for i in self._ids])


async def _listing(http: httpx.AsyncClient, container: ContainerClient, index: int, url: str | None) -> int:
    blob = _Blob(container, f"floor/listing-{index}")
    while url:
        response = await http.get(url)
        response.raise_for_status()
        await blob.write(response.content)
        url = response.json().get("@odata.nextLink")
    await blob.close()
    return blob.size


async def _report(http: httpx.AsyncClient, container: ContainerClient, graph: str, report: str) -> int:
    blob = _Blob(container, f"floor/{report[:30]}")
    async with http.stream("GET", f"{graph}/reports/{report}") as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            await blob.write(chunk)
    await blob.close()
    return blob.size


async def io_floor(
    graph: str, token: str, connection: str, container_name: str, concurrency: int
) -> dict[str, float]:
    started = time.perf_counter()
    gate = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(headers=headers, timeout=120, follow_redirects=True) as http,
        BlobServiceClient.from_connection_string(connection) as blobs,
    ):
        container = blobs.get_container_client(container_name)

        async def gated(job: object) -> int:
            async with gate:
                return await job  # type: ignore[misc,no-any-return]

        jobs = [_listing(http, container, i, url) for i, url in enumerate(_listings(graph))]
        jobs += [_report(http, container, graph, report) for report in REPORTS]
        sizes = await asyncio.gather(*(gated(job) for job in jobs))
    return {"seconds": time.perf_counter() - started, "bytes": float(sum(sizes))}
