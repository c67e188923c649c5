"""Read-only queries behind the desk pages (every write goes through the services).

The queues page reads one page of 25 off an index in sort order and pages by
keyset (``WHERE (sort key, id) < (last row's)``), never by OFFSET, so page 400
costs what page 1 does. Queue counts are capped: counting stops at
``COUNT_CAP`` rows, so a count never reads more than that many index entries.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    bindparam,
    false,
    func,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import joinedload

from servicedesk import catalogue
from servicedesk.catalogue import DepartmentInfo
from servicedesk.extensions import db
from servicedesk.i18n import current_locale
from servicedesk.i18n import lazy_gettext as _l
from servicedesk.labels import PRIORITIES, STATUSES
from servicedesk.models import (
    Attachment,
    Contact,
    Customer,
    Department,
    Message,
    Priority,
    Role,
    Status,
    Ticket,
    TicketEvent,
    User,
)
from servicedesk.orm import UTCDateTime
from servicedesk.policy import Action, can
from servicedesk.services import search
from servicedesk.services import validation as check
from servicedesk.services.errors import ValidationError
from servicedesk.state import app_state

PAGE_SIZE = 25
COUNT_CAP = 1000
OTHER_TICKETS = 5
ACTIVE = (Status.NEW, Status.OPEN, Status.PENDING)


# --------------------------------------------------------------------------
# Queues, filters and sort orders
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    # The statuses shown unless the status filter says otherwise (None: all).
    statuses: tuple[str, ...] | None
    # Only these roles see the queue (None: everyone).
    roles: tuple[str, ...] | None = None


QUEUES: dict[str, Queue] = {
    queue.key: queue
    for queue in (
        Queue("mine", _l("My open tickets"), ACTIVE),
        Queue("department", _l("My departments"), ACTIVE),
        Queue("unassigned", _l("Unassigned"), ACTIVE),
        Queue("pending", _l("Waiting on customer"), (Status.PENDING,)),
        Queue("all", _l("All tickets"), None, roles=(Role.SUPERVISOR, Role.ADMIN)),
    )
}
DEFAULT_QUEUE = "department"

# Sort key -> (label, columns). The id closes every order, so the order is total
# and the keyset cursor is unambiguous.
SORTS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "updated": (_l("Last update"), (Ticket.updated_at, Ticket.id)),
    "created": (_l("Created"), (Ticket.created_at, Ticket.id)),
    "priority": (_l("Priority"), (Ticket.priority, Ticket.updated_at, Ticket.id)),
    "reference": (_l("Reference"), (Ticket.reference, Ticket.id)),
}
DEFAULT_SORT = "updated"


@dataclass(frozen=True)
class QueueQuery:
    """What the queue page was asked for, every value checked against a whitelist."""

    queue: str = DEFAULT_QUEUE
    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str = DEFAULT_SORT
    descending: bool = True
    after: str | None = None
    before: str | None = None

    def args(self, **changes: Any) -> dict[str, str]:
        """URL parameters for this query with ``changes`` (paging starts over)."""
        query = replace(self, after=None, before=None)
        values: dict[str, Any] = {
            "queue": query.queue,
            **query.filters,
            "sort": query.sort,
            "dir": "desc" if query.descending else "asc",
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


def visible_queues(user: User) -> list[Queue]:
    return [q for q in QUEUES.values() if q.roles is None or user.role in q.roles]


def parse(
    args: Mapping[str, str], user: User, options: Mapping[str, Mapping[str, Any]]
) -> QueueQuery:
    """The queue query in ``args``; anything not in ``options`` (``filter_options``) is dropped."""
    queues = {q.key for q in visible_queues(user)}
    filters: dict[str, str] = {}
    for key in ("status", "priority", "kind", "department", "assignee"):
        value = args.get(key, "")
        if value in options[key]:
            filters[key] = value
    terms = search.terms(args.get("q"))
    if terms:
        filters["q"] = " ".join(terms)
    sort = args.get("sort", DEFAULT_SORT)
    return QueueQuery(
        queue=args.get("queue") if args.get("queue") in queues else DEFAULT_QUEUE,
        filters=filters,
        sort=sort if sort in SORTS else DEFAULT_SORT,
        descending=args.get("dir") != "asc",
        after=args.get("after") or None,
        before=None if args.get("after") else args.get("before") or None,
    )


def filter_options(user: User) -> dict[str, dict[str, Any]]:
    """Allowed values of each filter, value -> label, in display order."""
    locale = current_locale()
    return {
        "status": {str(code): label for code, label in STATUSES.items()},
        "priority": {str(int(level)): label for level, label in reversed(PRIORITIES.items())},
        "kind": {code: label for code, label in app_state().kinds.items()},
        "department": {d.code: d.name(locale) for d in visible_departments(user)},
        "assignee": {
            "me": _l("Me"),
            "none": _l("Nobody"),
            **{str(uid): name for uid, name in colleagues(user)},
        },
    }


def visible_departments(user: User) -> list[DepartmentInfo]:
    """Every department for admins, else the user's own, in display order."""
    if user.role == Role.ADMIN:
        return list(catalogue.current().departments)
    return own_departments(user)


