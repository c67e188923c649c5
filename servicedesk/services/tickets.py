"""Ticket operations: the only code that changes tickets.

Each public function is one transaction: it validates its input, checks the
actor's permission and the version the actor saw, changes the ticket, writes
the audit events, commits, and then tells the plugins (``ticket_event``).
Nothing is written when any check fails.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from servicedesk import catalogue, clock
from servicedesk.catalogue import DepartmentInfo
from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.labels import status_label
from servicedesk.links import external_url
from servicedesk.models import (
    Channel,
    Contact,
    Department,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    User,
)
from servicedesk.plugins import notify
from servicedesk.policy import Action, Actor, CustomerActor, actor_label, can, can_be_assigned
from servicedesk.services import attachments as files
from servicedesk.services import validation as check
from servicedesk.services.attachments import Upload
from servicedesk.services.customers import contact_for
from servicedesk.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
    Vetoed,
)
from servicedesk.services.notifications import for_escalation, for_event, mail_locale
from servicedesk.services.outbox import enqueue
from servicedesk.services.references import next_reference
from servicedesk.services.tokens import hash_token, new_token
from servicedesk.sla import clock as sla_clock
from servicedesk.state import app_state
from servicedesk.workflow import graph
from servicedesk.workflow.seed import INTAKE

log = logging.getLogger(__name__)

# Where a ticket may go from each status. "new" is never re-entered.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

# Statuses a ticket can be moved to (every one but "new").
_TARGETS = [s for s in Status if any(s in targets for targets in TRANSITIONS.values())]


COMPANY_MAX = 200
PRODUCT_REF_MAX = 100

# What a customer types, field by field. create_ticket applies these rules, and
# the public form's schema reports them field by field: one set of rules.
CUSTOMER_FIELDS: dict[str, Callable[[object], Any]] = {
    "kind": lambda value: _kind(value),
    "name": lambda value: check.line(value, "name", max_length=check.NAME_MAX),
    "company": lambda value: check.optional_line(value, "company", max_length=COMPANY_MAX),
    "email": check.email,
    "phone": lambda value: check.optional_line(value, "phone", max_length=check.PHONE_MAX),
    "product_ref": lambda value: check.optional_line(
        value, "product_ref", max_length=PRODUCT_REF_MAX
    ),
    "subject": lambda value: check.line(value, "subject", max_length=check.SUBJECT_MAX),
    "body": check.body,
}

# Bounds on the values plugin form fields store in Ticket.extra.
EXTRA_MAX_FIELDS = 30
EXTRA_MAX_CHARS = 10_000
_EXTRA_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
_EXTRA_MAX_DEPTH = 3
# JSON readers in other languages lose precision beyond 2**53.
_EXTRA_MAX_INT = 2**53

# The audit event of a tracking link replaced through the lost-link form.
LINK_REISSUED = "link_reissued"


@dataclass(frozen=True)
class NewTicket:
    """A created ticket and its tracking token (shown to the customer once).

    ``reference`` is read before the commit expires the ticket, so showing it
    costs no query.
    """

    ticket: Ticket
    token: str
    reference: str


# --------------------------------------------------------------------------
# Creating and finding tickets
# --------------------------------------------------------------------------


def create_ticket(
    *,
    subject: object,
    body: object,
    email: object,
    name: object,
    kind: object = "enquiry",
    company: object = None,
    phone: object = None,
    product_ref: object = None,
    extra: object = None,
    attachments: Sequence[Upload] = (),
    channel: object = Channel.WEB,
    priority: object = None,
    department: object = None,
    locale: str | None = None,
    actor: Actor | None = None,
    send_confirmation: bool = False,
) -> NewTicket:
    """File a request on behalf of a customer, in one transaction.

    ``actor`` is None for the public form, or the staff member who records a
    phone call or email. Without a ``department`` the ``choose_department``
    hook decides where the ticket starts, and intake is the default. With
    ``send_confirmation`` the customer is emailed the reference and tracking
    link (in ``locale``) through the outbox, in the same transaction.
    """
    if not can(actor, Action.CREATE):
        raise PermissionDenied(_("You may not create tickets."))
    errors = check.Errors()
    typed = {
        "kind": kind,
        "name": name,
        "company": company,
        "email": email,
        "phone": phone,
        "product_ref": product_ref,
        "subject": subject,
        "body": body,
    }
    fields: dict[str, Callable[[], Any]] = {
        field: partial(rule, typed[field]) for field, rule in CUSTOMER_FIELDS.items()
    }
    fields |= {
        "extra": lambda: check_extra(extra),
        "attachments": lambda: files.check_uploads(attachments),
        "channel": lambda: check.choice(channel, "channel", [c.value for c in Channel]),
        "priority": lambda: Priority.NORMAL if priority is None else _priority(priority),
        "department": lambda: None if department is None else _department_info(department),
        "locale": lambda: check.optional_line(locale, "locale", max_length=16),
    }
    values = errors.collect(fields)
    errors.raise_if_any()

    with files.storing(values["attachments"]) as stored, _transaction():
        now = clock.now()
        contact = contact_for(
            values["email"],
            name=values["name"],
            phone=values["phone"],
            company=values["company"],
            locale=values["locale"],
        )
        target = values["department"] or _starting_department(
            values["kind"], contact, values["extra"]
        )
        token, token_hash = new_token()
        reference = next_reference(now)
        ticket = Ticket(
            reference=reference,
            kind=values["kind"],
            subject=values["subject"],
            product_ref=values["product_ref"],
            extra=values["extra"],
            status=Status.NEW,
            priority=values["priority"],
            channel=values["channel"],
            # The id only: the catalogue knows the department; loading it is for plugins.
            department_id=target.id,
            contact=contact,
            access_token_hash=token_hash,
            created_at=now,
            updated_at=now,
        )
        # The id when the customer is already stored: no load of the row just for it.
        if contact.customer_id is not None:
            ticket.customer_id = contact.customer_id
        else:
            ticket.customer = contact.customer
        db.session.add(ticket)
        ticket.messages.append(
            Message(
                kind=MessageKind.CUSTOMER,
                body=values["body"],
                contact=contact,
                author=actor if isinstance(actor, User) else None,
                created_at=now,
                attachments=stored,
            )
        )
        events = [_event(ticket, actor, EventKind.CREATED, new=target.code)]
        sla_clock.on_created(ticket, events)  # service level, SLA clock, auto-assignment
        if send_confirmation:
            _queue_confirmation(
                ticket, token, name=values["name"], locale=values["locale"], department=target
            )
    _announce(ticket, actor, events)
    return NewTicket(ticket=ticket, token=token, reference=reference)


def check_extra(extra: object) -> dict[str, Any]:
    """Values for ``Ticket.extra``: field names to JSON values, bounded in number and size.

    Errors name the offending field, so a form can show them beside it.
    """
    if extra is None:
        return {}
    if not isinstance(extra, dict):
        raise ValidationError.single("extra", _("Must be a set of named values."))
    if len(extra) > EXTRA_MAX_FIELDS:
        raise ValidationError.single(
            "extra", _("At most %(max)d additional details.", max=EXTRA_MAX_FIELDS)
        )
    errors = check.Errors()
    for key, value in extra.items():
        if not isinstance(key, str) or not _EXTRA_NAME.match(key) or key in CUSTOMER_FIELDS:
            errors.add("extra", _("“%(name)s” is not a valid field name.", name=str(key)[:64]))
        elif not _json_safe(value, depth=0):
            errors.add(key, _("This value cannot be stored."))
    errors.raise_if_any()
    if len(json.dumps(extra, ensure_ascii=False)) > EXTRA_MAX_CHARS:
        raise ValidationError.single(
            "extra",
            _(
                "The additional details are too long (at most %(max)d characters in all).",
                max=EXTRA_MAX_CHARS,
            ),
        )
    return dict(extra)


def get_ticket(ticket_id: object, actor: Actor) -> Ticket:
    """A ticket the actor may see; a forbidden one is reported as missing."""
    ticket = db.session.get(Ticket, check.record_id(ticket_id, "ticket"))
    if ticket is None or not can(actor, Action.VIEW, ticket):
        raise NotFound(_("No such ticket."))
    return ticket


def find_by_reference(reference: object, actor: Actor) -> Ticket:
    """A ticket by its public reference, for staff; never enough for customers."""
    text = check.line(reference, "reference", max_length=24)
    ticket = db.session.scalar(select(Ticket).where(Ticket.reference == text.upper()))
    if ticket is None or isinstance(actor, CustomerActor) or not can(actor, Action.VIEW, ticket):
        raise NotFound(_("No such ticket."))
    return ticket


def open_with_token(token: object) -> tuple[Ticket, CustomerActor]:
    """The ticket a tracking token opens, and the customer acting through it."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound(_("No such ticket."))
    ticket = db.session.scalar(select(Ticket).where(Ticket.access_token_hash == hash_token(token)))
    if ticket is None:
        raise NotFound(_("No such ticket."))
    name = ticket.contact.name if ticket.contact else "customer"
    return ticket, CustomerActor(ticket_id=ticket.id, name=name, token=token)


