"""Fetching the mailbox: every unseen message filed once, a failure left for next time."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicedesk import jobs
from servicedesk.extensions import db
from servicedesk.jobs import queue_of, run_job
from servicedesk.jobs.builtin import FETCH
from servicedesk.jobs.cli import mail_fetch_command
from servicedesk.mail import imap
from servicedesk.models import InboundMail, Ticket


class FakeMailbox:
    """Just enough of ``imaplib.IMAP4_SSL`` for ``fetch_unseen``."""

    def __init__(self, messages: dict[bytes, bytes]) -> None:
        self.messages = messages
        self.seen: set[bytes] = set()
        self.connections: list[tuple] = []
        self.logins: list[tuple[str, str]] = []
        self.selected: list[str] = []

    def __call__(self, host, port, ssl_context=None, timeout=None):  # the "class"
        self.connections.append((host, port, timeout))
        return self

    def login(self, user, password):
        self.logins.append((user, password))
        return "OK", [b"Logged in"]

    def select(self, mailbox):
        self.selected.append(mailbox)
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(uid for uid in self.messages if uid not in self.seen)]
        if command == "FETCH":
            uid = args[0]
            envelope = b"1 (UID " + uid + b" BODY[] {%d}" % len(self.messages[uid])
            return "OK", [(envelope, self.messages[uid]), b")"]
        if command == "STORE":
            self.seen.add(args[0])
            return "OK", [b""]
        raise AssertionError(command)

    def logout(self):
        return "BYE", [b""]


@pytest.fixture
def mailbox(monkeypatch, sample) -> FakeMailbox:
    box = FakeMailbox(
        {
            b"101": sample("plain_request.eml"),
            b"102": sample("auto_reply_outlook.eml"),
            b"103": sample("gbk_chinese.eml"),
        }
    )
    monkeypatch.setattr(imap.imaplib, "IMAP4_SSL", box)
    return box


@pytest.fixture
def app_config(app_config):
    return app_config | {
        "IMAP_HOST": "imap.desk.test",
        "IMAP_USERNAME": "service",
        "IMAP_PASSWORD": 12345,  # as a numeric environment value arrives
        "IMAP_MAILBOX": "Service Requests",
    }


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_every_unseen_message_is_filed_and_marked_seen(app, mailbox):
    jobs.init_app(app)
    assert FETCH in queue_of(app).jobs

    assert run_job(app, queue_of(app).jobs[FETCH])

    assert mailbox.connections == [("imap.desk.test", 993, 30)]
    assert mailbox.logins == [("service", "12345")]
    assert mailbox.selected == ['"Service Requests"']
    assert mailbox.seen == {b"101", b"102", b"103"}
    assert (_count(InboundMail), _count(Ticket)) == (3, 2)
    # Nothing new the next time.
    assert imap.fetch_unseen(app.config, lambda raw: raw) == []


def test_a_message_that_cannot_be_filed_stays_unseen_for_next_time(app, mailbox, caplog):
    def handle(raw: bytes) -> bytes:
        if b"Foxmail" in raw:
            raise RuntimeError("database went away")
        return raw

    handled = imap.fetch_unseen(app.config, handle)

    assert len(handled) == 2
    assert mailbox.seen == {b"101", b"102"}
    assert "could not file message 103" in caplog.text


def test_the_mail_fetch_command_reports_what_it_filed(app, mailbox, runner):
    result = runner.invoke(mail_fetch_command)

    assert result.exit_code == 0, result.output
    assert "Fetched 3 new messages." in result.output
    assert "created" in result.output and "automatic" in result.output
    assert "SD-" in result.output


def test_the_mail_fetch_command_needs_a_mailbox(app, runner):
    app.config["IMAP_HOST"] = ""
    result = runner.invoke(mail_fetch_command)
    assert result.exit_code == 1
    assert "SERVICEDESK_IMAP_HOST" in result.output
