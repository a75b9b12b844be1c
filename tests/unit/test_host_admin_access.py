"""The local host's admin endpoint answers loopback clients only; everyone else gets 403 and runs nothing.

(From loopback it runs functions: tests/integration/host/test_queues.py drives the real host over HTTP.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from dev.host.http_server import HttpFrontEnd, is_loopback


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_peers_are_this_machine(peer: str) -> None:
    assert is_loopback(peer)


ELSEWHERE = ["203.0.113.7", "10.0.0.1", "192.168.1.20", "::ffff:10.0.0.1", "fe80::1", "::", "", None, "x"]


@pytest.mark.parametrize("peer", [*ELSEWHERE, "0.0.0.0"])  # noqa: S104 - a peer address, not a binding
def test_other_peers_are_not(peer: str | None) -> None:
    assert not is_loopback(peer)


class _Transport:
    """The one thing aiohttp asks a transport for here: the peer's address."""

    def __init__(self, peer: str) -> None:
        self._peer = peer

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return (self._peer, 50000) if name == "peername" else default


def _admin_call(peer: str, method: str = "POST") -> tuple[int, list[str]]:
    invoked: list[str] = []

    async def invoke(spec: Any, value: object, trigger: str) -> Any:
        invoked.append(spec.name)

    front = HttpFrontEnd([], route_prefix="api", body_limit=1024, invoke=invoke, admin_input=lambda _s, t: t)
    request = make_mocked_request(method, "/admin/functions/retention_sweep", transport=_Transport(peer))
    response = asyncio.run(front._handle(request))
    assert isinstance(response, web.Response)
    return response.status, invoked


@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
def test_the_admin_endpoint_refuses_a_peer_on_another_machine(method: str) -> None:
    assert _admin_call("203.0.113.7", method) == (403, [])


def test_the_admin_endpoint_serves_loopback() -> None:
    assert _admin_call("127.0.0.1") == (404, [])  # served: this front end has no such function