def reissue_links(email: object, *, locale: str) -> int:
    """Email fresh tracking links for the open tickets of the contact with this address.

    Only hashes of the tokens are stored, so the old links cannot be resent:
    each open ticket gets a new token (the old link stops working), one audit
    event, and one email lists them all. Returns how many tickets that was; an
    unknown address, or one with only closed tickets, writes and sends nothing.
    """
    address = check.email(email)
    contact = db.session.scalar(select(Contact).where(Contact.email == address))
    if contact is None:
        return 0
    open_tickets = list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.contact_id == contact.id, Ticket.status != Status.CLOSED)
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        )
    )
    if not open_tickets:
        return 0
    with _transaction():
        links = []
        for ticket in open_tickets:
            token, token_hash = new_token()
            # A bulk UPDATE leaves the version and updated_at alone: a new link
            # is nothing an agent needs to review, so their open pages stay valid.
            db.session.execute(
                update(Ticket).where(Ticket.id == ticket.id).values(access_token_hash=token_hash),
                execution_options={"synchronize_session": False},
            )
            _event(ticket, None, LINK_REISSUED)
            links.append((ticket, external_url("public.track", token=token)))
        enqueue(
            kind="lost_link",
            recipient=contact.email,
            template="lost_link",
            locale=mail_locale(contact.locale or locale),
            context={"name": contact.name, "links": links},
        )
    return len(links)


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------


