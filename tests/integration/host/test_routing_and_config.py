"""Route templates and host configuration, without services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dev.host.config import HostConfigError, HostJson, parse_timespan, resolve_setting_references
from dev.host.queues import Backoff, decode_body, poison_queue_name
from dev.host.routing import RouteMatch, RouteTable, RouteTemplateError
from dev.host.storage import resolve_connection_string

TABLE: RouteTable[str] = RouteTable(
    [
        ("api/items/{id:int:min(1)}", frozenset({"GET"}), "item"),
        ("api/items/{name}", None, "named"),
        ("api/items/special", None, "special"),
        ("api/docs/{*rest}", None, "docs"),
        ("api/pages/{page=1}", None, "pages"),
        ("api/{file}.{ext}", None, "file"),
        ("api/codes/{code:minlength(2):maxlength(3)}", None, "code"),
        ("api/h/{x:regex(^a+$)}", None, "regex"),
    ]
)


@pytest.mark.parametrize(
    ("path", "target", "params"),
    [
        ("/api/items/5", "item", {"id": "5"}),
        ("/api/items/0", "named", {"name": "0"}),  # min(1) fails, the unconstrained route takes it
        ("/api/items/special", "special", {}),
        ("/api/docs", "docs", {}),
        ("/api/docs/a/b", "docs", {"rest": "a/b"}),
        ("/api/pages", "pages", {"page": "1"}),
        ("/api/pages/3", "pages", {"page": "3"}),
        ("/api/report.csv", "file", {"file": "report", "ext": "csv"}),
        ("/api/codes/ab", "code", {"code": "ab"}),
        ("/api/h/aaa", "regex", {"x": "aaa"}),
    ],
)
def test_route_matching(path: str, target: str, params: dict[str, str]) -> None:
    assert TABLE.match(path, "GET") == RouteMatch(target, params)


@pytest.mark.parametrize(
    "path", ["/api/codes/a", "/api/codes/abcd", "/api/h/ab", "/api/items", "/api/items/1/2"]
)
def test_route_rejections(path: str) -> None:
    assert TABLE.match(path, "GET") is None


def test_method_mismatch_reports_allowed_methods() -> None:
    table: RouteTable[str] = RouteTable([("api/x", frozenset({"POST", "PUT"}), "x")])
    assert table.match("/api/x", "GET") == frozenset({"POST", "PUT"})
    assert table.match("/api/x", "post") == RouteMatch("x", {})


def test_bad_templates_are_rejected() -> None:
    with pytest.raises(RouteTemplateError):
        RouteTable([("api/{*rest}/more", None, "x")])
    with pytest.raises(RouteTemplateError):
        RouteTable([("api/{id:nosuch}", None, "x")])


def test_timespans() -> None:
    assert parse_timespan("00:00:00.5") == 0.5
    assert parse_timespan("1.02:03:04") == 86400 + 7384
    with pytest.raises(HostConfigError):
        parse_timespan("5 minutes")


def test_host_json_requires_version_2(tmp_path: Path) -> None:
    (tmp_path / "host.json").write_text(json.dumps({"extensions": {}}))
    with pytest.raises(HostConfigError):
        HostJson.load(tmp_path)
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "functionTimeout": "-1"}))
    loaded = HostJson.load(tmp_path)
    assert (loaded.route_prefix, loaded.function_timeout, loaded.queues.max_dequeue_count) == ("api", None, 5)


def test_setting_references_and_connections() -> None:
    assert resolve_setting_references("%A%-%B%", {"A": "x", "B": "y"}) == "x-y"
    with pytest.raises(HostConfigError):
        resolve_setting_references("%MISSING%", {})
    settings = {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "AzureWebJobsOther": "a", "Other": "b"}
    assert "127.0.0.1:10001" in resolve_connection_string(settings, "")
    assert resolve_connection_string(settings, "Other") == "a"  # AzureWebJobs<name> first
    with pytest.raises(HostConfigError):
        resolve_connection_string({}, "Nope")


def test_base64_decoding_follows_dotnet() -> None:
    assert decode_body("aGVs\nbG8=", "base64") == b"hello"  # whitespace is ignored
    assert decode_body("hello", "base64") is None
    assert decode_body("hello", "none") == b"hello"


def test_poison_queue_names_and_backoff() -> None:
    assert poison_queue_name("orders") == "orders-poison"
    assert poison_queue_name("orders-poison") is None
    assert poison_queue_name("x" * 60) is None  # the suffixed name would be invalid
    backoff = Backoff(maximum=1.0)
    delays = [backoff.next_delay(False) for _ in range(8)]
    assert delays[0] == 0.1
    assert delays == sorted(delays)
    assert delays[-1] == 1.0
    assert backoff.next_delay(True) == 0.1
