"""The escalation pages: the desk panel's form, and the supervisors' list.

The panel's form works with and without JavaScript. With HTMX a refusal swaps
only the panel (what was typed stays), and a success reloads the ticket page,
whose header, timeline and the versions in its other forms all changed.
Without JavaScript a success redirects to the ticket page and a refusal shows
the panel on a page of its own.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from servicedesk.models import Ticket
from servicedesk.policy import Action, can
from servicedesk.services import tickets
from servicedesk.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
    Vetoed,
)
from servicedesk.sla.clock import sla_state

from . import records

bp = Blueprint("escalation", __name__, url_prefix="/escalation", template_folder="templates")

PER_PAGE = 50
MAX_PAGE = 10_000
REASON_MAX = 2_000


@bp.get("/")
@login_required
def index() -> str:
    """Unfinished escalated tickets, latest escalation first (supervisors, admins)."""
    if not records.may_oversee(current_user):
        abort(403)
    page = _page(request.args.get("page"))
    rows, more = records.open_escalations(current_user, page=page, per_page=PER_PAGE)
    return render_template(
        "escalation/index.html",
        rows=rows,
        page=page,
        more=more,
        level_label=records.level_label,
        sla_state=sla_state,
    )


@bp.get("/tickets/<reference>")
@login_required
def ticket_page(reference: str) -> str:
    """The panel on a page of its own (where a refusal lands without JavaScript)."""
    ticket = _load(reference)
    return render_template(
        "escalation/escalate.html", ticket=ticket, **panel_context(ticket, current_user)
    )


@bp.post("/tickets/<reference>")
@login_required
def escalate(reference: str) -> Response:
    """Escalate by hand: a reason is required; every escalation is recorded."""
    ticket = _load(reference)
    reason = request.form.get("reason", "")
    version = _version(request.form.get("version"))
    try:
        if not reason.strip():
            raise ValidationError.single("reason", _("Say why you escalate this ticket."))
        if len(reason) > REASON_MAX:
            raise ValidationError.single("reason", _("At most %(max)d characters.", max=REASON_MAX))
        records.escalate_by_hand(ticket, current_user, reason, version=version)
    except Conflict as error:
        # Show the fresh ticket's version, so sending again is a deliberate choice.
        fresh = _load(reference)
        return _refused(fresh, 409, error.message, reason)
    except Vetoed as error:
        return _refused(ticket, 422, error.message, reason)
    except ValidationError as error:
        messages = [m for field_messages in error.errors.values() for m in field_messages]
        return _refused(ticket, 422, " ".join(messages), reason)
    except PermissionDenied as error:
        return _refused(ticket, 403, error.message, reason)
    except NotFound:
        abort(404)
    flash(_("Ticket %(ref)s escalated.", ref=ticket.reference), "success")
    target = url_for("desk.ticket", reference=ticket.reference)
    if _is_htmx():
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


def panel_context(
    ticket: Ticket, actor: Any, *, reason: str = "", error: str | None = None
) -> dict[str, Any]:
    """What ``escalation/_panel.html`` shows besides ``ticket``: the history and, if
    allowed, the form. (The desk passes ``ticket`` to a panel's template itself.)"""
    return {
        "escalations": records.history(ticket.id),
        "may_escalate": can(actor, Action.ESCALATE, ticket),
        "level_label": records.level_label,
        "reason": reason,
        "error": error,
    }


def _refused(ticket: Ticket, status: int, message: str, reason: str) -> Response:
    context = panel_context(ticket, current_user, reason=reason, error=message)
    template = "escalation/_panel.html" if _is_htmx() else "escalation/escalate.html"
    response = make_response(render_template(template, ticket=ticket, **context), status)
    response.vary.add("HX-Request")
    return response


def _load(reference: str) -> Ticket:
    try:
        return tickets.find_by_reference(reference, current_user)
    except (NotFound, ValidationError):
        abort(404)


def _version(value: str | None) -> int | None:
    """The version the agent saw; without one, nothing is compared."""
    if value is None or not value.isdigit() or len(value) > 10:
        return None
    return int(value)


def _page(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 5:
        return 1
    return min(max(int(value), 1), MAX_PAGE)


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"