def add_customer_message(
    ticket_id: object, actor: Actor, body: object, *, attachments: Sequence[Upload] = ()
) -> Message:
    """The customer writes again, with files if any; a pending or resolved ticket reopens.

    Appending never conflicts with staff edits, so no version is asked for.
    """
    text = check.body(body)
    checked = files.check_uploads(attachments)
    with (
        files.storing(checked) as stored,
        _changing(ticket_id, actor, Action.CUSTOMER_REPLY, version=None) as (ticket, events),
    ):
        if ticket.status == Status.CLOSED:
            raise ValidationError.single(
                "body", _("This ticket is closed. Please file a new request.")
            )
        message = Message(
            kind=MessageKind.CUSTOMER,
            body=text,
            contact=ticket.contact,
            created_at=clock.now(),
            attachments=stored,
        )
        ticket.messages.append(message)
        events.append(_event(ticket, actor, EventKind.CUSTOMER_REPLIED))
        if ticket.status in (Status.PENDING, Status.RESOLVED):
            events.append(_move(ticket, actor, Status.OPEN, None))
    return message


def reply(
    ticket_id: object, actor: Actor, body: object, *, version: int | None, status: object = None
) -> Message:
    """A public answer to the customer; optionally move the ticket on (e.g. pending)."""
    text = check.body(body)
    target = None if status is None else check.choice(status, "status", _TARGETS)
    with _changing(ticket_id, actor, Action.REPLY, version) as (ticket, events):
        if ticket.status == Status.CLOSED:
            raise ValidationError.single("body", _("Reopen the ticket before replying."))
        now = clock.now()
        message = Message(kind=MessageKind.REPLY, body=text, author=_user(actor), created_at=now)
        ticket.messages.append(message)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        events.append(_event(ticket, actor, EventKind.REPLIED))
        target = target or (Status.OPEN if ticket.status == Status.NEW else None)
        if target and target != ticket.status:
            if target not in TRANSITIONS[ticket.status]:
                raise ValidationError.single("status", _cannot_become(ticket.status, target))
            events.append(_move(ticket, actor, target, None))
    return message


