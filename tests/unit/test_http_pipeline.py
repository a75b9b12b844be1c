"""The common HTTP pipeline, exercised through the app's own functions (`get_functions()`)."""

import json
import logging
import re

import azure.functions as func
import pytest
from pydantic import BaseModel

from function_app import app
from shared.http.adapter import Access, Api, ApiResponse, _client_address
from shared.http.headers import SECURITY_HEADERS
from shared.http.request import ApiRequest, RequestModel
from shared.storage.errors import EntityTooLargeError
from shared.telemetry import JsonFormatter

FUNCTIONS = {function.get_function_name(): function for function in app.get_functions()}


def call(name: str, method: str = "GET", body: bytes = b"", headers: dict[str, str] | None = None):
    user_function = FUNCTIONS[name].get_user_function()
    request = func.HttpRequest(method, f"http://localhost/api/{name}", body=body, headers=headers or {})
    return user_function(request)


def assert_security_headers(response: func.HttpResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers.get("X-Request-Id", ""))


def test_health_answers_ok_and_nothing_else() -> None:
    response = call("http_v1_health")
    assert response.status_code == 200
    assert json.loads(response.get_body()) == {"status": "ok"}
    assert response.mimetype == "application/json"
    assert_security_headers(response)


def test_every_request_gets_its_own_request_id() -> None:
    ids = {call("http_v1_health").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("name", "method", "body", "headers", "status", "problem"),
    [
        ("http_v1_health", "POST", b"{}", {"content-type": "application/json"}, 405, "method-not-allowed"),
        ("http_v1_health", "DELETE", b"", {}, 405, "method-not-allowed"),
        ("http_not_found", "GET", b"", {}, 404, "not-found"),
        (
            "http_v1_health",
            "GET",
            b"x" * 65537,
            {"content-type": "application/json"},
            413,
            "payload-too-large",
        ),
        (
            "http_v1_health",
            "GET",
            b"{}",
            {"content-length": "9999999", "content-type": "application/json"},
            413,
            "payload-too-large",
        ),
        (
            "http_v1_health",
            "GET",
            b"a=1",
            {"content-type": "application/x-www-form-urlencoded"},
            415,
            "unsupported-media-type",
        ),
        (
            "http_v1_health",
            "GET",
            b"--x\r\n",
            {"content-type": "multipart/form-data; boundary=x"},
            415,
            "unsupported-media-type",
        ),
    ],
)
def test_errors_are_problems_with_the_security_headers(name, method, body, headers, status, problem) -> None:
    response = call(name, method, body, headers)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    document = json.loads(response.get_body())
    assert document["type"] == f"urn:insight365:problem:{problem}"
    assert document["status"] == status
    assert document["instance"].endswith(response.headers["X-Request-Id"])
    assert_security_headers(response)


def test_method_not_allowed_lists_the_allowed_methods() -> None:
    assert call("http_v1_health", "PUT").headers["Allow"] == "GET"


