"""The training department's part of the demo: sessions held, and sessions to come.

``servicedesk demo`` calls the ``demo_data`` hook once the core's demo tickets
are loaded. For every ticket in the training department this module plans the
course the ticket asked for (``plan``, which reads but never writes), then
replays it through the plugin's services at the planned moments
(``clock.at``, ``apply``): the trainer schedules the sessions, and records who
came and completes each session once it has been held. Finished tickets get
the sessions their resolving reply announced ("booked for 25 August with
Daniel Weber"), held in the past unless that date is still ahead; open ones get
a session a few days to three weeks ahead (open and pending alike).

Each ticket's writes come after its last recorded change, so its audit trail
stays in time order. Topics, places and attendees are demo data in the
customer's language (like ``servicedesk.demo.content``), not interface text.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from servicedesk import clock
from servicedesk.demo import content
from servicedesk.extensions import db
from servicedesk.models import (
    Department,
    EventKind,
    Message,
    MessageKind,
    Role,
    Status,
    Ticket,
    TicketEvent,
    User,
)
from servicedesk.services.errors import ServiceError
from servicedesk_plugins.training import services
from servicedesk_plugins.training.forms import Mark, NewAttendee, SessionInput
from servicedesk_plugins.training.models import Mode, TrainingSession

log = logging.getLogger(__name__)

SEED = "servicedesk-demo-training"  # fixed: the same database gets the same sessions
FINISHED = (Status.RESOLVED, Status.CLOSED)
# A session is planned this many days ahead for a ticket still being worked on.
AHEAD_DAYS = (3, 21)
ATTENDEES = (3, 10)
# Where online sessions meet (example.com: reserved, never a real meeting).
MEETING_BASE = "https://meet.servicedesk.example.com/training/"
# The centre's working day, as in the core demo: staff enter and record sessions in it.
OPENS, CLOSES = time(8, 30), time(18, 0)
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
_ZH_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_EN_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r")\b")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------
# Courses: what each kind of demo request gets, in the customer's language
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Course:
    """A course: one topic per session (``{product}``, ``{Product}`` are filled in)."""

    mode: str
    start: time  # in the centre's time zone
    minutes: int
    topics: tuple[str, ...]
    every: int = 1  # working days between sessions


# (words in the subject, course), by the customer's language; the first match wins.
COURSES: dict[str, tuple[tuple[str, Course], ...]] = {
    content.ZH: (
        (
            "现场培训",
            Course(
                Mode.ONSITE,
                time(9, 0),
                420,
                (
                    "{product}操作与保养（一）：日常操作与参数设置",
                    "{product}操作与保养（二）：日常保养与常见故障处理",
                ),
            ),
        ),
        (
            "PLC编程",
            Course(
                Mode.ONLINE,
                time(9, 30),
                360,
                (
                    "PLC编程与故障诊断公开课（一）：硬件组态与基本指令",
                    "PLC编程与故障诊断公开课（二）：程序结构与通信",
                    "PLC编程与故障诊断公开课（三）：故障诊断实操",
                ),
            ),
        ),
        (
            "新员工",
            Course(Mode.ONSITE, time(13, 30), 240, ("新员工{product}安全操作培训",)),
        ),
    ),
    content.EN: (
        (
            "On-site training",
            Course(
                Mode.ONSITE,
                time(9, 0),
                420,
                (
                    "{Product}, day 1: daily checks and parameter settings",
                    "{Product}, day 2: maintenance and troubleshooting",
                ),
            ),
        ),
        (
            "Operator training",
            # Afternoon in China, morning in Europe.
            Course(
                Mode.ONLINE,
                time(15, 0),
                180,
                (
                    "Operator course for the {product}, part 1: start-up, operation and safety",
                    "Operator course for the {product}, part 2: changeovers and alarms",
                ),
                every=5,
            ),
        ),
    ),
}
# Anything else: one half-day session on what the ticket asked for.
OTHER_COURSE = Course(Mode.ONSITE, time(9, 30), 240, ("{subject}",))

ROOMS = {
    content.ZH: ("培训室", "一号厂房会议室", "二号车间现场", "办公楼三楼会议室"),
    content.EN: ("training room", "main plant, meeting room 2", "assembly hall", "plant office"),
}
GENERIC_PRODUCT = {content.ZH: "设备", content.EN: "equipment"}


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSession:
    session: SessionInput
    scheduled_at: datetime  # when the trainer enters it on the desk
    # When attendance is taken and the session completed; None while it is ahead.
    completed_at: datetime | None = None
    # Present and completed, in attendee order (only when completed_at is set).
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class TicketPlan:
    ticket_id: int
    reference: str
    trainer_id: int
    sessions: tuple[PlannedSession, ...]


def plan(now: datetime) -> list[TicketPlan]:
    """What the trainers do to each ticket of the training department; writes nothing."""
    trainers = services.trainers()
    if not trainers:
        return []
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    tickets = db.session.scalars(
        select(Ticket)
        .join(Department, Department.id == Ticket.department_id)
        .where(Department.code == services.DEPARTMENT, Ticket.status != Status.NEW)
        .order_by(Ticket.id)
    )
    plans = []
    for ticket in tickets:
        # Closed without ever being resolved (a duplicate): no training came of it.
        if ticket.status == Status.CLOSED and not _was_resolved(ticket):
            continue
        ticket_plan = _plan_ticket(ticket, trainers, now.astimezone(UTC), zone)
        if ticket_plan is not None:
            plans.append(ticket_plan)
    return plans


def _plan_ticket(
    ticket: Ticket, trainers: Sequence[User], now: datetime, zone: ZoneInfo
) -> TicketPlan | None:
    # Its own generator: one ticket's plan never shifts another's.
    rng = random.Random(f"{SEED}:{ticket.reference}")  # noqa: S311 (sample data, not secrets)
    # Nothing after the demo's present; another plugin's demo records (an
    # escalation, say) may already have been written at that very moment.
    limit = now
    last = _last_change(ticket)
    if last > limit:
        return None
    texts = _staff_texts(ticket)
    trainer = _trainer(rng, ticket, trainers, texts)
    language = _language(ticket)
    course = _course(ticket, language)

    # The trainer enters the sessions after the ticket's last change (its trail
    # stays in time order), one after the other.
    entered = _working_time(last + timedelta(hours=rng.uniform(0.3, 4)), zone)
    if entered > limit:
        entered = last + (limit - last) / 2
    gap = min(timedelta(minutes=2), (limit - entered) / (len(course.topics) + 1))
    entries = [entered + gap * number for number in range(len(course.topics))]

    first_day = _announced(texts, zone)
    if first_day is None:
        if ticket.status in FINISHED:
            # As the resolving reply would have said: a few days after it.
            base = entered.astimezone(zone).date()
            first_day = _weekday(base + timedelta(days=rng.randint(2, 10)))
        else:
            # The whole course within the weeks ahead: its span in calendar
            # days (a weekend may fall inside it) and a weekend before it.
            days = (len(course.topics) - 1) * course.every
            span = days * 7 // 5 + (2 if days else 0)
            latest = max(AHEAD_DAYS[0], AHEAD_DAYS[1] - span - 2)
            ahead = rng.randint(AHEAD_DAYS[0], latest)
            first_day = _weekday(now.astimezone(zone).date() + timedelta(days=ahead))

    company = _company(ticket)
    names = _attendees(rng, company, ticket, language)
    product = _product(ticket, language)
    where = _where(rng, ticket, company, language, course)
    moment = entries[-1]
    sessions = []
    day = first_day
    for number, topic in enumerate(course.topics):
        if number:
            day = _next_working_day(day, course.every)
        starts_at = datetime.combine(day, course.start, tzinfo=zone).astimezone(UTC)
        ends_at = starts_at + timedelta(minutes=course.minutes)
        data = SessionInput(
            starts_at=starts_at,
            duration_minutes=course.minutes,
            mode=course.mode,
            topic=topic.format(
                product=product, Product=product[:1].upper() + product[1:], subject=ticket.subject
            )[:200],
            place=where if course.mode == Mode.ONSITE else None,
            online_link=where if course.mode == Mode.ONLINE else None,
            trainer_id=trainer.id,
            attendees=names,
        )
        done = _completion(rng, ends_at, moment, limit, zone)
        if done is None:
            sessions.append(PlannedSession(data, entries[number]))
        else:
            moment = done
            sessions.append(PlannedSession(data, entries[number], done, _marks(rng, len(names))))
    return TicketPlan(ticket.id, ticket.reference, trainer.id, tuple(sessions))


def _completion(
    rng: random.Random, ends_at: datetime, after: datetime, limit: datetime, zone: ZoneInfo
) -> datetime | None:
    """When the trainer records a held session: after it ends, in office hours, before now."""
    if ends_at >= limit:
        return None
    earliest = max(ends_at, after)
    done = _working_time(ends_at + timedelta(hours=rng.uniform(0.2, 3)), zone)
    done = max(done, earliest + timedelta(minutes=rng.randint(3, 20)))
    if done > limit:
        done = earliest + (limit - earliest) / 2
    return done


def _was_resolved(ticket: Ticket) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(TicketEvent)
            .where(
                TicketEvent.ticket_id == ticket.id,
                TicketEvent.kind == EventKind.STATUS,
                TicketEvent.new_value == Status.RESOLVED,
            )
        )
        > 0
    )


def _last_change(ticket: Ticket) -> datetime:
    """The latest moment anything was recorded on the ticket."""
    moments = [
        ticket.updated_at,
        db.session.scalar(
            select(func.max(TicketEvent.created_at)).where(TicketEvent.ticket_id == ticket.id)
        ),
        db.session.scalar(
            select(func.max(Message.created_at)).where(Message.ticket_id == ticket.id)
        ),
    ]
    return max(_aware(moment) for moment in moments if moment is not None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _staff_texts(ticket: Ticket) -> list[tuple[datetime, str]]:
    """What staff wrote on the ticket: replies (they told the customer), then notes.

    Newest first within each.
    """
    rows = db.session.execute(
        select(Message.created_at, Message.body, Message.kind)
        .where(
            Message.ticket_id == ticket.id,
            Message.kind.in_((MessageKind.REPLY, MessageKind.NOTE)),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
    ).all()
    replies = [(_aware(at), body) for at, body, kind in rows if kind == MessageKind.REPLY]
    notes = [(_aware(at), body) for at, body, kind in rows if kind == MessageKind.NOTE]
    return replies + notes


def _trainer(
    rng: random.Random, ticket: Ticket, trainers: Sequence[User], texts: list[tuple[datetime, str]]
) -> User:
    """The trainer the ticket names, else its assignee, else a colleague of the department."""
    for _at, body in texts:
        for trainer in trainers:
            if trainer.name in body:
                return trainer
    if ticket.assignee_id is not None:
        for trainer in trainers:
            if trainer.id == ticket.assignee_id and trainer.role != Role.ADMIN:
                return trainer
    usual = [trainer for trainer in trainers if trainer.role != Role.ADMIN] or list(trainers)
    return rng.choice(usual)


def _announced(texts: list[tuple[datetime, str]], zone: ZoneInfo) -> date | None:
    """The first day of the training a staff reply announced ("booked for 25 August")."""
    for written, body in texts:
        match = _ZH_DATE.search(body)
        if match:
            month, day = int(match.group(1)), int(match.group(2))
        else:
            match = _EN_DATE.search(body)
            if not match:
                continue
            month, day = MONTHS.index(match.group(2)) + 1, int(match.group(1))
        # The year that puts the date nearest after the reply (a December reply
        # may announce January).
        local = written.astimezone(zone).date()
        for year in (local.year, local.year + 1):
            try:
                candidate = date(year, month, day)
            except ValueError:
                break
            if candidate >= local - timedelta(days=1):
                return candidate
    return None


def _language(ticket: Ticket) -> str:
    locale = ticket.contact.locale if ticket.contact else None
    if locale:
        return content.ZH if locale.startswith("zh") else content.EN
    return content.ZH if _CJK.search(ticket.subject) else content.EN


def _course(ticket: Ticket, language: str) -> Course:
    for words, course in COURSES[language]:
        if words in ticket.subject:
            return course
    return OTHER_COURSE


def _company(ticket: Ticket) -> content.Company | None:
    name = ticket.customer.name if ticket.customer else None
    return next((company for company in content.COMPANIES if company.name == name), None)


def _product(ticket: Ticket, language: str) -> str:
    """The product (and model, when the customer gave it) the ticket is about."""
    first = db.session.scalar(
        select(Message.body)
        .where(Message.ticket_id == ticket.id, Message.kind == MessageKind.CUSTOMER)
        .order_by(Message.id)
        .limit(1)
    )
    text = f"{ticket.subject}\n{first or ''}"
    for product in content.PRODUCTS.values():
        if product.zh in text or product.en.lower() in text.lower():
            name = product.zh if language == content.ZH else product.en
            pattern = re.escape(product.model).replace(re.escape("{n}"), r"\d+")
            model = re.search(pattern, text)
            return f"{name} {model.group(0)}" if model else name
    return GENERIC_PRODUCT[language]


def _where(
    rng: random.Random,
    ticket: Ticket,
    company: content.Company | None,
    language: str,
    course: Course,
) -> str:
    if course.mode == Mode.ONLINE:
        token = f"{rng.randrange(16**6):06x}"
        return f"{MEETING_BASE}{ticket.reference.lower()}-{token}"
    plant = company.name if company else (ticket.customer.name if ticket.customer else None)
    room = rng.choice(ROOMS[language])
    if plant is None:
        return room
    return f"{plant} {room}" if language == content.ZH else f"{plant}, {room}"


def _attendees(
    rng: random.Random, company: content.Company | None, ticket: Ticket, language: str
) -> tuple[NewAttendee, ...]:
    """3 to 10 of the customer's staff, named as the customer's people are named."""
    naming = company.naming if company else language
    domain = company.domain if company else _domain(ticket)
    count = rng.randint(*ATTENDEES)
    people: list[NewAttendee] = []
    seen: set[str] = set()
    while len(people) < count:
        name, address = _person(rng, naming)
        if name in seen:
            continue
        seen.add(name)
        # Not everyone on a list handed over by HR has a work address.
        email = f"{address}@{domain}" if domain and rng.random() < 0.6 else None
        people.append(NewAttendee(name=name, email=email))
    return tuple(people)


def _person(rng: random.Random, naming: str) -> tuple[str, str]:
    """A name and the local part of its address."""
    if naming == content.ZH:
        surname, surname_py = rng.choice(content.ZH_SURNAMES)
        given, given_py = rng.choice(content.ZH_GIVEN)
        return surname + given, f"{given_py}.{surname_py}"
    if naming == "de":
        first = rng.choice(content.DE_NAMES)[0]
        _first, last, ascii_last = rng.choice(content.DE_NAMES)
    else:
        first = rng.choice(content.EN_NAMES)[0]
        last = rng.choice(content.EN_NAMES)[1]
        ascii_last = last.lower()
    # As the demo's own contacts are addressed: initial and surname.
    return f"{first} {last}", f"{first[0].lower()}.{ascii_last}"


def _domain(ticket: Ticket) -> str | None:
    email = ticket.contact.email if ticket.contact else ""
    return email.rsplit("@", 1)[1] if "@" in email else None


def _marks(rng: random.Random, count: int) -> tuple[Mark, ...]:
    present = [rng.random() < 0.9 for _ in range(count)]
    if not any(present):
        present[0] = True
    return tuple(Mark(attended=came, completed=came and rng.random() < 0.93) for came in present)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _next_working_day(day: date, count: int) -> date:
    for _ in range(count):
        day = _weekday(day + timedelta(days=1))
    return day


def _working_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment``, or the next time the centre is staffed (Mon–Fri 08:30–18:00)."""
    local = moment.astimezone(zone)
    opens = datetime.combine(local.date(), OPENS, tzinfo=zone)
    closes = datetime.combine(local.date(), CLOSES, tzinfo=zone)
    if local.weekday() < 5 and opens <= local < closes:
        return moment
    day = local.date() if local < opens else local.date() + timedelta(days=1)
    day = _weekday(day)
    # Spread over the first hour, not everything at 08:30 sharp.
    start = datetime.combine(day, OPENS, tzinfo=zone)
    return (start + timedelta(minutes=local.minute, seconds=local.second)).astimezone(UTC)