def add_note(ticket_id: object, actor: Actor, body: object, *, version: int | None) -> Message:
    """An internal note, never shown to the customer."""
    text = check.body(body)
    with _changing(ticket_id, actor, Action.NOTE, version) as (ticket, events):
        message = Message(
            kind=MessageKind.NOTE, body=text, author=_user(actor), created_at=clock.now()
        )
        ticket.messages.append(message)
        events.append(_event(ticket, actor, EventKind.NOTED))
    return message


# --------------------------------------------------------------------------
# Moving the ticket
# --------------------------------------------------------------------------


def route(
    ticket_id: object,
    actor: Actor,
    department: object,
    *,
    version: int | None,
    reason: object = None,
) -> Ticket:
    """Hand the ticket to another department along the route graph.

    Supervisors and admins may also route where the graph has no edge. The
    assignee is cleared: the new department decides who takes it.
    """
    note = _reason(reason)
    with _changing(ticket_id, actor, Action.ROUTE, version) as (ticket, events):
        _hand_over(ticket, actor, _department(department), note, events)
    return ticket


def escalate(
    ticket_id: object,
    actor: Actor,
    *,
    level: object,
    reason: object,
    priority: object = None,
    department: object = None,
    version: int | None = None,
) -> Ticket:
    """Record an escalation and mail the assignee and the department's supervisors
    (and, after a hand-over, the receiving department's).

    ``level`` names the escalation (``warning``, ``breach``, ``manual`` ...). In
    the same transaction the priority may be raised (never lowered) and the
    ticket handed to another ``department``, along the graph like ``route``.
    """
    label = check.line(level, "level", max_length=32)
    note = _reason(reason)
    if note is None:
        raise ValidationError.single("reason", _("Say why the ticket is escalated."))
    raised = None if priority in (None, "") else _priority(priority)
    with _changing(ticket_id, actor, Action.ESCALATE, version) as (ticket, events):
        escalated = _event(ticket, actor, EventKind.ESCALATED, None, label, note)
        events.append(escalated)
        mailed = for_escalation(ticket, escalated)
        if raised is not None and raised > ticket.priority:
            old = Priority(ticket.priority).name.lower()
            ticket.priority = raised
            events.append(_event(ticket, actor, EventKind.PRIORITY, old, raised.name.lower()))
        if department not in (None, ""):
            target = _department(department)
            if target.id != ticket.department_id:
                _hand_over(ticket, actor, target, note, events)
                for_escalation(ticket, escalated, already=mailed)  # the receiving department
    return ticket


