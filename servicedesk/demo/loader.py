"""Builds a fresh demo database: staff, customers and months of ticket history.

Loading happens in two steps. ``plan_tickets`` decides everything (who writes
what, when) from a seeded random generator without touching a database; then
``build_demo`` replays the plan through the service layer at the planned
moments (``clock.at``), so the audit trail, references and timestamps are the
ones real use would have produced.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import flask_migrate
from flask_babel import force_locale
from sqlalchemy import func, select

from servicedesk import clock, create_app
from servicedesk.demo import content
from servicedesk.demo.content import EN, ZH
from servicedesk.extensions import db
from servicedesk.models import (
    Channel,
    Contact,
    Customer,
    CustomerRevenue,
    Priority,
    Status,
    User,
)
from servicedesk.plugins import notify
from servicedesk.policy import CustomerActor
from servicedesk.services import tickets as ticket_service
from servicedesk.services import users
from servicedesk.services.customers import customer_named
from servicedesk.services.customers_admin import recompute_tiers
from servicedesk.sla.policies import seed_sla
from servicedesk.state import app_state
from servicedesk.workflow.seed import (
    AFTER_SALES,
    CLAIMS,
    FOLLOW_UP,
    GENERAL_AFFAIRS,
    INFORMATION,
    INTAKE,
    KEY_ACCOUNTS,
    SALES,
    TRAINING,
    seed_workflow,
)

DEMO_DATABASE = "demo.db"
HISTORY_DAYS = 120
# China Standard Time has no daylight saving, so a fixed offset is exact.
CENTRE_TIME = timezone(timedelta(hours=8), "CST")


# --------------------------------------------------------------------------
# Where the demo lives
# --------------------------------------------------------------------------


def demo_database(instance_path: str | Path) -> Path:
    return Path(instance_path) / DEMO_DATABASE


def demo_config(
    instance_path: str | Path, base_url: str = "http://127.0.0.1:5000"
) -> dict[str, Any]:
    """Settings of the demo app: the configured instance, but its own SQLite file."""
    return {
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(demo_database(instance_path)),
        "BASE_URL": base_url,
    }


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


class Family(NamedTuple):
    """A typical path through the centre and the kinds of request that take it."""

    journey: tuple[str, ...]
    kinds: tuple[str, ...]
    weight: int
    # Only for key-account customers; starting in key accounts means the
    # account manager recorded it (by phone or email).
    key_account: bool = False


FAMILIES: tuple[Family, ...] = (
    Family((INTAKE,), ("enquiry",), 12),
    Family((INTAKE, SALES), ("sales", "enquiry"), 14),
    Family((INTAKE, SALES, INFORMATION), ("sales",), 5),
    Family((INTAKE, SALES, FOLLOW_UP), ("feedback", "sales"), 8),
    Family((INTAKE, SALES, FOLLOW_UP, AFTER_SALES), ("repair",), 16),
    # The complaint loop: after-sales hands the repaired case back to follow-up.
    Family((INTAKE, SALES, FOLLOW_UP, AFTER_SALES, FOLLOW_UP), ("complaint", "repair"), 10),
    Family((INTAKE, SALES, FOLLOW_UP, AFTER_SALES, CLAIMS), ("claim",), 7),
    Family((INTAKE, GENERAL_AFFAIRS, TRAINING), ("training",), 6),
    Family((INTAKE, SALES, FOLLOW_UP, AFTER_SALES, GENERAL_AFFAIRS), ("complaint",), 5),
    Family((KEY_ACCOUNTS, AFTER_SALES), ("repair", "complaint"), 6, key_account=True),
    Family((KEY_ACCOUNTS,), ("sales", "enquiry", "feedback"), 5, key_account=True),
    Family((INTAKE, KEY_ACCOUNTS), ("complaint", "sales"), 3, key_account=True),
)

# The first tickets take these (family, status) pairs, so that even a small
# demo has every department, status and kind of request.
COVERAGE: tuple[tuple[int, str], ...] = (
    (0, Status.NEW),
    (1, Status.OPEN),
    (2, Status.RESOLVED),
    (3, Status.CLOSED),
    (4, Status.PENDING),
    (5, Status.OPEN),
    (6, Status.CLOSED),
    (7, Status.RESOLVED),
    (8, Status.PENDING),
    (9, Status.OPEN),
    (10, Status.NEW),
    (11, Status.CLOSED),
)

STATUS_WEIGHTS = {
    Status.NEW: 12,
    Status.OPEN: 18,
    Status.PENDING: 12,
    Status.RESOLVED: 20,
    Status.CLOSED: 38,
}
# How old (in days) a ticket in each final status is: new ones are recent,
# closed ones spread over the whole history.
AGES = {
    Status.NEW: (0.02, 2.5),
    Status.OPEN: (0.3, 25),
    Status.PENDING: (1, 30),
    Status.RESOLVED: (2, 45),
    Status.CLOSED: (6, HISTORY_DAYS),
}
ENGLISH_SHARE = 0.3


@dataclass(frozen=True)
class Person:
    """A customer contact, as the public form or a phone call would record them."""

    email: str
    name: str
    salutation: str
    phone: str
    company: content.Company
    language: str


@dataclass
class Step:
    """One thing someone does to the ticket."""

    action: str  # assign, reply, note, route, priority, customer, resolve, close, status
    actor: str | None  # a staff login; None is the customer
    gap: float  # hours after the previous step
    text: tuple[str, str] | None = None  # (template, language)
    value: str | None = None  # assignee login, department, status or priority
    # Set once the ticket's timeline is known (dates in texts depend on it).
    at: datetime | None = None
    body: str | None = None

    @property
    def by_staff(self) -> bool:
        return self.actor is not None


@dataclass
class TicketPlan:
    created_at: datetime
    person: Person
    kind: str
    subject: str
    body: str
    department: str
    channel: str
    creator: str | None  # staff login when staff recorded the request
    priority: str
    steps: list[Step]


def plan_tickets(count: int, seed: int, now: datetime) -> list[TicketPlan]:
    """Everything the demo will do, in the order the tickets arrive."""
    rng = random.Random(seed)  # noqa: S311 (reproducible sample data, not secrets)
    people = _people(rng)
    plans = []
    for index in range(count):
        if index < len(COVERAGE):
            family_index, status = COVERAGE[index]
            family = FAMILIES[family_index]
            kind = family.kinds[0]
        else:
            status = _weighted(rng, STATUS_WEIGHTS)
            # A new ticket has not been worked yet: at most one hand-over.
            choices = [f for f in FAMILIES if status != Status.NEW or len(f.journey) <= 2]
            family = rng.choices(choices, weights=[f.weight for f in choices])[0]
            kind = rng.choice(family.kinds)
        plans.append(_plan_ticket(rng, people, family, kind, status, now))
    plans.sort(key=lambda plan: plan.created_at)
    return plans


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _people(rng: random.Random) -> dict[str, list[Person]]:
    """One to three contacts per company, grouped by the language they write in."""
    by_language: dict[str, list[Person]] = {ZH: [], EN: []}
    for company in content.COMPANIES:
        for _ in range(rng.randint(1, 3)):
            person = _person(rng, company)
            # A re-drawn name would merge two people into one contact.
            if all(p.email != person.email for group in by_language.values() for p in group):
                by_language[person.language].append(person)
    return by_language


def _person(rng: random.Random, company: content.Company) -> Person:
    if company.naming == ZH:
        (surname, surname_py), (given, given_py) = (
            rng.choice(content.ZH_SURNAMES),
            rng.choice(content.ZH_GIVEN),
        )
        return Person(
            email=f"{given_py}.{surname_py}@{company.domain}",
            name=surname + given,
            salutation=surname + rng.choice(content.ZH_TITLES),
            phone=f"+86 13{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            company=company,
            language=ZH,
        )
    if company.naming == "de":
        first, last, ascii_last = rng.choice(content.DE_NAMES)
        phone = f"+49 {rng.randint(30, 911)} {rng.randint(100000, 9999999)}"
    else:
        first, last = rng.choice(content.EN_NAMES)
        ascii_last = last.lower()
        phone = f"+44 {rng.randint(20, 161)} {rng.randint(1000000, 9999999)}"
    return Person(
        email=f"{first[0].lower()}.{ascii_last}@{company.domain}",
        name=f"{first} {last}",
        salutation=f"{first} {last}",
        phone=phone,
        company=company,
        language=EN,
    )


def _plan_ticket(
    rng: random.Random,
    people: dict[str, list[Person]],
    family: Family,
    kind: str,
    status: str,
    now: datetime,
) -> TicketPlan:
    language = EN if rng.random() < ENGLISH_SHARE else ZH
    candidates = [p for p in people[language] if p.company.key_account or not family.key_account]
    person = rng.choice(candidates)
    story = rng.choice(content.STORIES[kind][language])
    facts = _facts(rng, person, kind, story.product)

    start = family.journey[0]
    if family.key_account and start == KEY_ACCOUNTS:
        creator: str | None = rng.choice(_agents(KEY_ACCOUNTS))
        channel = rng.choice([Channel.PHONE, Channel.EMAIL])
    elif rng.random() < 0.2:
        creator = rng.choice(_agents(INTAKE))
        channel = Channel.PHONE
    else:
        creator = None
        channel = Channel.EMAIL if rng.random() < 0.25 else Channel.WEB
    # Account managers flag their customers' requests; the public form cannot.
    priority = "high" if creator and family.key_account else "normal"

    created_at = _arrival(rng, now, status, language, staff=creator is not None)
    steps = _steps(rng, family, kind, story, status, language, creator)
    limit = now - timedelta(minutes=2)
    for step, moment in zip(steps, _schedule(created_at, steps, limit), strict=True):
        step.at = moment
        step.body = _fill(step, facts, rng)
    return TicketPlan(
        created_at=created_at,
        person=person,
        kind=kind,
        subject=story.subject.format(**facts[language])[:200],
        body=story.body.format(**facts[language]),
        department=start,
        channel=channel,
        creator=creator,
        priority=priority,
        steps=steps,
    )


def _facts(rng: random.Random, person: Person, kind: str, wanted: str) -> dict[str, dict[str, Any]]:
    """The details one ticket's texts share, in both languages."""
    product = content.PRODUCTS[rng.choice(content.PRODUCT_GROUPS.get(wanted, (wanted,)))]
    engineers = _agents(AFTER_SALES if kind != "training" else TRAINING)
    engineer = _staff(rng.choice(engineers))
    shared = {
        "model": product.model.format(n=rng.randint(product.low, product.high)),
        "qty": rng.randint(6, 30) if kind == "training" else rng.randint(2, 20),
        "order": f"SO{rng.choice((25, 26))}{rng.randint(1, 12):02d}-{rng.randint(1, 9999):04d}",
        "invoice": f"{rng.randint(10000000, 99999999)}",
        "serial": f"SN{rng.randint(21, 26)}{rng.randint(0, 999999):06d}",
        "code": f"E{rng.randint(10, 399):03d}",
        "days": rng.randint(3, 20),
        "months": rng.randint(3, 18),
        "hours": rng.randint(8, 120) * 100,
        "contact": person.name,
        "salutation": person.salutation,
        "company": person.company.name,
        "engineer": engineer.name,
    }
    return {
        ZH: shared | {"product": product.zh},
        EN: shared | {"product": product.en},
    }


