"""Start and stop Azurite, the real Azure Storage emulator (installed from npm by `npm ci`).

Used by `make run` (persistent data folder, well-known ports) and by the tests (free ports, in memory),
so a test run never collides with a running `make run`.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

REPO_ROOT = Path(__file__).resolve().parent.parent
AZURITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "azurite"

# Azurite's well-known development account; public by design, it only opens the local emulator.
ACCOUNT_NAME = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class AzuriteError(RuntimeError):
    """Azurite could not be started."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class AzuritePorts:
    blob: int
    queue: int
    table: int

    @classmethod
    def free(cls) -> AzuritePorts:
        return cls(blob=free_port(), queue=free_port(), table=free_port())

    @classmethod
    def default(cls) -> AzuritePorts:
        return cls(blob=10000, queue=10001, table=10002)


def connection_string(ports: AzuritePorts, host: str = "127.0.0.1") -> str:
    """The connection string for an Azurite on these ports (the explicit form of UseDevelopmentStorage)."""
    return (
        "DefaultEndpointsProtocol=http;"
        f"AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://{host}:{ports.blob}/{ACCOUNT_NAME};"
        f"QueueEndpoint=http://{host}:{ports.queue}/{ACCOUNT_NAME};"
        f"TableEndpoint=http://{host}:{ports.table}/{ACCOUNT_NAME};"
    )


class Azurite:
    """One Azurite process: blob, queue and table services on loopback.

    `location=None` keeps everything in memory (tests); a folder keeps data across restarts (`make run`).
    """

    def __init__(self, ports: AzuritePorts | None = None, location: Path | None = None) -> None:
        self.ports = ports or AzuritePorts.free()
        self.location = location
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def connection_string(self) -> str:
        return connection_string(self.ports)

    def start(self, timeout: float = 30.0) -> Azurite:
        if not AZURITE_BIN.exists():
            raise AzuriteError(f"Azurite is not installed at {AZURITE_BIN}; run `npm ci` (make does this).")
        if shutil.which("node") is None:
            raise AzuriteError("Node.js is not on PATH; Azurite needs it.")
        command = [
            str(AZURITE_BIN),
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--loose",
            "--silent",
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(self.ports.blob),
            "--queueHost",
            "127.0.0.1",
            "--queuePort",
            str(self.ports.queue),
            "--tableHost",
            "127.0.0.1",
            "--tablePort",
            str(self.ports.table),
        ]
        if self.location is None:
            command.append("--inMemoryPersistence")
        else:
            self.location.mkdir(parents=True, exist_ok=True)
            command += ["--location", str(self.location)]
        self._process = subprocess.Popen(  # noqa: S603 - fixed executable, arguments built above
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        self._wait_until_listening(timeout)
        return self

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = {self.ports.blob, self.ports.queue, self.ports.table}
        while pending:
            assert self._process is not None
            if self._process.poll() is not None:
                stderr = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                raise AzuriteError(f"Azurite exited with code {self._process.returncode}: {stderr.strip()}")
            if time.monotonic() > deadline:
                self.stop()
                raise AzuriteError(f"Azurite did not listen on ports {sorted(pending)} within {timeout:.0f}s")
            for port in list(pending):
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        pending.discard(port)
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
