"""Commands: ``customers import``, ``customers recompute`` and ``sla scan``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

# servicedesk.cli imports this module inside register_commands (as it does the
# job commands), so its helpers exist by then.
from servicedesk.cli import _command
from servicedesk.i18n import gettext as _
from servicedesk.services import customers_admin
from servicedesk.sla import clock as sla_clock
from servicedesk.sla.policies import seed_sla


def register_tier_commands(app: Flask) -> None:
    """Add the ``customers`` and ``sla`` command groups to ``app.cli``."""
    app.cli.add_command(customers_group)
    app.cli.add_command(sla_group)


@click.group("customers")
def customers_group() -> None:
    """Customer records: CSV import and tier recompute."""


@click.group("sla")
def sla_group() -> None:
    """Service levels: seeding and the breach scan."""


@_command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(customers_admin.KINDS),
    default="customers",
    show_default=True,
    help="What the rows are.",
)
def import_command(file: Path, kind: str) -> None:
    """Import customers, contacts or revenue from a CSV file; bad rows are reported."""
    report = customers_admin.import_csv(file.read_text(encoding="utf-8-sig"), kind)
    for error in report.errors:
        click.echo(_("line %(line)d: %(reason)s", line=error.line, reason=error.reason), err=True)
    click.echo(
        _(
            "%(count)d rows imported, %(bad)d refused.",
            count=report.imported,
            bad=len(report.errors),
        )
    )
    if report.errors:
        raise SystemExit(1)


@_command("recompute")
@click.option("--period", default=None, help='Only periods starting with this, e.g. "2026".')
def recompute_command(period: str | None) -> None:
    """Recompute every customer's ABC class and value score from the revenue table."""
    report = customers_admin.recompute_tiers(period)
    click.echo(
        _(
            "%(count)d customers: %(a)d A, %(b)d B, %(c)d C.",
            count=report.customers,
            a=report.classes["A"],
            b=report.classes["B"],
            c=report.classes["C"],
        )
    )


@_command("scan")
def scan_command() -> None:
    """List the tickets that became at risk or breached since the last scan."""
    for ticket, state in sla_clock.scan():
        click.echo(f"{ticket.reference}\t{state}")


@_command("seed")
def seed_command() -> None:
    """Add the default business-hours calendar and SLA policies if missing."""
    seed_sla()
    click.echo(_("SLA defaults are in place."))


customers_group.add_command(import_command)
customers_group.add_command(recompute_command)
sla_group.add_command(scan_command)
sla_group.add_command(seed_command)