def assign(ticket_id: object, actor: Actor, assignee_id: object, *, version: int | None) -> Ticket:
    """Give the ticket to a person (``None`` to unassign); a new ticket opens."""
    wanted = None if assignee_id in (None, "") else check.record_id(assignee_id, "assignee")
    with _changing(ticket_id, actor, Action.ASSIGN, version) as (ticket, events):
        assignee = None
        if wanted is not None:
            assignee = db.session.get(User, wanted)
            if assignee is None or not can_be_assigned(actor, ticket, assignee):
                raise ValidationError.single(
                    "assignee",
                    _("Choose an active member of %(name)s.", name=_name(ticket.department)),
                )
        if ticket.assignee_id == wanted:
            raise ValidationError.single("assignee", _("Nothing to change."))
        old = None if ticket.assignee_id is None else str(ticket.assignee_id)
        ticket.assignee = assignee
        events.append(
            _event(ticket, actor, EventKind.ASSIGNED, old, None if wanted is None else str(wanted))
        )
        if ticket.status == Status.NEW and assignee is not None:
            events.append(_move(ticket, actor, Status.OPEN, None))
    return ticket


def set_status(
    ticket_id: object, actor: Actor, status: object, *, version: int | None, reason: object = None
) -> Ticket:
    """Move the ticket to ``status`` if the transition table allows it."""
    target = check.choice(status, "status", TRANSITIONS)
    note = _reason(reason)
    with _changing(ticket_id, actor, Action.SET_STATUS, version) as (ticket, events):
        if target not in TRANSITIONS[ticket.status]:
            raise ValidationError.single("status", _cannot_become(ticket.status, target))
        events.append(_move(ticket, actor, target, note))
    return ticket


def resolve(
    ticket_id: object, actor: Actor, *, version: int | None, reason: object = None
) -> Ticket:
    return set_status(ticket_id, actor, Status.RESOLVED, version=version, reason=reason)


def reopen(
    ticket_id: object, actor: Actor, *, version: int | None, reason: object = None
) -> Ticket:
    """Open a resolved or closed ticket again.

    Checked like every change: permission and version first, then the status
    (a stale page gets ``Conflict``, a customer ``PermissionDenied``).
    """
    note = _reason(reason)
    with _changing(ticket_id, actor, Action.SET_STATUS, version) as (ticket, events):
        if ticket.status not in (Status.RESOLVED, Status.CLOSED):
            raise ValidationError.single(
                "status", _("Only a resolved or closed ticket can be reopened.")
            )
        events.append(_move(ticket, actor, Status.OPEN, note))
    return ticket


def close(ticket_id: object, actor: Actor, *, version: int | None, reason: object = None) -> Ticket:
    return set_status(ticket_id, actor, Status.CLOSED, version=version, reason=reason)


def set_priority(
    ticket_id: object, actor: Actor, priority: object, *, version: int | None, reason: object = None
) -> Ticket:
    level = _priority(priority)
    note = _reason(reason)
    with _changing(ticket_id, actor, Action.SET_PRIORITY, version) as (ticket, events):
        if ticket.priority == level:
            raise ValidationError.single("priority", _("Nothing to change."))
        old = Priority(ticket.priority).name.lower()
        ticket.priority = level
        events.append(_event(ticket, actor, EventKind.PRIORITY, old, level.name.lower(), note))
    return ticket


# --------------------------------------------------------------------------
# The transaction around every change
# --------------------------------------------------------------------------


@contextmanager
def _transaction() -> Iterator[None]:
    session = db.session()
    try:
        yield
        # What the change wrote stays loaded after the commit: the plugins told
        # about it next (and the caller) read the ticket and its events as
        # written, instead of loading each object again with a query.
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    except BaseException:
        session.rollback()
        raise


