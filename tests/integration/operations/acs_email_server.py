"""A local HTTPS server that speaks Azure Communication Services Email's REST protocol, as Microsoft
documents it, for the SDK adapter to talk to.

- `POST /emails:send?api-version=…` with `Authorization: Bearer …` and the JSON message: 202, body
  `{"id", "status": "Running"}`, header `Operation-Location: <endpoint>/emails/operations/<id>?api-version=…`;
  400 for a sender the resource does not own, 401 without the expected token.
- `GET /emails/operations/<id>?api-version=…`: `Running` for the first `running_polls` polls, then the
  outcome (`Succeeded`, or `Failed` with an error code and message).
https://learn.microsoft.com/rest/api/communication/dataplane/email/send
https://learn.microsoft.com/rest/api/communication/dataplane/email/get-send-result

It serves TLS with a throw-away self-signed certificate (the SDK's bearer-token policy refuses plain
http); `ca_path` is that certificate, for the client's `connection_verify`.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

API_VERSIONS = frozenset({"2023-03-31", "2024-07-01-preview", "2025-09-01"})
ACCESS_TOKEN = "acs-test-access-token"  # what the test credential hands the SDK


@dataclass
class Operation:
    message: dict[str, Any]
    headers: dict[str, str]
    polls: int = 0


@dataclass
class AcsEmailService:
    sender: str
    endpoint: str = ""
    ca_path: Path = Path()
    running_polls: int = 1
    outcome: str = "Succeeded"
    failure: tuple[str, str] = ("EmailDroppedAllRecipientsSuppressed", "Every recipient is suppressed.")
    operations: dict[str, Operation] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self) -> list[Operation]:
        with self.lock:
            return list(self.operations.values())


def _handler(service: AcsEmailService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _error(self, status: int, code: str, message: str) -> None:
            self._reply(status, {"error": {"code": code, "message": message}}, {"x-ms-error-code": code})

        def _checked(self) -> tuple[str, str] | None:
            """(path, api-version) of an authorised request with a known api-version; None: answered."""
            url = urlsplit(self.path)
            version = parse_qs(url.query).get("api-version", [""])[0]
            if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                self._error(401, "Unauthorized", "missing or wrong bearer token")
                return None
            if version not in API_VERSIONS:
                self._error(400, "InvalidApiVersion", f"api-version {version!r} is not supported")
                return None
            return url.path, version

        def do_POST(self) -> None:
            checked = self._checked()
            if checked is None:
                return
            path, version = checked
            if path != "/emails:send":
                self._error(404, "NotFound", path)
                return
            message = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if message.get("senderAddress") != service.sender:
                self._error(
                    400, "InvalidSenderAddress", "the sender is not a verified address of this resource"
                )
                return
            if not message.get("recipients", {}).get("to") or not message.get("content", {}).get("subject"):
                self._error(400, "BadRequest", "recipients.to and content.subject are required")
                return
            operation_id = self.headers.get("Operation-Id") or str(uuid.uuid4())
            with service.lock:
                service.operations[operation_id] = Operation(message, dict(self.headers.items()))
            location = f"{service.endpoint}/emails/operations/{operation_id}?api-version={version}"
            self._reply(202, {"id": operation_id, "status": "Running"}, {"Operation-Location": location})

        def do_GET(self) -> None:
            checked = self._checked()
            if checked is None:
                return
            path, _ = checked
            operation_id = path.removeprefix("/emails/operations/")
            with service.lock:
                operation = service.operations.get(operation_id)
                if operation is None:
                    self._error(404, "NotFound", f"no operation {operation_id}")
                    return
                operation.polls += 1
                done = operation.polls > service.running_polls
            if not done:
                self._reply(200, {"id": operation_id, "status": "Running"})
            elif service.outcome == "Failed":
                code, text = service.failure
                self._reply(
                    200, {"id": operation_id, "status": "Failed", "error": {"code": code, "message": text}}
                )
            else:
                self._reply(200, {"id": operation_id, "status": service.outcome})

    return Handler


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "acs.pem", directory / "acs.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@contextmanager
def running_acs_email(directory: Path, sender: str) -> Iterator[AcsEmailService]:
    cert_path, key_path = _self_signed(directory)
    service = AcsEmailService(sender=sender, ca_path=cert_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    service.endpoint = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
