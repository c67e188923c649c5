"""A real SMTP server (aiosmtpd) on a free port, and an app that sends to it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

MAIL_FROM = "Service Centre <service@desk.test>"


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0: ask the system for a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self.refused: set[str] = set()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Starts and stops an aiosmtpd server on one port, which stays the same."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[SmtpServer]:
    """The server, not yet started (a test may want it down first)."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp_port: int) -> dict[str, Any]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port, "MAIL_FROM": MAIL_FROM}


@pytest.fixture
def worker_config(app) -> dict[str, Any]:
    """Settings for a worker process sharing the app's database, mail server and queue."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SMTP_HOST", "SMTP_PORT", "MAIL_FROM")
    shared = {key: app.config[key] for key in (*keys, "REDIS_URL", "JOBS_QUEUE")}
    return shared | {"INSTANCE_PATH": app.instance_path, "SECRET_KEY": "test", "TESTING": True}
