"""The centre's reference data, kept in memory: departments, routes, staff, canned
responses, SLA policies and business-hours calendars.

Every desk page reads them (route choices, filters, assignees, the names in a
ticket's timeline, the composer's canned responses), the public form lists the
departments and every new ticket gets its service level from the policies,
while an administrator changes them a few times a year. So each process keeps one
snapshot of them and reloads it only when it is out of date.

"Out of date" is exact, not a guess: any change to those tables through the
ORM bumps a counter row (``cache_versions``) in the same transaction, and the
first request that reads the catalogue compares its snapshot's number with the
row (one indexed read). Every process therefore sees a change on its next
request, and a rolled-back change is never seen. Writes that bypass the ORM
(raw SQL) must call ``changed()`` in their transaction.

The snapshot holds plain frozen values, never ORM objects, so it is shared
safely by every thread and request. What the service layer changes (a ticket's
department, its assignee) it still loads through the session.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from servicedesk.extensions import db
from servicedesk.models import (
    CacheVersion,
    CannedResponse,
    Department,
    Route,
    SlaCalendar,
    SlaCalendarDay,
    SlaPolicy,
    User,
    memberships,
)
from servicedesk.orm import dialect_insert
from servicedesk.sla.business_hours import Calendar, always_open
from servicedesk.state import app_state

NAME = "catalogue"
EXTENSION = "servicedesk.catalogue"
_CHANGED = "servicedesk.catalogue_changed"
_READ = "_sd_catalogue"

# What a snapshot holds, by model; a change to any other column (a user's last
# sign-in, a department's round-robin pointer) leaves it as it is.
_TRACKED: dict[type, frozenset[str]] = {
    Department: frozenset(
        {"code", "name_en", "name_zh", "active", "position", "owner", "assignment_mode"}
    ),
    Route: frozenset({"from_department_id", "to_department_id"}),
    User: frozenset({"name", "role", "active", "departments"}),
    CannedResponse: frozenset({"title", "body", "owner_id"}),
    SlaPolicy: frozenset(
        {
            "name",
            "rank",
            "key_account",
            "abc_class",
            "position",
            "priority",
            "kind",
            "first_response_minutes",
            "resolution_minutes",
            "calendar_id",
            "active",
        }
    ),
    SlaCalendar: frozenset({"name", "timezone", "weekly", "is_default"}),
    SlaCalendarDay: frozenset({"calendar_id", "day", "working"}),
}
_TABLES: dict[str, frozenset[str]] = {
    "departments": _TRACKED[Department],
    "routes": _TRACKED[Route],
    "users": _TRACKED[User] - {"departments"},
    "memberships": frozenset({"user_id", "department_id"}),
    "canned_responses": _TRACKED[CannedResponse],
    "sla_policies": _TRACKED[SlaPolicy],
    "sla_calendars": _TRACKED[SlaCalendar],
    "sla_calendar_days": _TRACKED[SlaCalendarDay],
}


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    code: str
    name_en: str
    name_zh: str
    active: bool
    position: int
    owner: str | None
    assignment_mode: str

    def name(self, locale: str | None) -> str:
        """The name in the given locale (Chinese for any ``zh*`` locale)."""
        return self.name_zh if locale and str(locale).startswith("zh") else self.name_en


@dataclass(frozen=True)
class StaffInfo:
    id: int
    name: str
    role: str
    active: bool
    department_ids: frozenset[int]


@dataclass(frozen=True)
class CannedInfo:
    id: int
    title: str
    body: str
    owner_id: int | None  # None: shared with everyone


@dataclass(frozen=True)
class PolicyInfo:
    """An SLA policy (``SlaPolicy``'s columns): targets for the tickets it matches."""

    id: int
    name: str
    rank: int
    key_account: bool | None
    abc_class: str | None
    position: str | None
    priority: int | None
    kind: str | None
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: int | None
    active: bool


@dataclass(frozen=True)
class Catalogue:
    version: int
    # Every department, in display order.
    departments: tuple[DepartmentInfo, ...]
    # Active departments of the core and of the loaded plugins, in display order.
    visible: tuple[DepartmentInfo, ...]
    routes: tuple[tuple[int | None, int | None], ...]
    staff: dict[int, StaffInfo]
    by_code: dict[str, DepartmentInfo] = field(repr=False)
    # Every staff member's name by id, former colleagues' included.
    names: dict[int, str] = field(repr=False)
    # Shared responses first, then personal ones, each by title.
    canned: tuple[CannedInfo, ...] = field(repr=False, default=())
    # Active SLA policies, the first match by rank wins; every policy by id.
    policies: tuple[PolicyInfo, ...] = field(repr=False, default=())
    policies_by_id: dict[int, PolicyInfo] = field(repr=False, default_factory=dict)
    # Business-hours calendars by id, and the one used when a policy names none.
    calendars: dict[int, Calendar] = field(repr=False, default_factory=dict)
    default_calendar_id: int | None = None

    def department(self, department_id: int | None) -> DepartmentInfo | None:
        return next((d for d in self.departments if d.id == department_id), None)

    def allowed_targets(self, source_id: int) -> list[DepartmentInfo]:
        """Visible departments a ticket in ``source_id`` may be routed to, in display order."""
        targets = {to for start, to in self.routes if start in (source_id, None)}
        return [
            d for d in self.visible if d.id != source_id and (None in targets or d.id in targets)
        ]

    def policy(self, policy_id: int | None) -> PolicyInfo | None:
        return self.policies_by_id.get(policy_id) if policy_id is not None else None

    def calendar(self, calendar_id: int | None) -> Calendar:
        """A policy's calendar, the default one without, or 24/7 if none is stored."""
        found = self.calendars.get(calendar_id) if calendar_id is not None else None
        if found is None and self.default_calendar_id is not None:
            found = self.calendars.get(self.default_calendar_id)
        return found if found is not None else always_open()

    def colleagues(self, department_ids: Iterable[int] | None) -> list[tuple[int, str]]:
        """(id, name) of the active staff in any of ``department_ids`` (None: everyone), by name."""
        wanted = None if department_ids is None else frozenset(department_ids)
        found = [
            (person.id, person.name)
            for person in self.staff.values()
            if person.active and (wanted is None or person.department_ids & wanted)
        ]
        return sorted(found, key=lambda item: (item[1], item[0]))


def current() -> Catalogue:
    """The catalogue as the current request's transaction sees it.

    Read once per request. A transaction that has itself changed reference
    data (an administrator's edit, a seed) gets a snapshot of its own, built
    from what it wrote; nobody else sees that one.
    """
    seen = g.get(_READ)
    if seen is not None:
        return seen
    store: _Store = current_app.extensions[EXTENSION]
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # pending reference data is counted, and seen, as a query would
    version = _version(session.connection())
    if session.info.get(_CHANGED):
        return store.build(session.connection(), version)
    snapshot = store.fresh(version)
    setattr(g, _READ, snapshot)
    return snapshot


def changed(session: Session | None = None) -> None:
    """Bump the version in ``session``'s transaction (for writes that bypass the ORM)."""
    session = session or db.session()
    _bump(session.connection())
    session.info[_CHANGED] = True
    _forget_read()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = _Store(app)
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _after_bulk_statement),
        ("after_commit", _after_commit),
        ("after_rollback", _forget),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