def _arrival(
    rng: random.Random, now: datetime, status: str, language: str, staff: bool
) -> datetime:
    low, high = AGES[status]
    moment = now - timedelta(days=rng.uniform(low, high))
    if staff:
        shifted = _working_time(moment)
    elif language == ZH:
        # Chinese customers write in their working day, not at 3 a.m.
        hour = rng.choices(range(7, 23), weights=[2, 6, 9, 9, 8, 4, 7, 9, 9, 8, 6, 4, 3, 2, 2, 1])[
            0
        ]
        shifted = moment.astimezone(CENTRE_TIME).replace(hour=hour).astimezone(UTC)
    else:
        shifted = moment
    # Never in the future: a shift can cross "now" for the newest tickets.
    return shifted if shifted < now - timedelta(minutes=5) else moment


def _agents(department: str) -> list[str]:
    return [
        member.login
        for member in content.STAFF
        if member.role == "agent" and department in member.departments
    ]


def _supervisor(department: str) -> str:
    return next(
        m.login for m in content.STAFF if m.role == "supervisor" and department in m.departments
    )


def _staff(login: str) -> content.StaffMember:
    return next(member for member in content.STAFF if member.login == login)


def _steps(
    rng: random.Random,
    family: Family,
    kind: str,
    story: content.Story,
    status: str,
    language: str,
    creator: str | None,
) -> list[Step]:
    """The story of one ticket, department by department, up to its final status."""
    steps: list[Step] = []
    journey = family.journey
    owner = creator
    for index, department in enumerate(journey):
        last = index == len(journey) - 1
        if owner is None or department not in _staff(owner).departments:
            owner = rng.choice(_agents(department))
        if status != Status.NEW:
            _take(rng, steps, department, owner)
            if index == 0 and rng.random() < 0.6:
                steps.append(
                    _say(
                        owner, "reply", rng.uniform(0.1, 3), content.ACKNOWLEDGEMENTS, language, rng
                    )
                )
            if index == 0 and kind in ("repair", "complaint") and rng.random() < 0.2:
                steps.append(
                    Step(
                        "priority",
                        owner,
                        rng.uniform(0.05, 1),
                        _text(content.PRIORITY_REASONS, owner, rng),
                        value="urgent",
                    )
                )
            if rng.random() < 0.45:
                steps.append(
                    Step(
                        "note",
                        owner,
                        rng.uniform(0.2, 6),
                        _text(content.NOTES[department], owner, rng),
                    )
                )
            if not last and not _asked(steps) and rng.random() < 0.2:
                _ask_customer(rng, steps, owner, kind, language, answered=True)
        if not last:
            target = journey[index + 1]
            router = _supervisor(department) if rng.random() < 0.15 else owner
            reasons = (
                content.ROUTE_REASONS.get((department, target))
                or content.ROUTE_REASONS[(None, target)]
            )
            steps.append(
                Step(
                    "route", router, rng.uniform(0.5, 20), _text(reasons, router, rng), value=target
                )
            )
            owner = None
    assert owner is not None
    _finish(rng, steps, owner, journey[-1], kind, story, status, language)
    return steps