def own_departments(user: User) -> list[DepartmentInfo]:
    """The departments ``user`` works in, in display order."""
    mine = user.department_ids
    return [d for d in catalogue.current().departments if d.id in mine]


def colleagues(user: User) -> list[tuple[int, str]]:
    """(id, name) of the active staff in ``user``'s departments (everyone, for admins)."""
    return catalogue.current().colleagues(None if user.role == Role.ADMIN else user.department_ids)


# --------------------------------------------------------------------------
# Scopes
# --------------------------------------------------------------------------


def _department_ids(user: User) -> list[int]:
    return sorted(user.department_ids)


def _filters(user: User, query: QueueQuery) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The shape of ``query``'s WHERE clauses for ``user`` (see ``_filter_clauses``),
    and the values they take."""
    values: dict[str, Any] = _viewer_params(user)
    chosen = query.filters
    for key in ("status", "kind", "department"):
        if key in chosen:
            values[f"filter_{key}"] = chosen[key]
    if "priority" in chosen:
        values["filter_priority"] = int(chosen["priority"])
    assignee = chosen.get("assignee")
    if assignee not in (None, "", "none", "me"):
        values["filter_assignee"] = int(assignee)
        assignee = "someone"
    words = search.plan(chosen.get("q"))
    values |= words.values
    shape = (
        _viewer_shape(user),
        query.queue,
        tuple(key for key in ("status", "priority", "kind", "department") if key in chosen),
        assignee or None,
        words.shape,
    )
    return shape, values


def _filter_clauses(shape: tuple[Any, ...]) -> list[ColumnElement[bool]]:
    viewer, queue_key, chosen, assignee, words = shape
    queue = QUEUES[queue_key]
    clauses = [_visible_clause(viewer)]
    if queue.key == "mine":
        clauses.append(Ticket.assignee_id == bindparam("viewer_id"))
    elif queue.key == "unassigned":
        clauses.append(Ticket.assignee_id.is_(None))
    if "status" in chosen:
        clauses.append(Ticket.status == bindparam("filter_status"))
    elif queue.statuses is not None:
        clauses.append(Ticket.status.in_(queue.statuses))
    if "priority" in chosen:
        clauses.append(Ticket.priority == bindparam("filter_priority"))
    if "kind" in chosen:
        clauses.append(Ticket.kind == bindparam("filter_kind"))
    if "department" in chosen:
        clauses.append(
            Ticket.department_id
            == select(Department.id)
            .where(Department.code == bindparam("filter_department"))
            .scalar_subquery()
        )
    if assignee == "none":
        clauses.append(Ticket.assignee_id.is_(None))
    elif assignee == "me":
        clauses.append(Ticket.assignee_id == bindparam("viewer_id"))
    elif assignee == "someone":
        clauses.append(Ticket.assignee_id == bindparam("filter_assignee"))
    clauses.extend(search.clauses(words))
    return clauses


# --------------------------------------------------------------------------
# One page of a queue
# --------------------------------------------------------------------------


_ROW_COLUMNS = (
    "id",
    "reference",
    "subject",
    "kind",
    "status",
    "priority",
    "version",
    "created_at",
    "updated_at",
    # What the SLA badge reads.
    "sla_policy_id",
    "sla_warn_at",
    "sla_breach_at",
    "sla_running_since",
)


@dataclass(frozen=True)
class QueuePage:
    # Rows with the ticket's listed columns and its department, assignee,
    # contact and customer names.
    tickets: list[Row[Any]]
    next_cursor: str | None
    previous_cursor: str | None


def queue_page(user: User, query: QueueQuery, size: int = PAGE_SIZE) -> QueuePage:
    """The page of tickets ``query`` asks for, with cursors to the pages either side."""
    columns = SORTS[query.sort][1]
    cursor = query.before or query.after
    backwards = query.before is not None and decode_cursor(query.before, columns) is not None
    # Reading backwards walks the index the other way and flips the rows after.
    descending = query.descending != backwards
    shape, values = _filters(user, query)
    bound = decode_cursor(cursor, columns) if cursor else None
    if bound is not None:
        values |= {f"cursor_{i}": value for i, value in enumerate(bound)}
    zh = current_locale().startswith("zh")
    statement = _page_statement(shape, query.sort, descending, bound is not None, zh, size)
    rows = list(db.session.execute(statement, values))
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return QueuePage([], None, None)
    first, last = encode_cursor(rows[0], columns), encode_cursor(rows[-1], columns)
    has_next = more if not backwards else True
    has_previous = more if backwards else bound is not None
    return QueuePage(rows, last if has_next else None, first if has_previous else None)


@functools.lru_cache(maxsize=256)
def _page_statement(
    shape: tuple[Any, ...], sort: str, descending: bool, after: bool, zh: bool, size: int
) -> Select[Any]:
    columns = SORTS[sort][1]
    order = [c.desc() if descending else c.asc() for c in columns]
    # The page's ids come from the index alone, in order (sorting a few
    # thousand narrow index entries is cheap; sorting whole rows is not); the
    # rows are then joined to those ids only, in one statement.
    page_ids = select(Ticket.id).where(*_filter_clauses(shape)).order_by(*order).limit(size + 1)
    if after:
        key = tuple_(*columns)
        bound = tuple_(*(bindparam(f"cursor_{i}", type_=c.type) for i, c in enumerate(columns)))
        page_ids = page_ids.where(key < bound if descending else key > bound)
    # Plain rows, not ORM objects: a queue only shows them, and building 25
    # tickets with four related objects each costs more than the queries.
    department_name = Department.name_zh if zh else Department.name_en
    return (
        select(
            *(getattr(Ticket, name) for name in _ROW_COLUMNS),
            department_name.label("department_name"),
            User.name.label("assignee_name"),
            Contact.name.label("contact_name"),
            Customer.name.label("customer_name"),
        )
        .join(Department, Department.id == Ticket.department_id)
        .outerjoin(User, User.id == Ticket.assignee_id)
        .outerjoin(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(Customer, Customer.id == Ticket.customer_id)
        .where(Ticket.id.in_(page_ids))
        .order_by(*order)
    )


def encode_cursor(ticket: Row[Any], columns: Sequence[Any]) -> str:
    values = [getattr(ticket, c.key) for c in columns]
    text = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, columns: Sequence[Any]) -> list[Any] | None:
    """The sort values in a cursor, or None for anything that is not one of ours."""
    if not cursor or len(cursor) > 400:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(columns):
            return None
        return [_cursor_value(value, c) for value, c in zip(raw, columns, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _cursor_value(value: object, column: Any) -> Any:
    if isinstance(column.type, UTCDateTime):
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            raise ValueError("naive cursor time")
        return moment
    python_type = column.type.python_type
    if python_type is int:
        return check.record_id(value) if column.key == "id" else _small_int(value)
    if python_type is str and isinstance(value, str) and check.is_encodable(value):
        return check.line(value, "cursor", max_length=100)
    raise ValueError("bad cursor value")


def _small_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in set(Priority):
        raise ValueError("bad cursor value")
    return value


# --------------------------------------------------------------------------
# Counts and change detection
# --------------------------------------------------------------------------


def queue_summary(user: User) -> tuple[dict[str, int], str]:
    """Tickets in each queue the user sees, and the stamp of ``latest_change``, in one statement.

    Each count reads index entries only, and stops at ``COUNT_CAP``.
    """
    queues = tuple(queue.key for queue in visible_queues(user))
    statement = _summary_statement(_viewer_shape(user), queues, COUNT_CAP)
    row = db.session.execute(statement, _viewer_params(user)).one()
    stamp = _stamp(row[-2], row[-1])
    return dict(zip(queues, row[:-2], strict=True)), stamp


def latest_change(user: User) -> str:
    """A token that changes whenever a ticket the user can see is created or changed."""
    newest = db.session.execute(_newest(_viewer_shape(user)), _viewer_params(user)).first()
    return "" if newest is None else _stamp(*newest)


# The desk's hottest statements are built once per shape of viewer (inactive,
# administrator, or the departments of one) with the viewer's values bound at
# execution: building them cost more than running them.
@functools.lru_cache(maxsize=64)
def _summary_statement(viewer: str, queues: tuple[str, ...], cap: int) -> Select[Any]:
    counts = [
        select(func.count())
        .select_from(
            select(literal(1))
            .select_from(Ticket)
            .where(*_filter_clauses((viewer, key, (), None, search.EMPTY)))
            .limit(cap)
            .subquery()
        )
        .scalar_subquery()
        .label(key)
        for key in queues
    ]
    newest = _newest(viewer)
    return select(
        *counts,
        newest.with_only_columns(Ticket.updated_at).scalar_subquery(),
        newest.with_only_columns(Ticket.id).scalar_subquery(),
    )


@functools.lru_cache(maxsize=8)
def _newest(viewer: str) -> Select[Any]:
    return (
        select(Ticket.updated_at, Ticket.id)
        .where(_visible_clause(viewer))
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(1)
    )


def _viewer_shape(user: User) -> str:
    if not user.active:
        return "nobody"
    return "everyone" if user.role == Role.ADMIN else "departments"


def _visible_clause(viewer: str) -> ColumnElement[bool]:
    """Tickets a viewer of this shape may see (the policy's VIEW rule, as SQL)."""
    if viewer == "nobody":
        return false()
    if viewer == "everyone":
        return true()
    return Ticket.department_id.in_(bindparam("viewer_departments", expanding=True))


def _viewer_params(user: User) -> dict[str, Any]:
    return {"viewer_id": user.id, "viewer_departments": _department_ids(user)}


def _stamp(updated_at: datetime | None, ticket_id: int | None) -> str:
    return "" if updated_at is None else f"{updated_at.timestamp():.6f}-{ticket_id}"


# --------------------------------------------------------------------------
# The ticket page
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketView:
    """Everything the ticket page shows besides the ticket itself."""

    # id, kind, author_id, contact_name, body, created_at, has_files
    messages: list[Row[Any]]
    files: Mapping[int, list[Row[Any]]]  # by message id: id, filename, size
    events: list[Row[Any]]  # the columns of TicketEvent
    names: Mapping[int, str]
    departments: Mapping[str, DepartmentInfo]
    other_tickets: list[Row[Any]]  # reference, status, subject


def ticket_for_page(reference: str, user: User) -> Ticket | None:
    """The ticket with its header's relations loaded, if ``user`` may see it."""
    try:
        text = check.line(reference, "reference", max_length=24).upper()
    except ValidationError:
        return None
    ticket = db.session.scalar(_page_ticket(), {"reference": text})
    return ticket if ticket is not None and can(user, Action.VIEW, ticket) else None


def ticket_view(ticket: Ticket, user: User) -> TicketView:
    messages = list(db.session.execute(_thread(), {"ticket_id": ticket.id}))
    files: dict[int, list[Row[Any]]] = {}
    if any(message.has_files for message in messages):
        for file in db.session.execute(_files(), {"ticket_id": ticket.id}):
            files.setdefault(file.message_id, []).append(file)
    events = list(db.session.execute(_events(), {"ticket_id": ticket.id}))
    # Authors, actors and assignees are named from the catalogue, former staff included.
    known = catalogue.current()
    others = other_tickets(ticket, user)
    return TicketView(messages, files, events, known.names, known.by_code, others)


def other_tickets(ticket: Ticket, user: User, limit: int = OTHER_TICKETS) -> list[Row[Any]]:
    """The customer's (else the contact's) other tickets that ``user`` may see."""
    if ticket.customer_id is not None:
        same, value = "customer_id", ticket.customer_id
    elif ticket.contact_id is not None:
        same, value = "contact_id", ticket.contact_id
    else:
        return []
    values = _viewer_params(user) | {"same": value, "ticket_id": ticket.id, "limit": limit}
    return list(db.session.execute(_others(same, _viewer_shape(user)), values))


# The ticket page's statements, like the queue's, are built once.
@functools.cache
def _page_ticket() -> Select[tuple[Ticket]]:
    return (
        select(Ticket)
        .where(Ticket.reference == bindparam("reference"))
        .options(
            joinedload(Ticket.department),
            joinedload(Ticket.assignee),
            joinedload(Ticket.contact),
            joinedload(Ticket.customer),
        )
    )


@functools.cache
def _thread() -> Select[Any]:
    # Rows, not objects: the thread is only shown. Most messages carry no
    # files, so the files are read only when one does.
    has_files = select(Attachment.id).where(Attachment.message_id == Message.id).exists()
    return (
        select(
            Message.id,
            Message.kind,
            Message.author_id,
            Contact.name.label("contact_name"),
            Message.body,
            Message.created_at,
            has_files.label("has_files"),
        )
        .outerjoin(Contact, Contact.id == Message.contact_id)
        .where(Message.ticket_id == bindparam("ticket_id"))
        .order_by(Message.id)
    )


@functools.cache
def _files() -> Select[Any]:
    return (
        select(Attachment.message_id, Attachment.id, Attachment.filename, Attachment.size)
        .join(Message, Message.id == Attachment.message_id)
        .where(Message.ticket_id == bindparam("ticket_id"))
        .order_by(Attachment.id)
    )


@functools.cache
def _events() -> Select[Any]:
    # The audit trail is only read: rows, not objects the session would track.
    return (
        select(*TicketEvent.__table__.columns)
        .where(TicketEvent.ticket_id == bindparam("ticket_id"))
        .order_by(TicketEvent.id)
    )


@functools.cache
def _others(same: str, viewer: str) -> Select[Any]:
    # Rows of the three columns the side panel shows, not whole tickets.
    return (
        select(Ticket.reference, Ticket.status, Ticket.subject)
        .where(
            getattr(Ticket, same) == bindparam("same"),
            Ticket.id != bindparam("ticket_id"),
            _visible_clause(viewer),
        )
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(bindparam("limit"))
    )


def assignable_users(ticket: Ticket, user: User) -> list[tuple[int, str]]:
    """(id, name) of the people ``user`` may give ``ticket`` to (the policy's rule)."""
    anyone = can(user, Action.ASSIGN_ANYONE, ticket)
    return catalogue.current().colleagues(None if anyone else [ticket.department_id])