class _Store:
    """One app's snapshot, replaced whole when the database's version moves on."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._snapshot: Catalogue | None = None

    def fresh(self, version: int) -> Catalogue:
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._load()
            return self._snapshot

    def forget(self) -> None:
        self._snapshot = None

    def _load(self) -> Catalogue:
        # On a connection of its own: what this request's transaction has
        # written but not committed must not become every request's data.
        with db.engine.connect() as connection:
            return self.build(connection, _version(connection))

    def build(self, connection: Connection, version: int) -> Catalogue:
        """A snapshot of what ``connection`` sees."""
        departments = tuple(
            DepartmentInfo(*row)
            for row in connection.execute(
                select(
                    Department.id,
                    Department.code,
                    Department.name_en,
                    Department.name_zh,
                    Department.active,
                    Department.position,
                    Department.owner,
                    Department.assignment_mode,
                ).order_by(Department.position, Department.id)
            )
        )
        routes = tuple(
            (start, to)
            for start, to in connection.execute(
                select(Route.from_department_id, Route.to_department_id)
            )
        )
        members: dict[int, set[int]] = {}
        for user_id, department_id in connection.execute(
            select(memberships.c.user_id, memberships.c.department_id)
        ):
            members.setdefault(user_id, set()).add(department_id)
        staff = {
            user_id: StaffInfo(user_id, name, role, active, frozenset(members.get(user_id, ())))
            for user_id, name, role, active in connection.execute(
                select(User.id, User.name, User.role, User.active)
            )
        }
        canned = tuple(
            CannedInfo(*row)
            for row in connection.execute(
                select(
                    CannedResponse.id,
                    CannedResponse.title,
                    CannedResponse.body,
                    CannedResponse.owner_id,
                ).order_by(CannedResponse.owner_id.is_not(None), CannedResponse.title)
            )
        )
        policies = tuple(
            PolicyInfo(*row)
            for row in connection.execute(
                select(
                    SlaPolicy.id,
                    SlaPolicy.name,
                    SlaPolicy.rank,
                    SlaPolicy.key_account,
                    SlaPolicy.abc_class,
                    SlaPolicy.position,
                    SlaPolicy.priority,
                    SlaPolicy.kind,
                    SlaPolicy.first_response_minutes,
                    SlaPolicy.resolution_minutes,
                    SlaPolicy.calendar_id,
                    SlaPolicy.active,
                ).order_by(SlaPolicy.rank, SlaPolicy.id)
            )
        )
        calendars, default_calendar_id = _calendars(connection)
        plugins = app_state(self._app).plugin_names
        visible = tuple(
            d for d in departments if d.active and (d.owner is None or d.owner in plugins)
        )
        return Catalogue(
            version=version,
            departments=departments,
            visible=visible,
            routes=routes,
            staff=staff,
            by_code={d.code: d for d in departments},
            names={person.id: person.name for person in staff.values()},
            canned=canned,
            policies=tuple(p for p in policies if p.active),
            policies_by_id={p.id: p for p in policies},
            calendars=calendars,
            default_calendar_id=default_calendar_id,
        )


def _calendars(connection: Connection) -> tuple[dict[int, Calendar], int | None]:
    from servicedesk.sla.calendars import build_calendar

    days: dict[int, list[tuple[Any, bool]]] = {}
    for calendar_id, day, working in connection.execute(
        select(SlaCalendarDay.calendar_id, SlaCalendarDay.day, SlaCalendarDay.working)
    ):
        days.setdefault(calendar_id, []).append((day, working))
    calendars = {}
    default_id = None
    for calendar_id, timezone, weekly in connection.execute(
        select(SlaCalendar.id, SlaCalendar.timezone, SlaCalendar.weekly).order_by(
            SlaCalendar.is_default.desc(), SlaCalendar.id
        )
    ):
        calendars[calendar_id] = build_calendar(timezone, weekly, days.get(calendar_id, ()))
        if default_id is None:
            default_id = calendar_id
    return calendars, default_id


_VERSIONS = CacheVersion.__table__
_VERSION = select(_VERSIONS.c.version).where(_VERSIONS.c.name == NAME)


def _version(connection: Connection) -> int:
    return connection.execute(_VERSION).scalar() or 0


def _bump(connection: Connection) -> None:
    insert = dialect_insert(connection.dialect.name, CacheVersion)
    connection.execute(
        insert.values(name=NAME, version=1).on_conflict_do_update(
            index_elements=[CacheVersion.name], set_={"version": CacheVersion.version + 1}
        )
    )


def _after_flush(session: Session, _context: Any) -> None:
    # The session still lists what the flush wrote, with each attribute's history.
    if any(_matters(item) for item in _touched(session)):
        changed(session)


def _touched(session: Session) -> Iterator[object]:
    yield from session.new
    yield from session.deleted
    yield from session.dirty


def _matters(item: object) -> bool:
    tracked = _TRACKED.get(type(item))
    if tracked is None:
        return False
    state = inspect(item)
    if state.pending or state.deleted or state.was_deleted or not state.has_identity:
        return True
    return any(state.attrs[name].history.has_changes() for name in tracked)


def _after_bulk_statement(state: ORMExecuteState) -> None:
    """``session.execute(insert/update/delete(...))`` on a table a snapshot holds."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    tracked = _TABLES.get(getattr(getattr(state.statement, "table", None), "name", None))
    if tracked is None:
        return
    if state.is_update:
        # An UPDATE of other columns only (a user's last_seen_at) changes nothing here.
        written = {
            getattr(key, "key", key) for key in getattr(state.statement, "_values", None) or ()
        }
        if written and not written & tracked:
            return
    changed(state.session)


def _after_commit(session: Session) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    # This process need not wait for its next request to notice its own change.
    if has_app_context():
        g.pop(_READ, None)
        store = current_app.extensions.get(EXTENSION)
        if store is not None:
            store.forget()


def _forget_read() -> None:
    if has_app_context():
        g.pop(_READ, None)


def _forget(session: Session) -> None:
    # A rolled-back change is forgotten; so is what this request read meanwhile.
    if session.info.pop(_CHANGED, False):
        _forget_read()
