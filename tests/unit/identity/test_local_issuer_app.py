"""The local issuer's dev token endpoint answers loopback clients only."""

from __future__ import annotations

import asyncio
from collections import Counter
from unittest import mock

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from dev.oidc.app import create_app
from dev.oidc.issuer import TOKEN_PATH, LocalIssuer


def call_token_endpoint(peer: str) -> web.StreamResponse:
    app = create_app(LocalIssuer("http://127.0.0.1:1"), Counter())
    handler = next(
        route.handler
        for route in app.router.routes()
        if route.resource and route.resource.canonical == TOKEN_PATH
    )
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 50000) if name == "peername" else default
    )
    request = make_mocked_request("POST", TOKEN_PATH, app=app, transport=transport)

    async def call() -> web.StreamResponse:
        return await handler(request)

    return asyncio.run(call())


@pytest.mark.parametrize("peer", ["203.0.113.5", "10.0.0.2", "::ffff:203.0.113.5"])
def test_remote_clients_are_forbidden(peer: str):
    with pytest.raises(web.HTTPForbidden):
        call_token_endpoint(peer)


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1"])
def test_loopback_clients_get_past_the_check(peer: str):
    with pytest.raises(web.HTTPBadRequest):  # the mocked request has no JSON body
        call_token_endpoint(peer)
