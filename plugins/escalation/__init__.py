"""General affairs: escalation of tickets at risk of or past their SLA targets.

The module is the plugin object. A scheduled scan escalates each running
ticket once at its SLA warning and once at breach (raising the priority, and
handing key accounts to their department); agents escalate by hand from the
ticket page; supervisors watch the escalated tickets on ``/escalation/``.
Everything goes through ``servicedesk.services.tickets.escalate``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, url_for
from flask_babel import lazy_gettext as _l

from servicedesk import hookimpl
from servicedesk.jobs import ScheduledJob
from servicedesk.models import Ticket, User
from servicedesk.policy import Action, can
from servicedesk.slots import MenuLink, Metric, Panel

# Importing the models registers the plugin's tables with the metadata.
from . import models, records, scan  # noqa: F401

__version__ = "1.0.0"
name = "escalation"


@hookimpl
def register_blueprints(app: Flask) -> list[Blueprint]:
    from .views import bp

    return [bp]


@hookimpl
def migration_locations(app: Flask) -> list[str]:
    return [str(Path(__file__).parent / "migrations" / "versions")]


@hookimpl
def scheduled_jobs(app: Flask) -> list[ScheduledJob]:
    # Leased like any job (one run a minute across workers); the records'
    # unique index keeps escalations single even if two runs overlap.
    return [ScheduledJob(name=scan.JOB_NAME, run=scan.run, every=timedelta(minutes=1))]


@hookimpl
def demo_data(now: datetime) -> None:
    # The scan replayed over the demo's history, and a supervisor's escalations.
    # Imported here: web processes never build a demo.
    from . import demo

    demo.load(now)


@hookimpl
def ticket_panels(ticket: Ticket, actor: Any) -> list[Panel]:
    if not isinstance(actor, User) or not can(actor, Action.VIEW, ticket):
        return []
    from .views import panel_context

    return [
        Panel(
            key="escalation.history",
            title=_l("Escalation"),
            template="escalation/_panel.html",
            context=panel_context(ticket, actor),
            position=50,
        )
    ]


@hookimpl
def menu_links(actor: Any) -> list[MenuLink]:
    if not records.may_oversee(actor):
        return []
    return [MenuLink(key="escalation", label=_l("Escalations"), url=url_for("escalation.index"))]


@hookimpl
def dashboard_metrics(actor: Any) -> list[Metric]:
    if not isinstance(actor, User):
        return []
    return [
        Metric(
            key="escalation.breached_open",
            label=_l("Open tickets escalated at breach"),
            value=records.breached_open_count(actor),
        )
    ]


@hookimpl
def ticket_event(event: Any) -> None:
    if event.kind == "escalated":
        records.record_event(event)


@hookimpl
def ticket_data(ticket: Ticket) -> dict[str, Any]:
    return {"escalations": [records.as_data(r) for r in reversed(records.history(ticket.id))]}