def _take(rng: random.Random, steps: list[Step], department: str, owner: str) -> None:
    """Someone in the department takes the ticket, or their supervisor hands it out."""
    actor = _supervisor(department) if rng.random() < 0.3 else owner
    steps.append(Step("assign", actor, rng.uniform(0.2, 4), value=owner))


def _asked(steps: list[Step]) -> bool:
    return any(step.value == Status.PENDING for step in steps)


def _ask_customer(
    rng: random.Random, steps: list[Step], owner: str, kind: str, language: str, *, answered: bool
) -> None:
    """Put the ticket on hold with a question, and maybe have the customer answer it."""
    again = _asked(steps)
    questions = content.MORE_QUESTIONS if again else content.INFO_REQUESTS[kind]
    answers = content.MORE_ANSWERS if again else content.ANSWERS[kind]
    steps.append(
        _say(owner, "reply", rng.uniform(0.5, 8), questions, language, rng, value=Status.PENDING)
    )
    if answered:
        steps.append(_say(None, "customer", rng.uniform(2, 48), answers, language, rng))


def _finish(
    rng: random.Random,
    steps: list[Step],
    owner: str,
    department: str,
    kind: str,
    story: content.Story,
    status: str,
    language: str,
) -> None:
    """Bring the ticket to its final status in its last department."""
    if status == Status.NEW:
        return
    if status == Status.OPEN:
        if not _asked(steps) and rng.random() < 0.3:
            _ask_customer(rng, steps, owner, kind, language, answered=True)
        if rng.random() < 0.3:
            steps.append(
                _say(None, "customer", rng.uniform(24, 72), content.CHASERS, language, rng)
            )
        return
    if status == Status.PENDING:
        _ask_customer(rng, steps, owner, kind, language, answered=False)
        return
    if status == Status.CLOSED and rng.random() < 0.1:
        steps.append(
            Step(
                "status",
                owner,
                rng.uniform(0.2, 3),
                _text(content.DUPLICATE_REASONS, owner, rng),
                value=Status.CLOSED,
            )
        )
        return
    if not _asked(steps) and rng.random() < 0.35:
        _ask_customer(rng, steps, owner, kind, language, answered=True)
    work = rng.uniform(48, 200) if kind == "claim" else rng.uniform(4, 72)
    answer = (story.resolution, language)
    if rng.random() < 0.5:
        steps.append(Step("reply", owner, work, answer, value=Status.RESOLVED))
    else:
        steps.append(Step("reply", owner, work, answer))
        steps.append(Step("resolve", owner, rng.uniform(0.05, 2)))
    if kind in ("repair", "complaint") and rng.random() < 0.2:
        steps.append(
            _say(None, "customer", rng.uniform(24, 120), content.REOPENINGS, language, rng)
        )
        steps.append(
            _say(
                owner,
                "reply",
                rng.uniform(4, 48),
                content.SECOND_FIXES,
                language,
                rng,
                value=Status.RESOLVED,
            )
        )
    if status == Status.CLOSED:
        if rng.random() < 0.5:
            steps.append(_say(None, "customer", rng.uniform(1, 24), content.THANKS, language, rng))
            steps.append(
                Step("close", owner, rng.uniform(0.5, 8), _text(content.CLOSE_REASONS, owner, rng))
            )
        else:
            closer = owner if rng.random() < 0.7 else _supervisor(department)
            steps.append(
                Step(
                    "close",
                    closer,
                    rng.uniform(7 * 24, 9 * 24),
                    _text(content.SILENT_CLOSE_REASONS, closer, rng),
                )
            )


