"""Information department: satisfaction surveys after a ticket is resolved (seed step 9).

A resolved ticket gets one survey, mailed after ``SATISFACTION_DELAY_MINUTES``
with a no-login link; the customer may also answer on the tracking page. A
rating of ``SATISFACTION_LOW_RATING`` or less reopens the ticket in follow-up
with the customer's comment. Supervisors and administrators get a report.

The hooks below only dispatch; the work is in ``services``, ``jobs``,
``views``, ``report`` and ``demo``. Imports inside the package are absolute
on purpose: pytest also imports this folder as ``plugins.satisfaction`` (to
look for module-level setup), and relative imports would then define the
table twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from servicedesk import clock, hookimpl
from servicedesk.jobs import ScheduledJob
from servicedesk.models import EventKind, Status, Ticket, TicketEvent, User
from servicedesk.policy import CustomerActor
from servicedesk.slots import MenuLink, Metric, Panel
from servicedesk_plugins.satisfaction import jobs, report, services
from servicedesk_plugins.satisfaction.views import bp, may_see_report

__version__ = "1.0.0"

METRIC_DAYS = 30


@hookimpl
def servicedesk_startup(app: Flask) -> None:
    # A bad setting is refused at start-up, not at the first resolved ticket.
    for name, (default, lowest, highest) in services.SETTINGS.items():
        value = app.config.get(name, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not lowest <= number <= highest or isinstance(value, bool):
            raise ValueError(f"{name} must be a whole number from {lowest} to {highest}")
        app.config[name] = number
    app.config.setdefault("SATISFACTION_FOLLOW_UP_DEPARTMENT", "follow_up")


@hookimpl
def register_blueprints(app: Flask) -> list[Any]:
    return [bp]


@hookimpl
def migration_locations(app: Flask) -> list[str]:
    return [str(Path(__file__).parent / "migrations" / "versions")]


@hookimpl
def scheduled_jobs(app: Flask) -> list[ScheduledJob]:
    return [jobs.job()]


@hookimpl
def demo_data(now: datetime) -> None:
    # Months of surveys sent and answered, on the demo's resolved tickets.
    # Imported here: web processes never build a demo.
    from servicedesk_plugins.satisfaction import demo

    demo.load(now)


@hookimpl
def ticket_event(ticket: Ticket, actor: Any, event: TicketEvent) -> None:
    if event.kind != EventKind.STATUS:
        return
    if event.new_value == Status.RESOLVED:
        services.schedule(ticket, resolver_id=actor.id if isinstance(actor, User) else None)
    elif event.old_value in services.SETTLED and event.new_value not in services.SETTLED:
        services.cancel_unsent(ticket.id)


@hookimpl
def tracking_panels(ticket: Ticket, actor: CustomerActor) -> list[Panel]:
    # The page's own tracking token: the form posts back with it, never with
    # the reference, so only the holder of the link can answer.
    token = actor.token
    if not token:
        return []
    survey = services.survey_for(ticket.id)
    answered = survey is not None and survey.answered_at is not None
    if not (answered or services.offered(ticket, survey)):
        return []
    return [
        Panel(
            key="satisfaction.survey",
            title=_l("How did we do?"),
            template="satisfaction/_survey.html",
            context={
                "survey": survey,
                "action": url_for("satisfaction.answer_on_tracking", token=token),
                "values": {},
                "errors": {},
                "notice": None,
                "back": None,
                "scale": services.SCALE,
                "low_rating": services.low_rating(),
            },
            position=50,
        )
    ]


@hookimpl
def ticket_panels(ticket: Ticket) -> list[Panel]:
    survey = services.survey_for(ticket.id)
    if survey is None:
        return []
    return [
        Panel(
            key="satisfaction.survey",
            title=_l("Satisfaction survey"),
            template="satisfaction/_desk_panel.html",
            context={
                "survey": survey,
                "scale": services.SCALE,
                "low_rating": services.low_rating(),
            },
            position=50,
        )
    ]


@hookimpl
def menu_links(actor: Any) -> list[MenuLink]:
    if not may_see_report(actor):
        return []
    return [
        MenuLink(
            key="satisfaction.report",
            label=_l("Satisfaction"),
            url=url_for("satisfaction.report"),
            position=50,
        )
    ]


@hookimpl
def dashboard_metrics() -> list[Metric]:
    average, count = report.average_since(clock.now() - timedelta(days=METRIC_DAYS))
    return [
        Metric(
            key="satisfaction.average",
            label=ngettext(
                "Average satisfaction, last %(days)d days (%(num)d answer)",
                "Average satisfaction, last %(days)d days (%(num)d answers)",
                count,
                days=METRIC_DAYS,
            ),
            value="—" if average is None else f"{average:.1f} / 5",
            position=50,
        )
    ]


@hookimpl
def ticket_data(ticket: Ticket) -> dict[str, Any] | None:
    survey = services.survey_for(ticket.id)
    if survey is None:
        return None
    return {
        "state": survey.state,
        "rating": survey.rating,
        "comment": survey.comment,
        "answered_at": survey.answered_at.isoformat() if survey.answered_at else None,
    }
