"""Canned responses: reusable texts for replies and notes, shared or personal.

A text may hold placeholders such as ``{customer_name}``; they are filled in
for one ticket when the agent inserts the text. Only the names listed in
``PLACEHOLDERS`` are replaced (never ``str.format``, which would let a text
reach into Python objects); anything else in braces stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from servicedesk import catalogue, clock
from servicedesk.catalogue import CannedInfo
from servicedesk.extensions import db
from servicedesk.i18n import current_locale
from servicedesk.i18n import gettext as _
from servicedesk.i18n import lazy_gettext as _l
from servicedesk.models import CannedResponse, Ticket, User
from servicedesk.policy import Action, can
from servicedesk.services import validation as check
from servicedesk.services.errors import NotFound, PermissionDenied

TITLE_MAX = 100

# Placeholder -> (what it stands for, how to get it from a ticket and an agent).
PLACEHOLDERS: dict[str, tuple[object, Callable[[Ticket, User], str]]] = {
    "customer_name": (_l("the contact's name"), lambda t, _a: t.contact.name if t.contact else ""),
    "company": (_l("the customer's company"), lambda t, _a: t.customer.name if t.customer else ""),
    "reference": (_l("the ticket's reference"), lambda t, _a: t.reference),
    "subject": (_l("the ticket's subject"), lambda t, _a: t.subject),
    "department": (
        _l("the ticket's department"),
        lambda t, _a: t.department.name(current_locale()),
    ),
    "agent_name": (_l("your name"), lambda _t, a: a.name),
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def visible_to(user: User) -> list[CannedInfo]:
    """The shared responses and the user's own, shared first, each by title."""
    return [r for r in catalogue.current().canned if r.owner_id in (None, user.id)]


def shared() -> list[CannedResponse]:
    return list(
        db.session.scalars(
            select(CannedResponse)
            .where(CannedResponse.owner_id.is_(None))
            .order_by(CannedResponse.title)
        )
    )


def get(response_id: object, user: User) -> CannedResponse:
    """A response ``user`` may use; someone else's personal one does not exist for them."""
    response = db.session.get(CannedResponse, check.record_id(response_id, "response"))
    if response is None or response.owner_id not in (None, user.id):
        raise NotFound(_("No such canned response."))
    return response


def create(actor: User, *, title: object, body: object, shared: bool = False) -> CannedResponse:
    """A new response: personal, or shared with everyone (administrators only)."""
    if shared and not can(actor, Action.ADMINISTER):
        raise PermissionDenied(_("Only administrators manage shared responses."))
    values = _checked(title, body)
    response = CannedResponse(
        **values, owner_id=None if shared else actor.id, created_at=clock.now()
    )
    db.session.add(response)
    db.session.commit()
    return response


def update(actor: User, response_id: object, *, title: object, body: object) -> CannedResponse:
    response = _editable(actor, response_id)
    values = _checked(title, body)
    response.title, response.body = values["title"], values["body"]
    db.session.commit()
    return response


def delete(actor: User, response_id: object) -> None:
    db.session.delete(_editable(actor, response_id))
    db.session.commit()


def fill(text: str, ticket: Ticket, agent: User) -> str:
    """``text`` with its placeholders filled in for ``ticket`` and ``agent``."""

    def value(match: re.Match[str]) -> str:
        known = PLACEHOLDERS.get(match.group(1))
        return known[1](ticket, agent) if known else match.group(0)

    return _PLACEHOLDER.sub(value, text)


def _editable(actor: User, response_id: object) -> CannedResponse:
    response = db.session.get(CannedResponse, check.record_id(response_id, "response"))
    if response is None or (response.owner_id is not None and response.owner_id != actor.id):
        raise NotFound(_("No such canned response."))
    if response.owner_id is None and not can(actor, Action.ADMINISTER):
        raise PermissionDenied(_("Only administrators manage shared responses."))
    return response


def _checked(title: object, body: object) -> dict[str, str]:
    errors = check.Errors()
    values = errors.collect(
        {
            "title": lambda: check.line(title, "title", max_length=TITLE_MAX),
            "body": lambda: check.body(body),
        }
    )
    unknown = sorted(set(_PLACEHOLDER.findall(values.get("body", ""))) - PLACEHOLDERS.keys())
    if unknown:
        errors.add(
            "body",
            _(
                "Unknown placeholder: %(names)s. Available: %(known)s.",
                names=", ".join(f"{{{name}}}" for name in unknown),
                known=", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            ),
        )
    errors.raise_if_any()
    return values
