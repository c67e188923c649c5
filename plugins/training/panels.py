"""What the training panels show: on the desk's ticket page and on the tracking page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from servicedesk.models import Ticket
from servicedesk.policy import Actor
from servicedesk.slots import Panel
from servicedesk_plugins.training import services
from servicedesk_plugins.training.models import SessionStatus, TrainingSession, utc_now

DESK_TEMPLATE = "training/_desk_panel.html"
TRACKING_TEMPLATE = "training/_tracking_panel.html"
DEFAULT_DURATION = 120
SCHEDULE_FORM = "schedule"


def centre_zone() -> ZoneInfo:
    """The time zone dates are typed and shown in (the core's ``TIMEZONE``)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def desk_panel(ticket: Ticket, actor: Actor) -> Panel | None:
    if not services.is_training_ticket(ticket):
        return None
    return Panel(
        key="training.sessions",
        title=_l("Training sessions"),
        template=DESK_TEMPLATE,
        context={"training": desk_view(ticket, actor)},
        position=20,
    )


def desk_view(
    ticket: Ticket,
    actor: Actor,
    *,
    form_name: str | None = None,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    message: str | None = None,
    level: str = "danger",
) -> dict[str, Any]:
    """Everything the desk panel's template reads; a refused form brings what was typed."""
    may_act = services.may_schedule(actor, ticket)
    sessions = services.sessions_for(ticket.id)
    return {
        "sessions": sessions,
        # A refusal is shown beside its form, or above everything when that form
        # is gone (the session was cancelled meanwhile, the agent may not act).
        "forms_shown": _forms_shown(sessions) if may_act else set(),
        "may_act": may_act,
        "trainers": services.trainers() if may_act else [],
        "requested_attendees": ticket.extra.get("training_attendees"),
        "requested_preferences": ticket.extra.get("training_preferences"),
        "form_name": form_name,
        "entered": values or {},
        "errors": errors or {},
        "message": message,
        "level": level,
        "today": _local_today(),
        "default_duration": DEFAULT_DURATION,
        "zone": current_app.config["TIMEZONE"],
    }


def tracking_panel(ticket: Ticket) -> Panel | None:
    sessions = services.sessions_for(ticket.id)
    if not sessions and not services.is_training_ticket(ticket):
        return None
    return Panel(
        key="training.sessions",
        title=_l("Your training"),
        template=TRACKING_TEMPLATE,
        context={"sessions": sessions, "zone": current_app.config["TIMEZONE"]},
        position=20,
    )


def _forms_shown(sessions: list[TrainingSession]) -> set[str]:
    shown = {SCHEDULE_FORM}
    for session in sessions:
        if session.status != SessionStatus.CANCELLED:
            shown.add(attendance_form(session))
        if session.status == SessionStatus.SCHEDULED:
            shown.add(cancel_form(session))
    return shown


def attendance_form(session: TrainingSession) -> str:
    return f"attendance-{session.id}"


def cancel_form(session: TrainingSession) -> str:
    return f"cancel-{session.id}"


def _local_today() -> str:
    now: datetime = utc_now()
    return now.astimezone(centre_zone()).date().isoformat()
