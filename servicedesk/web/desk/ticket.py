"""The ticket page and every action on it.

Each action is a POST carrying the version of the ticket the agent saw. With
HTMX the answer swaps only the parts of the page that changed (out-of-band
fragments); without JavaScript it redirects back to the page (or re-renders it
with the refusal). A refused action keeps what the agent typed; a conflict
(someone else changed the ticket meanwhile) also shows the fresh ticket, so the
agent reviews it and submits again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from servicedesk import slots
from servicedesk.extensions import db, htmx
from servicedesk.i18n import current_locale
from servicedesk.i18n import gettext as _
from servicedesk.models import Attachment, MessageKind, Priority, Status, Ticket
from servicedesk.policy import Action, can
from servicedesk.schemas.tickets import ticket_data
from servicedesk.services import attachments, canned, tickets
from servicedesk.services import validation as check
from servicedesk.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
    Vetoed,
)
from servicedesk.web.desk import bp, queries, timeline
from servicedesk.workflow import graph

# The fragments of the ticket page, by the id of their root element.
HEADER, THREAD, SIDE, TIMELINE, COMPOSER = "header", "thread", "side", "timeline", "composer"
EVERYTHING = frozenset({HEADER, THREAD, SIDE, TIMELINE, COMPOSER})
# After a change that adds no message: the thread and the draft stay as they are.
STATE = frozenset({HEADER, SIDE, TIMELINE})


@bp.get("/tickets/<reference>")
@login_required
def ticket(reference: str) -> str:
    return render_template("pages/desk/ticket.html", **_context(_load(reference)))


@bp.get("/tickets/<reference>.json")
@login_required
def ticket_json(reference: str) -> Response:
    """The ticket as data, with what the plugins add (``ticket_data``)."""
    return jsonify(ticket_data(_load(reference), current_user))


# --------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------


@bp.post("/tickets/<reference>/messages")
@login_required
def add_message(reference: str) -> Response:
    """A public reply or an internal note (``kind``), optionally moving the status on."""
    form = request.form
    kind = form.get("kind")

    def send(ticket: Ticket, version: int) -> None:
        if kind == MessageKind.NOTE:
            tickets.add_note(ticket.id, current_user, form.get("body"), version=version)
        elif kind == MessageKind.REPLY:
            status = form.get("status") or None
            tickets.reply(ticket.id, current_user, form.get("body"), version=version, status=status)
        else:
            raise ValidationError.single("kind", _("Choose a reply or an internal note."))

    done = _("Internal note added.") if kind == MessageKind.NOTE else _("Reply sent.")
    return _act(reference, COMPOSER, send, done, parts=EVERYTHING)


@bp.post("/tickets/<reference>/canned")
@login_required
def insert_canned(reference: str) -> Response:
    """Add a canned response, filled in for this ticket, to the draft. Changes nothing."""
    ticket = _load(reference)
    form = request.form.to_dict()
    try:
        response = canned.get(form.get("canned"), current_user)
    except (ValidationError, NotFound):
        return _respond(
            ticket,
            422,
            parts={COMPOSER},
            form_name=COMPOSER,
            form=form,
            message=_("Choose a canned response."),
        )
    draft = form.get("body", "").rstrip()
    filled = canned.fill(response.body, ticket, current_user)
    form["body"] = f"{draft}\n\n{filled}" if draft else filled
    return _respond(ticket, 200, parts={COMPOSER}, form_name=COMPOSER, form=form, keep=True)


@bp.post("/tickets/<reference>/assign")
@login_required
def assign(reference: str) -> Response:
    wanted = request.form.get("assignee", "")
    target = current_user.id if wanted == "me" else wanted or None

    def give(ticket: Ticket, version: int) -> None:
        tickets.assign(ticket.id, current_user, target, version=version)

    done = _("You took the ticket.") if target == current_user.id else _("Assignment changed.")
    return _act(reference, "assign", give, done)


@bp.post("/tickets/<reference>/route")
@login_required
def route(reference: str) -> Response:
    form = request.form

    def hand_over(ticket: Ticket, version: int) -> None:
        tickets.route(
            ticket.id,
            current_user,
            form.get("department"),
            version=version,
            reason=form.get("reason"),
        )

    return _act(reference, "route", hand_over, _("Ticket routed."))


@bp.post("/tickets/<reference>/status")
@login_required
def set_status(reference: str) -> Response:
    form = request.form

    def move(ticket: Ticket, version: int) -> None:
        # Reopening is "open" from resolved or closed: the transition table says so.
        tickets.set_status(
            ticket.id, current_user, form.get("status"), version=version, reason=form.get("reason")
        )

    return _act(reference, "status", move, _("Status changed."))


@bp.post("/tickets/<reference>/priority")
@login_required
def set_priority(reference: str) -> Response:
    form = request.form

    def change(ticket: Ticket, version: int) -> None:
        level = form.get("priority", "")
        tickets.set_priority(
            ticket.id, current_user, int(level) if level.isdigit() else level, version=version
        )

    return _act(reference, "priority", change, _("Priority changed."))


def _act(
    reference: str,
    form_name: str,
    operation: Callable[[Ticket, int], None],
    done: str,
    parts: Collection[str] = STATE,
) -> Response:
    ticket = _load(reference)
    form = request.form.to_dict()
    try:
        operation(ticket, check.record_id(form.get("version"), "version"))
    except Conflict as error:
        # Everything fresh, but an unrelated draft in the composer stays untouched.
        db.session.expire_all()
        fresh = _load(reference)
        return _respond(
            fresh,
            409,
            parts=STATE | {THREAD, _part_of(form_name)},
            form_name=form_name,
            form=form,
            message=error.message,
        )
    except ValidationError as error:
        return _respond(
            ticket,
            422,
            parts={_part_of(form_name)},
            form_name=form_name,
            form=form,
            errors=error.errors,
            # A plugin's refusal is the whole message; other errors mark their fields.
            message=error.message
            if isinstance(error, Vetoed)
            else _("Please correct the marked fields."),
        )
    except (PermissionDenied, NotFound) as error:
        return _respond(
            ticket,
            403,
            parts={_part_of(form_name)},
            form_name=form_name,
            form=form,
            message=error.message,
        )
    db.session.expire_all()
    fresh = queries.ticket_for_page(reference, current_user)
    if fresh is None:
        # Routed out of the agent's departments: back to the queue.
        flash(done, "success")
        return _redirect(url_for("desk.index"))
    if not htmx:
        flash(done, "success")
        return _redirect(url_for("desk.ticket", reference=fresh.reference))
    return _respond(fresh, 200, parts=parts, message=done, level="success")


def _part_of(form_name: str) -> str:
    """The fragment a form sits in: the composer, or the side column with the others."""
    return COMPOSER if form_name == COMPOSER else SIDE


def _respond(
    ticket: Ticket,
    status: int,
    *,
    parts: Collection[str],
    form_name: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    message: str | None = None,
    level: str = "danger",
    keep: bool = False,
) -> Response:
    """HTMX: the changed fragments, out of band. Otherwise the whole page."""
    context = _context(
        ticket,
        form_name=form_name,
        form=form or {},
        errors=errors or {},
        keep_draft=keep or status >= 400,
    )
    context["alert"] = (level if status < 400 else "danger", message) if message else None
    if htmx:
        body = render_template(
            "partials/desk/_ticket_update.html", parts=parts, oob=True, **context
        )
    else:
        body = render_template("pages/desk/ticket.html", **context)
    return make_response(body, status)


def _redirect(target: str) -> Response:
    if htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


# --------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    """A file from a ticket the user may see, always as a download, never rendered."""
    if attachment_id > check.MAX_ID:
        abort(404)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can(current_user, Action.VIEW, attachment.message.ticket):
        abort(404)
    try:
        return attachments.download(attachment)
    except NotFound:
        abort(404)


# --------------------------------------------------------------------------
# What the page shows
# --------------------------------------------------------------------------


def _load(reference: str) -> Ticket:
    ticket = queries.ticket_for_page(reference, current_user)
    if ticket is None:
        abort(404)
    return ticket


def _context(
    ticket: Ticket,
    *,
    form_name: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    keep_draft: bool = False,
) -> dict[str, Any]:
    user = current_user._get_current_object()
    app = current_app._get_current_object()
    view = queries.ticket_view(ticket, user)
    locale = current_locale()
    allowed = graph.allowed_targets(ticket.department)
    off_graph = (
        [d for d in graph.active_departments() if d not in allowed and d.id != ticket.department_id]
        if can(user, Action.ROUTE_OFF_GRAPH, ticket)
        else []
    )
    form = form or {}
    return {
        "ticket": ticket,
        "view": view,
        "entries": timeline.describe(view.events, view.names, view.departments, locale),
        "may_act": can(user, Action.REPLY, ticket),
        "assignees": queries.assignable_users(ticket, user),
        "route_targets": allowed,
        "route_off_graph": off_graph,
        "statuses": [s for s in Status if s in tickets.TRANSITIONS[ticket.status]],
        "priorities": list(reversed(Priority)),
        "canned": canned.visible_to(user),
        "panels": slots.render_panels("ticket_panels", ticket=ticket, actor=user, request=request),
        "actions": slots.collect(
            "ticket_actions", app=app, ticket=ticket, actor=user, request=request
        ),
        "form_name": form_name,
        "form": form,
        "errors": errors or {},
        # The composer's text survives anything but its own successful send.
        "draft": form if form_name == COMPOSER and keep_draft else {},
        "alert": None,
    }
