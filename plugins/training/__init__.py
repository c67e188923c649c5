"""Training department: customer training requests and sessions (seed step 8).

The training department (培训部) trains the customer's own staff on request and
the centre's staff according to how they work. This plugin routes training
requests to it, lets it schedule sessions and take attendance on the desk,
shows the sessions on the customer's tracking page, and suggests staff training
from tickets that were reopened after being resolved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, url_for
from flask_babel import lazy_gettext as _l

from servicedesk import hookimpl
from servicedesk.models import Ticket
from servicedesk.policy import Actor
from servicedesk.slots import FormField, MenuLink, Metric, Panel
from servicedesk_plugins.training import forms, needs, panels, services
from servicedesk_plugins.training.models import TrainingAttendee, TrainingSession
from servicedesk_plugins.training.views import bp

__version__ = "1.0.0"
__all__ = ["TrainingAttendee", "TrainingSession"]

UPCOMING_DAYS = 14


@hookimpl
def servicedesk_startup(app: Flask) -> None:
    app.config.setdefault("TRAINING_NEEDS_THRESHOLD", needs.DEFAULT_THRESHOLD)
    app.config.setdefault("TRAINING_NEEDS_DAYS", needs.DEFAULT_DAYS)


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "migrations" / "versions")]


@hookimpl
def demo_data(now: datetime) -> None:
    # Imported here: web processes never build a demo.
    from servicedesk_plugins.training import demo

    demo.load(now)


@hookimpl
def choose_department(kind: str) -> str | None:
    return services.DEPARTMENT if kind == forms.REQUEST_KIND else None


@hookimpl
def public_form_fields() -> list[FormField]:
    return forms.request_fields()


@hookimpl
def ticket_panels(ticket: Ticket, actor: Actor) -> list[Panel]:
    panel = panels.desk_panel(ticket, actor)
    return [panel] if panel else []


@hookimpl
def tracking_panels(ticket: Ticket) -> list[Panel]:
    panel = panels.tracking_panel(ticket)
    return [panel] if panel else []


@hookimpl
def menu_links(actor: Any) -> list[MenuLink]:
    if not needs.may_see(actor):
        return []
    return [
        MenuLink(
            key="training.needs", label=_l("Training needs"), url=url_for("training.needs_page")
        )
    ]


@hookimpl
def dashboard_metrics(actor: Any) -> list[Metric]:
    if not needs.may_see(actor):
        return []
    return [
        Metric(
            key="training.upcoming",
            label=_l("Training sessions in the next 14 days"),
            value=services.upcoming_count(days=UPCOMING_DAYS),
            position=60,
        )
    ]


@hookimpl
def ticket_data(ticket: Ticket) -> dict[str, Any] | None:
    sessions = services.sessions_for(ticket.id)
    if not sessions:
        return None
    return {"sessions": [services.session_data(session) for session in sessions]}