def _say(
    actor: str | None,
    action: str,
    gap: float,
    texts: content.Texts,
    language: str,
    rng: random.Random,
    value: str | None = None,
) -> Step:
    """A message in ``language`` (the customer's, for anything the customer sees)."""
    return Step(action, actor, gap, (rng.choice(texts[language]), language), value=value)


def _text(texts: content.Texts, login: str, rng: random.Random) -> tuple[str, str]:
    """An internal text, in the writer's own language."""
    language = _staff(login).language
    return rng.choice(texts[language]), language


def _fill(step: Step, facts: dict[str, dict[str, Any]], rng: random.Random) -> str | None:
    if step.text is None:
        return None
    template, language = step.text
    assert step.at is not None
    upcoming = step.at + timedelta(days=rng.randint(2, 10))
    past = step.at - timedelta(days=rng.randint(0, 2))
    return template.format(
        **facts[language], date=_date(upcoming, language), visit=_date(past, language)
    )


def _date(moment: datetime, language: str) -> str:
    local = moment.astimezone(CENTRE_TIME)
    if language == ZH:
        return f"{local.month}月{local.day}日"
    return f"{local.day} {local:%B}"


def _schedule(start: datetime, steps: list[Step], limit: datetime) -> list[datetime]:
    """When each step happens: staff act in office hours, and all before ``limit``."""
    for scale in (1.0, 0.5, 0.25, 0.1):
        moment, moments = start, []
        for step in steps:
            moment += timedelta(hours=step.gap * scale)
            if step.by_staff:
                moment = _working_time(moment)
            moments.append(moment)
        if not moments or moments[-1] <= limit:
            return moments
    # Too little time left (a busy ticket filed late on a Friday): spread the
    # steps evenly up to now, office hours or not.
    span = (limit - start) / (len(steps) + 1)
    return [start + span * (number + 1) for number in range(len(steps))]


