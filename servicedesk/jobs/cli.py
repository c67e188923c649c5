"""Commands for the jobs and the mail: ``worker``, ``mail-fetch`` and ``outbox``."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask_babel import format_datetime

# The ``servicedesk`` command's own plumbing: operator's language, app context
# and service errors as messages. So servicedesk.cli imports this module inside
# register_commands, once its helpers exist, never at its top.
from servicedesk.cli import _command, _table
from servicedesk.i18n import gettext as _
from servicedesk.jobs import init_app, queue_of, run_worker
from servicedesk.models import OutboxStatus
from servicedesk.policy import SYSTEM


def register_job_commands(app: Flask) -> None:
    """Add ``worker``, ``mail-fetch`` and ``outbox`` to ``app.cli``."""
    for command in (worker_command, mail_fetch_command, outbox_group):
        app.cli.add_command(command)


@_command("worker")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1),
    help="Worker threads: how many jobs run at once.",
)
def worker_command(workers: int) -> None:
    """Run the background jobs until interrupted.

    Delivers the outbox, fetches the mailbox and runs the plugins' scheduled
    jobs. Run one or more beside the web server; each job still happens once.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    init_app(app)
    click.echo(
        _(
            "Worker running with %(workers)d threads; jobs: %(jobs)s (Ctrl+C stops it).",
            workers=workers,
            jobs=", ".join(queue_of(app).jobs) or _("none"),
        )
    )
    run_worker(app, workers=workers)


@_command("mail-fetch")
def mail_fetch_command() -> None:
    """Fetch new email from the mailbox now and file it (the worker does this every minute)."""
    from servicedesk.mail import imap
    from servicedesk.services import inbound

    config = current_app.config
    if not config["IMAP_HOST"]:
        raise click.ClickException(_("No mailbox is configured (SERVICEDESK_IMAP_HOST)."))
    results = imap.fetch_unseen(config, inbound.process_raw)
    click.echo(_("Fetched %(count)d new messages.", count=len(results)))
    for result in results:
        record = result.record
        outcome = _("already filed") if result.duplicate else record.outcome
        reference = record.ticket.reference if record.ticket else "-"
        click.echo(f"  {outcome:<10}  {reference:<16}  {record.sender}  {record.subject}")


@click.group("outbox")
def outbox_group() -> None:
    """Outgoing email: what waits or failed, and sending it again."""


@_command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([status.value for status in OutboxStatus]),
    help="Only these (repeat for several); default: failed, pending and sending.",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def outbox_list_command(statuses: tuple[str, ...], limit: int) -> None:
    """List outgoing email, newest first, with attempts and the last error."""
    from servicedesk.services import delivery

    rows = delivery.outbox_messages(SYSTEM, statuses=statuses or delivery.WAITING, limit=limit)
    if not rows:
        click.echo(_("Nothing to show."))
        return
    table = [
        (_("Id"), _("Status"), _("Attempts"), _("Next attempt"), _("To"), _("Kind"), _("Error"))
    ]
    for row in rows:
        waiting = row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)
        table.append(
            (
                str(row.id),
                row.status,
                str(row.attempts),
                format_datetime(row.next_attempt_at, "short") if waiting else "-",
                row.recipient,
                row.kind,
                " ".join((row.last_error or "-").split())[:80],
            )
        )
    click.echo(_table(table))


@_command("retry")
@click.argument("ids", nargs=-1, type=click.IntRange(1))
@click.option("--all", "every", is_flag=True, help="Every failed and pending message.")
def outbox_retry_command(ids: tuple[int, ...], every: bool) -> None:
    """Send failed (or waiting) messages again now, with a fresh count of attempts."""
    if not ids and not every:
        raise click.UsageError(_("Give the ids of the messages to retry, or --all."))
    from servicedesk.services import delivery

    count = delivery.retry(SYSTEM, None if every else ids)
    click.echo(_("%(count)d messages will be sent again.", count=count))


outbox_group.add_command(outbox_list_command)
outbox_group.add_command(outbox_retry_command)