# --------------------------------------------------------------------------
# Replaying the plan through the services
# --------------------------------------------------------------------------


def apply(plans: Sequence[TicketPlan]) -> list[TrainingSession]:
    """Schedule, take attendance and complete as planned; each ticket on its own."""
    created: list[TrainingSession] = []
    for ticket_plan in plans:
        try:
            created.extend(_apply_ticket(ticket_plan))
        except ServiceError as refused:
            # A refusal (another plugin's veto, say) costs this ticket, not the demo.
            log.warning("training demo: %s left out: %s", ticket_plan.reference, refused)
    return created


def _apply_ticket(ticket_plan: TicketPlan) -> list[TrainingSession]:
    trainer = db.session.get(User, ticket_plan.trainer_id)
    assert trainer is not None
    sessions = []
    # The notes are the trainer's, in the trainer's language.
    with force_locale(trainer.locale or "en"):
        for planned in ticket_plan.sessions:
            with clock.at(planned.scheduled_at):
                sessions.append(
                    services.schedule_session(ticket_plan.ticket_id, trainer, planned.session)
                )
        for session, planned in zip(sessions, ticket_plan.sessions, strict=True):
            if planned.completed_at is None:
                continue
            marks = {
                attendee.id: mark
                for attendee, mark in zip(session.attendees, planned.marks, strict=True)
            }
            with clock.at(planned.completed_at):
                services.record_attendance(session.id, trainer, marks, complete=True)
    return sessions


def load(now: datetime) -> list[TrainingSession]:
    """The hook's work: plan every training ticket's sessions, then replay the plan."""
    return apply(plan(now))
