"""Fill a database with a realistic desk: 100,000 tickets (or as many as asked).

    .venv/bin/python bench/seed.py                         # bench/desk.db (SQLite)
    .venv/bin/python bench/seed.py --tickets 1000000 --database-url sqlite:///bench/desk-1m.db
    .venv/bin/python bench/seed.py --database-url postgresql://postgres@127.0.0.1/sd_bench

The schema comes from the migrations; departments and staff go through the
services; customers, contacts, tickets, messages and events are written with
bulk core INSERTs (executemany), because replaying 100,000 tickets through the
service layer would take an hour. The search index fills itself: on SQLite the
triggers index each ticket as it is inserted (messages are written first, so
each ticket is indexed once, whole); PostgreSQL's trigram indexes are ordinary
indexes. Prints how long each step took. Every staff password is PASSWORD.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flask_migrate
from argon2 import PasswordHasher
from sqlalchemy import Connection, func, insert, select

from servicedesk import create_app
from servicedesk.demo import content
from servicedesk.extensions import db
from servicedesk.models import (
    Contact,
    Customer,
    Department,
    Message,
    Priority,
    Role,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from servicedesk.services import users
from servicedesk.workflow.seed import seed_workflow

HERE = Path(__file__).resolve().parent
DEFAULT_URL = f"sqlite:///{HERE / 'desk.db'}"
PASSWORD = "bench-password-2026"
BATCH = 5_000
HISTORY = timedelta(days=730)
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

# Printers are what every help desk hears about; searching 打印机 / printer must find them.
PRODUCTS = {
    **content.PRODUCTS,
    "printer": content.Product("工业标签打印机", "industrial label printer", "ZT-{n}", 200, 620),
}
# Most of a desk's tickets are history; a few thousand are being worked on.
STATUSES = [
    (Status.CLOSED, 55),
    (Status.RESOLVED, 22),
    (Status.OPEN, 10),
    (Status.PENDING, 6),
    (Status.NEW, 7),
]
PRIORITIES = [(Priority.LOW, 15), (Priority.NORMAL, 60), (Priority.HIGH, 20), (Priority.URGENT, 5)]
DEPARTMENT_WEIGHTS = {
    "intake": 22,
    "sales": 18,
    "after_sales": 20,
    "follow_up": 12,
    "claims": 6,
    "information": 5,
    "training": 5,
    "general_affairs": 4,
    "key_accounts": 8,
}
AGENTS_PER_DEPARTMENT = 3


class Blank(dict):
    """Template values; a placeholder the story uses that we do not fill stays empty."""

    def __missing__(self, key: str) -> str:
        return ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=800)
    parser.add_argument("--contacts", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    # Benchmark accounts need no production-strength hashing; each one would
    # cost a quarter of a second to create.
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    # With the installed plugins, as a centre runs it: their branches build their tables.
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": args.database_url, "INSTANCE_PATH": str(HERE / "instance")}
    )
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        if db.session.scalar(select(func.count()).select_from(Ticket)):
            sys.exit(f"{args.database_url} already has tickets; seed an empty database.")
        seed_workflow()
        staff = _staff()
        step("schema, departments and staff", started)
        seeder = Seeder(random.Random(args.seed), staff)
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Messages go in before their tickets (see the module docstring).
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            seeder.people(connection, args.customers, args.contacts)
            step(f"{args.customers} customers, {args.contacts} contacts", started)
            seeder.tickets(connection, args.tickets)
            step(f"{args.tickets} tickets with messages, events and search index", started)
            connection.commit()
        # Planner statistics, and on PostgreSQL the visibility map too: a
        # running centre's autovacuum keeps it, and without it no index-only
        # scan pays (the queue counts read the table instead).
        statement = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(statement)
        step(statement, started)
    print(f"seeded {args.database_url} in {time.perf_counter() - started:.1f} s")
    print(f"staff sign in with password {PASSWORD!r}, e.g. agent.intake.1@bench.example.com")


def step(what: str, started: float) -> None:
    print(f"{time.perf_counter() - started:8.1f} s  {what}", flush=True)


def _staff() -> dict[str, list[int]]:
    """Agents per department, a supervisor for two departments each, one admin."""
    codes = [d.code for d in db.session.scalars(select(Department).order_by(Department.position))]
    staff: dict[str, list[int]] = {code: [] for code in codes}
    for code in codes:
        for number in range(1, AGENTS_PER_DEPARTMENT + 1):
            user = users.create_user(
                email=f"agent.{code}.{number}@bench.example.com",
                name=f"{code.replace('_', ' ').title()} Agent {number}",
                password=PASSWORD,
                departments=[code],
            )
            staff[code].append(user.id)
    for first, second in zip(codes[::2], codes[1::2], strict=False):
        users.create_user(
            email=f"supervisor.{first}@bench.example.com",
            name=f"Supervisor {first}",
            password=PASSWORD,
            role=Role.SUPERVISOR,
            departments=[first, second],
        )
    users.create_user(
        email="admin@bench.example.com", name="Bench Admin", password=PASSWORD, role=Role.ADMIN
    )
    return staff


class Seeder:
    def __init__(self, rng: random.Random, staff: dict[str, list[int]]) -> None:
        self.rng = rng
        self.staff = staff
        self.departments = {d.code: d.id for d in db.session.scalars(select(Department))}
        self.customers: list[tuple[int, str, str]] = []  # id, name, language
        self.contacts: list[tuple[int, int, str, str]] = []  # id, customer id, name, language
        self.count = 0

    # -- customers and contacts ---------------------------------------------

    def people(self, connection: Connection, customers: int, contacts: int) -> None:
        rng = self.rng
        rows = []
        for number in range(customers):
            company = content.COMPANIES[number % len(content.COMPANIES)]
            suffix = (
                "" if number < len(content.COMPANIES) else f" {number // len(content.COMPANIES)}"
            )
            name = (
                company.name.replace("有限公司", f"{suffix}有限公司")
                if company.naming == "zh"
                else company.name.replace(" ", f"{suffix} ", 1)
            )
            rows.append(
                {
                    "name": name,
                    "phone": f"0{rng.randint(10, 999)}-{rng.randint(1000000, 99999999)}",
                    "created_at": NOW - HISTORY,
                }
            )
        connection.execute(insert(Customer), rows)
        found = connection.execute(select(Customer.id, Customer.name).order_by(Customer.id))
        self.customers = [
            (cid, name, content.ZH if _is_chinese(name) else content.EN) for cid, name in found
        ]
        rows = []
        for number in range(contacts):
            cid, company, language = self.customers[number % len(self.customers)]
            if language == content.ZH:
                surname, pinyin = rng.choice(content.ZH_SURNAMES)
                given, given_pinyin = rng.choice(content.ZH_GIVEN)
                name, local = surname + given, f"{pinyin}.{given_pinyin}"
            else:
                first, last = rng.choice(content.EN_NAMES)
                name, local = f"{first} {last}", f"{first}.{last}".lower()
            rows.append(
                {
                    "customer_id": cid,
                    "name": name,
                    "email": f"{local}.{number}@c{cid}.example.com",
                    "created_at": NOW - HISTORY,
                }
            )
        connection.execute(insert(Contact), rows)
        found = connection.execute(select(Contact.id, Contact.customer_id, Contact.name))
        languages = {cid: language for cid, _name, language in self.customers}
        self.contacts = [(kid, cid, name, languages[cid]) for kid, cid, name in found]
        connection.commit()

    # -- tickets -------------------------------------------------------------

    def tickets(self, connection: Connection, count: int) -> None:
        first_id = (connection.scalar(select(func.max(Ticket.id))) or 0) + 1
        self.count = count
        per_year: dict[int, int] = {}
        for start in range(0, count, BATCH):
            tickets, messages, events = [], [], []
            for ticket_id in range(first_id + start, first_id + min(count, start + BATCH)):
                ticket, ticket_messages, ticket_events = self._ticket(ticket_id, per_year)
                tickets.append(ticket)
                messages.extend(ticket_messages)
                events.extend(ticket_events)
            order = [(Message, messages), (Ticket, tickets)]
            if connection.dialect.name != "sqlite":
                order.reverse()
            for model, rows in order:
                connection.execute(insert(model), rows)
            connection.execute(insert(TicketEvent), events)
            connection.commit()
            print(f"         {start + len(tickets):>9,} tickets", end="\r", flush=True)
        print()
        for year, last in per_year.items():
            connection.execute(insert(TicketCounter), [{"year": year, "last_value": last}])
        connection.commit()

    def _ticket(self, ticket_id: int, per_year: dict[int, int]) -> tuple[dict, list, list]:
        rng = self.rng
        # Evenly over the history, in id order, like real traffic.
        created = (
            NOW
            - HISTORY
            + HISTORY * (ticket_id / self.count)
            + timedelta(minutes=rng.randint(0, 30))
        )
        created = min(created, NOW - timedelta(minutes=5))
        year = created.year
        per_year[year] = per_year.get(year, 0) + 1
        contact_id, customer_id, contact_name, language = rng.choice(self.contacts)
        kind = rng.choice(list(content.STORIES))
        story = rng.choice(content.STORIES[kind][language])
        product = PRODUCTS["printer" if rng.random() < 0.04 else rng.choice(list(PRODUCTS))]
        values = Blank(
            product=product.zh if language == content.ZH else product.en,
            model=product.model.format(n=rng.randint(product.low, product.high)),
            qty=rng.randint(1, 40),
            days=rng.randint(3, 30),
            contact=contact_name,
            company=self.customers_by_id(customer_id),
            salutation=contact_name,
            order=f"PO-{rng.randint(100000, 999999)}",
        )
        department = _weighted(rng, list(DEPARTMENT_WEIGHTS.items()))
        status = _weighted(rng, STATUSES)
        agents = self.staff[department]
        assignee = None if status == Status.NEW or rng.random() < 0.1 else rng.choice(agents)
        updated = min(NOW, created + timedelta(hours=rng.randint(1, 24 * 20)))
        if status in (Status.NEW, Status.OPEN, Status.PENDING):
            # Open work is recent.
            created = NOW - timedelta(hours=rng.randint(1, 24 * 30))
            updated = min(NOW, created + timedelta(hours=rng.randint(0, 48)))
        ticket = {
            "id": ticket_id,
            "reference": f"SD-{year}-{per_year[year]:06d}",
            "kind": kind,
            "subject": story.subject.format_map(values)[:200],
            "product_ref": values["model"],
            "extra": {},
            "status": status,
            "priority": _weighted(rng, PRIORITIES),
            "channel": rng.choice(("web", "web", "email", "phone")),
            "department_id": self.departments[department],
            "assignee_id": assignee,
            "customer_id": customer_id,
            "contact_id": contact_id,
            "access_token_hash": secrets.token_hex(32),
            "created_at": created,
            "updated_at": updated,
            "first_response_at": None if status == Status.NEW else created + timedelta(hours=1),
            "resolved_at": updated if status in (Status.RESOLVED, Status.CLOSED) else None,
            "closed_at": updated if status == Status.CLOSED else None,
            "version": 1,
        }
        messages = [
            _message(
                ticket_id, "customer", None, contact_id, story.body.format_map(values), created
            )
        ]
        events = [_event(ticket_id, "created", None, "customer", None, department, created)]
        if status != Status.NEW:
            messages.append(
                _message(
                    ticket_id,
                    "reply",
                    assignee or agents[0],
                    None,
                    story.resolution.format_map(values),
                    ticket["first_response_at"],
                )
            )
            events.append(_event(ticket_id, "replied", assignee, "agent", None, None, updated))
        if rng.random() < 0.3:
            messages.append(
                _message(
                    ticket_id,
                    "note",
                    assignee or agents[0],
                    None,
                    f"Checked {values['model']}: see order {values['order']}.",
                    updated,
                )
            )
        if assignee:
            events.append(
                _event(ticket_id, "assigned", assignee, "agent", None, str(assignee), created)
            )
        if status != Status.NEW:
            events.append(_event(ticket_id, "status", assignee, "agent", "new", status, updated))
        return ticket, messages, events

    def customers_by_id(self, customer_id: int) -> str:
        return self.customers[customer_id - self.customers[0][0]][1]


def _message(
    ticket_id: int, kind: str, author: int | None, contact: int | None, body: str, at: datetime
) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "kind": kind,
        "author_id": author,
        "contact_id": contact,
        "body": body,
        "created_at": at,
    }


def _event(
    ticket_id: int,
    kind: str,
    actor: int | None,
    label: str,
    old: str | None,
    new: str | None,
    at: datetime,
) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "kind": kind,
        "actor_id": actor,
        "actor_label": label,
        "old_value": old,
        "new_value": new,
        "detail": None,
        "created_at": at,
    }


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _is_chinese(text_value: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text_value)


if __name__ == "__main__":
    main()
