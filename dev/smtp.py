"""A real local SMTP server (aiosmtpd) for operations notifications: `make run` starts it on
127.0.0.1:8025 and tests start their own. Every message it accepts is written as one `.eml` file to its
mailbox folder (`.local/mail/` for `make run`), where people and tests read them. Development only.

    python -m dev.smtp [--port 8025] [--mailbox .local/mail]
"""

from __future__ import annotations

import argparse
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

DEFAULT_PORT = 8025
LOCAL_MAILBOX = Path(__file__).resolve().parents[1] / ".local" / "mail"


class _MailboxHandler:
    """Accepts every message and keeps it as `<ns>-<uuid>.eml`, in arrival order by name."""

    def __init__(self, mailbox: Path) -> None:
        self._mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.original_content or b""
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.eml"
        partial = self._mailbox / f".{name}"
        partial.write_bytes(content)
        partial.rename(self._mailbox / name)  # readers never see half a message
        return "250 Message accepted"


@dataclass(frozen=True)
class RunningMailbox:
    host: str
    port: int
    mailbox: Path

    @property
    def address(self) -> str:
        """`host:port`, as INSIGHT365_SMTP_SERVER takes it."""
        return f"{self.host}:{self.port}"

    def messages(self) -> list[EmailMessage]:
        """Every message received so far, oldest first."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.mailbox.glob("*.eml"))]

    def wait_for(self, wanted: Callable[[EmailMessage], bool], *, timeout: float = 10.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while True:
            found = next((message for message in self.messages() if wanted(message)), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError("no such message arrived")
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def start_smtp(
    mailbox: Path, *, port: int | None = None, host: str = "127.0.0.1"
) -> Iterator[RunningMailbox]:
    """Run the server in a background thread until the block ends."""
    mailbox.mkdir(parents=True, exist_ok=True)
    chosen = port or free_port()
    controller = Controller(_MailboxHandler(mailbox), hostname=host, port=chosen)
    controller.start()
    try:
        yield RunningMailbox(host=host, port=chosen, mailbox=mailbox)
    finally:
        controller.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--mailbox", type=Path, default=LOCAL_MAILBOX)
    args = parser.parse_args()
    with start_smtp(args.mailbox, port=args.port) as running:
        print(f"SMTP server on {running.address}; messages in {running.mailbox}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
