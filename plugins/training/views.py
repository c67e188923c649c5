"""The training department's pages and the desk panel's forms.

The forms work without JavaScript (a POST, then back to the ticket page, or a
page with the refused form) and with HTMX (a refused form swaps the panel in
place, keeping what was typed). A change that adds a note to the ticket sends
HTMX to the fresh ticket page: the note, the timeline and the ticket's version
in every other form all changed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from servicedesk.extensions import db
from servicedesk.models import Ticket
from servicedesk.services import tickets
from servicedesk.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
    Vetoed,
)
from servicedesk_plugins.training import forms, needs, services
from servicedesk_plugins.training.models import Mode, SessionStatus, TrainingSession, utc_now
from servicedesk_plugins.training.panels import (
    SCHEDULE_FORM,
    attendance_form,
    cancel_form,
    centre_zone,
    desk_view,
)

bp = Blueprint("training", __name__, url_prefix="/training", template_folder="templates")

# Field names of each form; any other refusal (a veto, a state change) is shown above it.
_SCHEDULE_FIELDS = frozenset(
    {
        "date",
        "time",
        "duration_minutes",
        "mode",
        "place",
        "online_link",
        "trainer",
        "topic",
        "attendees",
    }
)


# --------------------------------------------------------------------------
# Scheduling, attendance, completion, cancellation
# --------------------------------------------------------------------------


@bp.post("/tickets/<reference>/sessions")
@login_required
def schedule(reference: str) -> Response | tuple[str, int]:
    ticket = _ticket(reference)
    form = request.form

    def change() -> None:
        data = forms.parse_session(
            form,
            zone=centre_zone(),
            now=utc_now(),
            trainer_ids={user.id for user in services.trainers()},
        )
        services.schedule_session(ticket.id, current_user, data)

    return _change(
        ticket, SCHEDULE_FORM, change, _SCHEDULE_FIELDS, _("Training session scheduled.")
    )


@bp.post("/sessions/<int:session_id>/attendance")
@login_required
def attendance(session_id: int) -> Response | tuple[str, int]:
    session = _session(session_id)
    completing = request.form.get("action") == "complete"
    attendee_ids = [attendee.id for attendee in session.attendees]

    def change() -> None:
        marks = forms.parse_attendance(request.form, attendee_ids, completing=completing)
        services.record_attendance(session.id, current_user, marks, complete=completing)

    fields = {forms.attendee_field(attendee_id) for attendee_id in attendee_ids}
    done = _("Session completed.") if completing else _("Attendance saved.")
    return _change(
        session.ticket, attendance_form(session), change, fields, done, adds_note=completing
    )


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
def cancel(session_id: int) -> Response | tuple[str, int]:
    session = _session(session_id)

    def change() -> None:
        reason = forms.parse_reason(request.form.get("reason"))
        services.cancel_session(session.id, current_user, reason)

    return _change(
        session.ticket, cancel_form(session), change, {"reason"}, _("Session cancelled.")
    )


def _change(
    ticket: Ticket,
    form_name: str,
    change: Callable[[], None],
    fields: set[str] | frozenset[str],
    done: str,
    *,
    adds_note: bool = True,
) -> Response | tuple[str, int]:
    reference = ticket.reference
    # Refused before anything is read from the form: the agent learns who may
    # act, not which of their values were wrong.
    if not services.may_schedule(current_user, ticket):
        return _refused(
            reference,
            form_name,
            403,
            message=_("Only staff of the department handling %(ref)s may do this.", ref=reference),
        )
    try:
        change()
    except Conflict as error:
        return _refused(reference, form_name, 409, message=error.message)
    except PermissionDenied as error:
        return _refused(reference, form_name, 403, message=error.message)
    except NotFound:
        abort(404)
    except ValidationError as error:
        field_errors = {key: value for key, value in error.errors.items() if key in fields}
        others = [m for key, msgs in error.errors.items() if key not in fields for m in msgs]
        message = " ".join(others) if others else _("Please correct the marked fields.")
        if isinstance(error, Vetoed):
            message = error.message
        return _refused(reference, form_name, 422, errors=field_errors, message=message)
    if request.headers.get("HX-Request") and not adds_note:
        fresh = _ticket(reference)
        body = render_template(
            "training/_desk_panel.html",
            ticket=fresh,
            training=desk_view(fresh, current_user, message=done, level="success"),
        )
        return body, 200
    flash(done, "success")
    target = url_for("desk.ticket", reference=reference)
    if request.headers.get("HX-Request"):
        # No #fragment here: on the same page a fragment would only scroll, not reload.
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(url_for("desk.ticket", reference=reference, _anchor="training-panel"), 303)


def _refused(
    reference: str,
    form_name: str,
    status: int,
    *,
    errors: dict[str, list[str]] | None = None,
    message: str | None = None,
) -> tuple[str, int]:
    """The panel again with the refusal: alone for HTMX, else on a page of its own."""
    # Nothing of a refused change may linger in the session, half-written.
    db.session.rollback()
    fresh = _ticket(reference)
    view = desk_view(
        fresh,
        current_user,
        form_name=form_name,
        values=request.form,
        errors=errors or {},
        message=message,
    )
    template = (
        "training/_desk_panel.html"
        if request.headers.get("HX-Request")
        else "training/panel_page.html"
    )
    return render_template(template, ticket=fresh, training=view), status


def _ticket(reference: str) -> Ticket:
    try:
        return tickets.find_by_reference(reference, current_user)
    except (NotFound, ValidationError):
        abort(404)


def _session(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id) if session_id <= services.MAX_ID else None
    if session is None:
        abort(404)
    try:
        tickets.get_ticket(session.ticket_id, current_user)
    except NotFound:
        abort(404)
    return session


# --------------------------------------------------------------------------
# Staff training needs
# --------------------------------------------------------------------------


@bp.get("/needs")
@login_required
def needs_page() -> str:
    if not needs.may_see(current_user):
        abort(403)
    threshold = int(current_app.config["TRAINING_NEEDS_THRESHOLD"])
    days = int(current_app.config["TRAINING_NEEDS_DAYS"])
    found = needs.training_needs(current_user, threshold=threshold, days=days)
    return render_template(
        "training/needs.html",
        needs=found,
        threshold=threshold,
        days=days,
        intro=ngettext(
            "Staff whose resolved tickets were reopened at least %(num)d time in the last "
            "%(days)d days: the customer wrote back or rated the answer poorly.",
            "Staff whose resolved tickets were reopened at least %(num)d times in the last "
            "%(days)d days: the customer wrote back or rated the answer poorly.",
            threshold,
            days=days,
        ),
    )


# --------------------------------------------------------------------------
# Labels for the templates
# --------------------------------------------------------------------------


def mode_label(mode: str) -> str:
    return {Mode.ONSITE: _("On site"), Mode.ONLINE: _("Online")}.get(mode, mode)


def status_label(status: str) -> str:
    return {
        SessionStatus.SCHEDULED: _("Scheduled"),
        SessionStatus.COMPLETED: _("Completed"),
        SessionStatus.CANCELLED: _("Cancelled"),
    }.get(status, status)


def duration_label(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)
    if hours:
        return _("%(hours)d h", hours=hours)
    return _("%(minutes)d min", minutes=rest)


bp.add_app_template_filter(mode_label, "training_mode")
bp.add_app_template_filter(status_label, "training_status")
bp.add_app_template_filter(duration_label, "training_duration")