def _working_time(moment: datetime) -> datetime:
    """``moment``, or the next time the centre is staffed (Mon–Fri 08:30–18:00 CST)."""
    local = moment.astimezone(CENTRE_TIME)
    opens = local.replace(hour=8, minute=30, second=0, microsecond=0)
    closes = local.replace(hour=18, minute=0, second=0, microsecond=0)
    if local.weekday() < 5 and opens <= local < closes:
        return moment
    day = opens if local < opens else opens + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    # The overnight backlog is worked through in the first hour, not all at 08:30.
    return (day + timedelta(minutes=local.minute, seconds=local.second)).astimezone(UTC)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    role: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class DemoResult:
    config: dict[str, Any]
    logins: list[Login]
    password: str
    tickets: int
    customers: int
    contacts: int
    seconds: float


def build_demo(
    instance_path: str | Path,
    *,
    tickets: int = 300,
    seed: int = 42,
    base_url: str = "http://127.0.0.1:5000",
    locale: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Replace ``<instance>/demo.db`` with a freshly loaded demo database.

    ``locale`` is the language of messages the services themselves write
    (such as an automatic reopening reason) and of ``progress`` reports.
    """
    started = time.perf_counter()
    database = demo_database(instance_path)
    database.parent.mkdir(parents=True, exist_ok=True)
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        path.unlink(missing_ok=True)
    config = demo_config(instance_path, base_url)
    app = create_app(config)
    # The demo has its own app, so its own app context and database session:
    # whatever context the caller holds (the configured app's) is left alone.
    with app.app_context(), force_locale(locale):
        # This process is the only writer of a file nobody else has opened yet,
        # so nothing can change between commits: not expiring every loaded
        # ticket and user on commit halves the loading time.
        db.session().expire_on_commit = False
        try:
            flask_migrate.upgrade(revision="heads")
            seed_workflow()
            seed_sla()
            first = clock.now().replace(second=0, microsecond=0)
            logins = _create_staff(first - timedelta(days=HISTORY_DAYS + 30))
            _create_customers(first, random.Random(seed))  # noqa: S311 (sample data)
            plans = plan_tickets(tickets, seed, first)
            _load(plans, progress)
            # The plugins' own records: sessions, answered surveys, escalations.
            notify(app_state().plugin_manager, "demo_data", app=app, now=first)
            customers = db.session.scalar(select(func.count(Customer.id))) or 0
            contacts = db.session.scalar(select(func.count(Contact.id))) or 0
        finally:
            db.session.remove()
            db.engine.dispose()
    return DemoResult(
        config=config,
        logins=logins,
        password=content.DEMO_PASSWORD,
        tickets=len(plans),
        customers=customers,
        contacts=contacts,
        seconds=time.perf_counter() - started,
    )


def _create_customers(now: datetime, rng: random.Random) -> None:
    """The demo's companies with their key-account flags and a year of sales,
    classed A/B/C from it as ``servicedesk customers recompute`` does."""
    year = now.year - 1
    for company in content.COMPANIES:
        customer = customer_named(company.name)
        customer.key_account = company.key_account
        customer.website = f"https://www.{company.domain}"
        # Key accounts buy several times more; the rest spread from small to large.
        scale = rng.uniform(4.0, 8.0) if company.key_account else rng.lognormvariate(0, 0.9)
        for quarter in range(1, 5):
            revenue = Decimal(round(scale * rng.uniform(180_000, 260_000), -3))
            customer.revenue.append(
                CustomerRevenue(
                    period=f"{year}-Q{quarter}",
                    revenue=revenue,
                    gross_profit=(revenue * Decimal("0.28")).quantize(Decimal(1)),
                    marketing_cost=(revenue * Decimal("0.03")).quantize(Decimal(1)),
                )
            )
    db.session.commit()
    recompute_tiers(today=now.date())


def _create_staff(moment: datetime) -> list[Login]:
    logins = []
    with clock.at(moment):
        for member in content.STAFF:
            user = users.create_user(
                email=f"{member.login}@{content.STAFF_DOMAIN}",
                name=member.name,
                password=content.DEMO_PASSWORD,
                role=member.role,
                departments=member.departments,
                locale=content.STAFF_LOCALES[member.language],
            )
            logins.append(Login(user.email, user.name, user.role, member.departments))
    return logins


def _load(plans: list[TicketPlan], progress: Callable[[int, int], None] | None) -> None:
    staff = {user.email.split("@")[0]: user for user in db.session.scalars(select(User))}
    every = max(1, len(plans) // 10)
    for number, plan in enumerate(plans, start=1):
        _replay(plan, staff)
        if progress and (number % every == 0 or number == len(plans)):
            progress(number, len(plans))


def _replay(plan: TicketPlan, staff: dict[str, User]) -> None:
    person = plan.person
    with clock.at(plan.created_at):
        ticket_id = ticket_service.create_ticket(
            subject=plan.subject,
            body=plan.body,
            email=person.email,
            name=person.name,
            kind=plan.kind,
            company=person.company.name,
            phone=person.phone,
            channel=plan.channel,
            priority=plan.priority,
            department=plan.department,
            locale=content.STAFF_LOCALES[person.language],
            actor=staff[plan.creator] if plan.creator else None,
        ).ticket.id
    customer = CustomerActor(ticket_id=ticket_id, name=person.name)
    for step in plan.steps:
        assert step.at is not None
        with clock.at(step.at):
            if step.actor is None:
                ticket_service.add_customer_message(ticket_id, customer, step.body)
            else:
                _apply(step, ticket_id, staff[step.actor], staff)


def _apply(step: Step, ticket_id: int, actor: User, staff: dict[str, User]) -> None:
    match step.action:
        case "assign":
            assert step.value is not None
            ticket_service.assign(ticket_id, actor, staff[step.value].id, version=None)
        case "reply":
            ticket_service.reply(ticket_id, actor, step.body, version=None, status=step.value)
        case "note":
            ticket_service.add_note(ticket_id, actor, step.body, version=None)
        case "route":
            ticket_service.route(ticket_id, actor, step.value, version=None, reason=step.body)
        case "priority":
            # A key account's or A-class customer's ticket may have started there.
            current = ticket_service.get_ticket(ticket_id, actor).priority
            if Priority(current).name.lower() != step.value:
                ticket_service.set_priority(
                    ticket_id, actor, step.value, version=None, reason=step.body
                )
        case "resolve":
            ticket_service.resolve(ticket_id, actor, version=None)
        case "close":
            ticket_service.close(ticket_id, actor, version=None, reason=step.body)
        case "status":
            ticket_service.set_status(ticket_id, actor, step.value, version=None, reason=step.body)
        case _:
            raise ValueError(f"unknown demo step {step.action!r}")
