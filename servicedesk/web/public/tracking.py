"""The customer's tracking page, replies, downloads, and the lost-link form.

The token in the URL is the only key: an unknown token, another ticket's file
and a file that does not exist all get the same 404 page.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from servicedesk import slots
from servicedesk.i18n import current_locale
from servicedesk.i18n import gettext as _
from servicedesk.i18n import lazy_gettext as _l
from servicedesk.models import Status, Ticket
from servicedesk.policy import CustomerActor
from servicedesk.schemas.public import LostLinkSchema, ReplySchema, parse
from servicedesk.services import attachments, portal, tickets
from servicedesk.services.errors import Conflict, NotFound, ValidationError
from servicedesk.web.public import bp
from servicedesk.web.public.forms import (
    ACCEPT,
    HONEYPOT,
    LOST_LINK_FIELD,
    REPLY_FIELD,
    uploads,
)
from servicedesk.web.public.limits import per_address, per_client

log = logging.getLogger(__name__)

# The status in the customer's words: a headline and what it means for them.
STATUS_WORDS: dict[str, tuple[Any, Any]] = {
    Status.NEW: (
        _l("Received"),
        _l("We have your request and will start on it shortly."),
    ),
    Status.OPEN: (
        _l("We are working on it"),
        _l("The department handling your request is on it. We will write here when we have news."),
    ),
    Status.PENDING: (
        _l("Waiting for your reply"),
        _l("We have asked you something. Please answer below so we can go on."),
    ),
    Status.RESOLVED: (
        _l("Resolved — tell us if it is not"),
        _l("We believe the problem is solved. If it is not, reply below and we will reopen it."),
    ),
    Status.CLOSED: (
        _l("Closed"),
        _l("This request is closed. If you need more help, please file a new request."),
    ),
}


@bp.get("/t/<token>")
def track(token: str) -> str:
    ticket, actor = _open(token)
    return _tracking_page(ticket, actor, token, values={}, errors={}, files_lost=False)


@bp.post("/t/<token>/reply")
@per_client("REPLY_RATE_LIMIT")
@per_address
def reply(token: str) -> Response | tuple[str, int]:
    ticket, actor = _open(token)
    files = uploads()
    parsed = parse(ReplySchema, {"body": request.form.get("body"), "attachments": files})
    if not parsed.errors:
        try:
            tickets.add_customer_message(ticket.id, actor, parsed.values["body"], attachments=files)
        except ValidationError as error:
            parsed.errors = error.errors
        except Conflict:
            # An agent changed the ticket at that very moment; nothing was saved.
            parsed.errors = {"body": [_("Your request was just updated. Please send again.")]}
        else:
            flash(_("Your message has been sent."), "success")
            return redirect(url_for("public.track", token=token, _anchor="latest"), code=303)
    page = _tracking_page(
        ticket, actor, token, values=request.form, errors=parsed.errors, files_lost=bool(files)
    )
    return page, 422


@bp.get("/t/<token>/files/<attachment_id>")
def download(token: str, attachment_id: str) -> Response:
    ticket, _actor = _open(token)
    try:
        return attachments.download(portal.public_attachment(ticket, attachment_id))
    except NotFound:
        abort(404)


@bp.get("/lost-link")
def lost_link() -> str:
    return _lost_link_page({}, {})


@bp.post("/lost-link")
@per_client("LOST_LINK_RATE_LIMIT")
@per_address
def request_links() -> Response | tuple[str, int]:
    """Email fresh links; the answer is the same whether the address is known or not."""
    if request.form.get(HONEYPOT):
        return redirect(url_for("public.links_sent"), code=303)
    parsed = parse(LostLinkSchema, {"email": request.form.get("email")})
    if parsed.errors:
        return _lost_link_page(request.form, parsed.errors), 422
    tickets.reissue_links(parsed.values["email"], locale=current_locale())
    return redirect(url_for("public.links_sent"), code=303)


@bp.get("/lost-link/sent")
def links_sent() -> str:
    return _lost_link_page({}, {}, sent=True)


def _lost_link_page(
    values: MultiDict[str, str] | dict[str, str],
    errors: dict[str, list[str]],
    *,
    sent: bool = False,
) -> str:
    return render_template(
        "pages/public/lost_link.html",
        email_field=LOST_LINK_FIELD,
        values=values,
        errors=errors,
        sent=sent,
    )


def _open(token: str) -> tuple[Ticket, CustomerActor]:
    try:
        return tickets.open_with_token(token)
    except NotFound:
        abort(404)


def _tracking_page(
    ticket: Ticket,
    actor: CustomerActor,
    token: str,
    *,
    values: MultiDict[str, str] | dict[str, str],
    errors: dict[str, list[str]],
    files_lost: bool,
) -> str:
    headline, explanation = STATUS_WORDS.get(ticket.status, STATUS_WORDS[Status.OPEN])
    return render_template(
        "pages/public/track.html",
        ticket=ticket,
        token=token,
        thread=portal.public_thread(ticket),
        department=ticket.department.name(current_locale()),
        headline=headline,
        explanation=explanation,
        panels=slots.render_panels("tracking_panels", ticket=ticket, actor=actor, request=request),
        values=values,
        errors=errors,
        files_lost=files_lost,
        accept=ACCEPT,
        reply_field=REPLY_FIELD,
    )
