"""The ``worker``, ``mail-fetch`` and ``outbox`` commands."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.jobs import cli as job_cli
from servicedesk.jobs.cli import outbox_group, register_job_commands, worker_command
from servicedesk.models import OutboxMessage, OutboxStatus


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def _failed_message() -> OutboxMessage:
    row = OutboxMessage(
        kind="confirmation",
        recipient="buyer@plant.example.com",
        subject="Received",
        body_text="Text",
        locale="en",
        status=OutboxStatus.FAILED,
        attempts=10,
        last_error="SMTPRecipientsRefused: {'buyer@plant.example.com': (550, b'No such\nmailbox')}",
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_the_commands_are_registered_on_the_app(app):
    app.cli = click.Group()
    register_job_commands(app)
    assert {"worker", "mail-fetch", "outbox"} <= set(app.cli.commands)
    assert set(outbox_group.commands) == {"list", "retry"}


def test_outbox_list_shows_what_failed_and_why(app, runner):
    row = _failed_message()

    result = runner.invoke(outbox_group, ["list"])

    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.strip().startswith(str(row.id)))
    assert "failed" in line and "buyer@plant.example.com" in line
    assert "550" in line and "No such mailbox" in line  # the error on one line


def test_outbox_list_filters_by_status(app, runner):
    _failed_message()
    result = runner.invoke(outbox_group, ["list", "--status", "sent"])
    assert result.exit_code == 0, result.output
    assert "Nothing to show." in result.output


def test_outbox_retry_queues_failed_mail_again(app, runner):
    row = _failed_message()

    assert runner.invoke(outbox_group, ["retry"]).exit_code == 2  # says which
    result = runner.invoke(outbox_group, ["retry", str(row.id)])

    assert result.exit_code == 0, result.output
    assert "1 messages will be sent again." in result.output
    db.session.expire_all()
    retried = db.session.scalar(select(OutboxMessage))
    assert (retried.status, retried.attempts) == (OutboxStatus.PENDING, 0)
    assert runner.invoke(outbox_group, ["retry", "--all"]).output.startswith("1 messages")


def test_the_worker_command_runs_the_worker(app, runner, monkeypatch):
    calls = []
    monkeypatch.setattr(job_cli, "run_worker", lambda app, workers: calls.append(workers))

    result = runner.invoke(worker_command, ["--workers", "3"])

    assert result.exit_code == 0, result.output
    assert calls == [3]
    assert "outbox.deliver" in result.output