def test_cors_only_for_configured_origins() -> None:
    allowed = call("http_v1_health", headers={"origin": "https://spa.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://spa.example"
    other = call("http_v1_health", headers={"origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert other.headers["Vary"] == "Origin"


def test_preflight_names_the_methods_and_headers() -> None:
    response = call("http_v1_health", "OPTIONS", headers={"origin": "https://spa.example"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert "X-Session" in response.headers["Access-Control-Allow-Headers"]
    assert_security_headers(response)


class Greeting(RequestModel):
    name: str


class Reply(BaseModel):
    greeting: str


def build_test_api() -> dict[str, func.Function]:
    blueprint = func.Blueprint()
    api = Api(blueprint)

    @api.post("test/echo", access=Access.ANONYMOUS)
    def echo(request: ApiRequest) -> Reply:
        return Reply(greeting=f"hello {request.json(Greeting).name}")

    @api.get("test/boom", access=Access.ANONYMOUS)
    def boom(_request: ApiRequest) -> Reply:
        raise RuntimeError("database password is hunter2")

    @api.post("test/store", access=Access.ANONYMOUS)
    def store(_request: ApiRequest) -> Reply:
        raise EntityTooLargeError("property document is over 64 KiB")

    @api.get("test/private", access=Access.USER)
    def private(_request: ApiRequest) -> ApiResponse:
        return ApiResponse(body={"secret": True})

    test_app = func.FunctionApp()
    test_app.register_functions(blueprint)
    return {function.get_function_name(): function for function in test_app.get_functions()}


TEST_FUNCTIONS = build_test_api()


def call_test(name: str, method: str, body: bytes = b"", content_type: str = "application/json"):
    request = func.HttpRequest(
        method, "http://localhost/api/x", body=body, headers={"content-type": content_type}
    )
    return TEST_FUNCTIONS[name].get_user_function()(request)


def test_json_body_is_parsed_into_the_model() -> None:
    response = call_test("http_test_echo", "POST", b'{"name": " Ada "}')
    assert response.status_code == 200
    assert json.loads(response.get_body()) == {"greeting": "hello Ada"}


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        (b"{not json", 400, "bad-request"),
        (b"\xff\xfe", 400, "bad-request"),
        (b'{"name": NaN}', 400, "bad-request"),
        (b"[" * 100_00 + b"]" * 100_00, 400, "bad-request"),
        (b'{"name": 5}', 422, "validation-error"),
        (b'{"name": "x", "role": "super_admin"}', 422, "validation-error"),
        (b"{}", 422, "validation-error"),
    ],
)
def test_bad_bodies_get_clear_problems(body: bytes, status: int, problem: str) -> None:
    response = call_test("http_test_echo", "POST", body)
    assert response.status_code == status
    assert json.loads(response.get_body())["type"].endswith(problem)


def test_validation_errors_do_not_echo_the_input() -> None:
    response = call_test("http_test_echo", "POST", b'{"name": "x", "password": "hunter2"}')
    assert response.status_code == 422
    assert b"hunter2" not in response.get_body()
    assert json.loads(response.get_body())["errors"][0]["loc"] == ["password"]


def test_an_empty_body_on_a_json_endpoint_is_415() -> None:
    assert call_test("http_test_echo", "POST", b"", content_type="").status_code == 415


def test_unexpected_errors_reveal_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        response = call_test("http_test_boom", "GET")
    assert response.status_code == 500
    body = response.get_body()
    assert b"hunter2" not in body and b"Traceback" not in body and b"RuntimeError" not in body
    assert json.loads(body)["type"] == "urn:insight365:problem:internal-error"
    assert_security_headers(response)
    logged = JsonFormatter().format(caplog.records[-1])
    assert json.loads(logged)["error_type"] == "RuntimeError"
    assert "hunter2" not in logged


def test_a_value_too_large_to_store_is_413_not_500() -> None:
    response = call_test("http_test_store", "POST", b"{}")
    assert response.status_code == 413
    problem = json.loads(response.get_body())
    assert problem["type"] == "urn:insight365:problem:payload-too-large"
    assert "document" not in problem["detail"]  # the storage layer's wording stays inside
    assert_security_headers(response)


def test_endpoints_that_need_a_role_are_denied_by_default() -> None:
    response = call_test("http_test_private", "GET")
    assert response.status_code == 401
    assert b"secret" not in response.get_body()


def test_structured_log_lines_redact_secrets() -> None:
    record = logging.makeLogRecord(
        {"msg": "signed in", "token": "eyJabc", "client_secret": "s3cr3t", "org": "o1"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["token"] == "[redacted]" and line["client_secret"] == "[redacted]"
    assert line["org"] == "o1" and line["message"] == "signed in"


@pytest.mark.parametrize(
    ("forwarded", "address"),
    [
        (None, None),
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7:51234", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_the_hop_the_gateway_added(forwarded: str | None, address: str | None) -> None:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    assert _client_address(headers) == address