@contextmanager
def _changing(
    ticket_id: object, actor: Actor, action: Action, version: int | None
) -> Iterator[tuple[Ticket, list[TicketEvent]]]:
    """Load, check, let the caller change the ticket, then commit and announce."""
    ticket = get_ticket(ticket_id, actor)
    if not can(actor, action, ticket):
        db.session.rollback()
        raise PermissionDenied(_("You may not do this to ticket %(ref)s.", ref=ticket.reference))
    if version is not None and version != ticket.version:
        db.session.rollback()
        raise _conflict(ticket)
    events: list[TicketEvent] = []
    key = ticket.id
    try:
        with _transaction():
            yield ticket, events
            _check_vetoes(ticket, actor, events)
            sla_clock.on_changed(ticket, events)  # pause/resume the SLA clock
            ticket.updated_at = clock.now()
            for event in events:  # mails go in the same transaction as the change
                for_event(ticket, event)
    except StaleDataError:
        # Someone committed between our read and our write. (The rolled-back
        # ticket is expired: reading ``ticket.id`` now would fail if it was deleted.)
        fresh = db.session.get(Ticket, key, populate_existing=True)
        if fresh is None:
            raise NotFound(_("No such ticket.")) from None
        raise _conflict(fresh) from None
    _announce(ticket, actor, events)


# The form field a refusal belongs next to, by the kind of event refused.
_VETO_FIELDS = {
    EventKind.ROUTED: "department",
    EventKind.ASSIGNED: "assignee",
    EventKind.STATUS: "status",
    EventKind.PRIORITY: "priority",
}


def _check_vetoes(ticket: Ticket, actor: Actor, events: list[TicketEvent]) -> None:
    hook = app_state().plugin_manager.hook.veto_transition
    app = current_app._get_current_object()
    for event in events:
        reason = hook(app=app, ticket=ticket, actor=actor, event=event)
        if reason:
            raise Vetoed(_VETO_FIELDS.get(event.kind, "body"), str(reason))


def _cannot_become(current: str, target: str) -> str:
    return _(
        "A ticket that is “%(current)s” cannot become “%(target)s”.",
        current=status_label(current),
        target=status_label(target),
    )


def _conflict(ticket: Ticket) -> Conflict:
    return Conflict(
        _(
            "Ticket %(ref)s was changed by someone else since you opened it. "
            "Review the latest version and try again.",
            ref=ticket.reference,
        ),
        current_version=ticket.version,
    )


def _announce(ticket: Ticket, actor: Actor | None, events: list[TicketEvent]) -> None:
    """Tell the plugins, after the commit. Plugins commit their own writes."""
    manager = app_state().plugin_manager
    for event in events:
        try:
            notify(
                manager,
                "ticket_event",
                app=current_app._get_current_object(),
                ticket=ticket,
                actor=actor,
                event=event,
            )
        finally:
            # The change is committed. A plugin that failed half-way may have left
            # uncommitted work or (PostgreSQL) an aborted transaction in the session;
            # neither may reach the next event's plugins or the caller's next query.
            db.session.rollback()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _event(
    ticket: Ticket,
    actor: Actor | None,
    kind: str,
    old: str | None = None,
    new: str | None = None,
    detail: str | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=_user(actor),
        actor_label=actor_label(actor)[:100],
        old_value=old,
        new_value=new,
        detail=detail,
        created_at=clock.now(),
    )
    db.session.add(event)
    return event


def _hand_over(
    ticket: Ticket, actor: Actor, target: Department, note: str | None, events: list[TicketEvent]
) -> None:
    """Move the ticket to ``target`` along the graph (or off it, where allowed)."""
    source = ticket.department
    if target.id == source.id:
        raise ValidationError.single(
            "department", _("The ticket is already in %(name)s.", name=_name(target))
        )
    allowed = graph.allowed_targets(source)
    if target.id not in {d.id for d in allowed} and not can(actor, Action.ROUTE_OFF_GRAPH, ticket):
        raise ValidationError.single(
            "department",
            _(
                "A ticket in %(source)s cannot be routed to %(target)s. Allowed: %(allowed)s.",
                source=_name(source),
                target=_name(target),
                allowed=", ".join(_name(d) for d in allowed) or _("none"),
            ),
        )
    ticket.department = target
    events.append(_event(ticket, actor, EventKind.ROUTED, source.code, target.code, note))
    if ticket.assignee_id is not None:
        events.append(_event(ticket, actor, EventKind.ASSIGNED, str(ticket.assignee_id), None))
        ticket.assignee = None


def _move(ticket: Ticket, actor: Actor, target: str, note: str | None) -> TicketEvent:
    """Change the status with its timestamps and return the audit event."""
    old = ticket.status
    now = clock.now()
    ticket.status = target
    if target == Status.RESOLVED:
        ticket.resolved_at = now
    elif target == Status.CLOSED:
        ticket.closed_at = now
    elif target == Status.OPEN and old in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
    return _event(ticket, actor, EventKind.STATUS, old, target, note)


def _kind(value: object) -> str:
    if not isinstance(value, str) or value not in app_state().kinds:
        raise ValidationError.single("kind", _("Choose the kind of request from the list."))
    return value


def _starting_department(kind: str, contact: Contact, extra: dict[str, Any]) -> DepartmentInfo:
    """Where the ``choose_department`` hook sends a new ticket; intake by default.

    A plugin that fails or names no active department must not cost the
    customer their request: the error is logged and the ticket starts in intake.
    """
    hook = app_state().plugin_manager.hook.choose_department
    if not hook.get_hookimpls():
        # Nobody to ask; and asking would load the customer row for nothing.
        return _department_info(INTAKE)
    try:
        code = hook(
            app=current_app._get_current_object(),
            kind=kind,
            contact=contact,
            customer=contact.customer,
            extra=extra,
        )
    except Exception:
        log.exception("choose_department failed; the ticket starts in intake")
        code = None
    if code:
        try:
            return _department_info(code)
        except ValidationError:
            log.warning("choose_department named no active department: %r", code)
    return _department_info(INTAKE)


def _queue_confirmation(
    ticket: Ticket, token: str, *, name: str, locale: str | None, department: DepartmentInfo
) -> None:
    """The customer's receipt: reference, private tracking link and what happens next."""
    language = mail_locale(locale)
    enqueue(
        kind="confirmation",
        recipient=ticket.contact.email,
        template="confirmation",
        locale=language,
        context={
            "name": name,
            "reference": ticket.reference,
            "tracking_url": external_url("public.track", token=token),
            "department": department.name(language),
        },
        ticket=ticket,
    )


def _json_safe(value: object, depth: int) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_EXTRA_MAX_INT <= value <= _EXTRA_MAX_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value and check.is_encodable(value)
    if depth >= _EXTRA_MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(_json_safe(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and _json_safe(key, depth) and _json_safe(item, depth + 1)
            for key, item in value.items()
        )
    return False


def _department_info(code: object) -> DepartmentInfo:
    """A department tickets may go to (active, of the core or a loaded plugin), by code."""
    text = check.line(code, "department", max_length=32)
    known = catalogue.current()
    found = known.by_code.get(text)
    if found is None or found not in known.visible:
        raise ValidationError.single("department", _("No such department: %(code)s.", code=text))
    return found


def _department(code: object) -> Department:
    """The same department, loaded: routing sets the ticket's relationship to it."""
    return db.session.get(Department, _department_info(code).id)


def _priority(value: object) -> Priority:
    if isinstance(value, str) and value.upper() in Priority.__members__:
        return Priority[value.upper()]
    if isinstance(value, int) and not isinstance(value, bool) and value in set(Priority):
        return Priority(value)
    raise ValidationError.single(
        "priority",
        _("Choose one of: %(options)s.", options=", ".join(p.name.lower() for p in Priority)),
    )


def _reason(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check.body(value, "reason", max_length=check.REASON_MAX)


def _user(actor: Actor | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _name(department: Department | DepartmentInfo) -> str:
    from servicedesk.i18n import current_locale

    return department.name(current_locale())
