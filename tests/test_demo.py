"""``servicedesk demo``: a fresh, realistic demo database that never touches the real one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql

from servicedesk import clock, create_app
from servicedesk.demo import content
from servicedesk.demo.loader import HISTORY_DAYS, demo_config, demo_database, plan_tickets
from servicedesk.extensions import db
from servicedesk.models import (
    Customer,
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
from servicedesk.services import users
from servicedesk.workflow.kinds import CORE_KINDS
from servicedesk.workflow.seed import DEPARTMENTS, ROUTES

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ALL_DEPARTMENTS = {spec.code for spec in DEPARTMENTS}
# Every placeholder the loader fills in ("n" is the number in a product model).
PLACEHOLDERS = (
    "product", "model", "qty", "order", "invoice", "serial", "code", "days", "months",
    "hours", "contact", "salutation", "company", "engineer", "date", "visit", "n",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")


@pytest.mark.slow
def test_demo_builds_a_realistic_database_beside_the_configured_one(app, runner, make_ticket):
    make_ticket()
    result = runner.invoke(args=["demo", "--no-serve", "--tickets", "40", "--seed", "7"])

    assert result.exit_code == 0, result.output
    assert "40 of 40 tickets" in result.output
    # The configured (test) database kept its one ticket and got no demo staff.
    assert db.session.scalar(select(func.count(Ticket.id))) == 1
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert demo_database(app.instance_path).exists()

    demo = create_app(demo_config(app.instance_path), load_entrypoints=False)
    with demo.app_context():
        try:
            _check_contents()
            _check_tiers_and_service_levels()
            _check_audit_trails()
            _check_logins(result.output)
        finally:
            db.session.remove()
            db.engine.dispose()


def _check_contents() -> None:
    tickets = list(db.session.scalars(select(Ticket)))
    assert len(tickets) == 40
    assert {t.department.code for t in tickets} == ALL_DEPARTMENTS
    assert {t.status for t in tickets} == {s.value for s in Status}
    assert {t.kind for t in tickets} == set(CORE_KINDS)
    bodies = list(db.session.scalars(select(Message.body)))
    assert any(CHINESE.search(body) for body in bodies)
    assert any(not CHINESE.search(body) for body in bodies)
    kinds = set(db.session.scalars(select(Message.kind)))
    assert kinds == {MessageKind.CUSTOMER, MessageKind.REPLY, MessageKind.NOTE}
    # Companies are linked through the contacts the tickets came from.
    assert sum(t.customer is not None for t in tickets) == 40
    # History spread over months, and nothing in the future.
    now = clock.now()
    created = sorted(t.created_at for t in tickets)
    assert now - timedelta(days=HISTORY_DAYS + 1) <= created[0] < now - timedelta(days=30)
    assert created[-1] <= now
    # References are handed out in the order the tickets arrived.
    by_time = sorted(tickets, key=lambda t: t.created_at)
    assert [t.reference for t in by_time] == sorted(t.reference for t in tickets)
    # Every department has agents to work its queue.
    for department in db.session.scalars(select(Department)):
        members = db.session.scalars(select(User).where(User.departments.contains(department)))
        assert any(m.role == Role.AGENT for m in members), department.code


def _check_tiers_and_service_levels() -> None:
    customers = list(db.session.scalars(select(Customer)))
    assert {c.abc_class for c in customers} == {"A", "B", "C"}
    assert any(c.key_account for c in customers)
    tickets = list(db.session.scalars(select(Ticket)))
    assert all(t.sla_policy_id is not None for t in tickets)
    # The department plugins added their own records (demo_data hook).
    surveys = db.session.scalar(sql("SELECT count(*) FROM satisfaction_surveys"))
    assert surveys > 0


def _check_audit_trails() -> None:
    allowed = {(source, target) for source, target in ROUTES}
    codes = {d.id: d.code for d in db.session.scalars(select(Department))}
    now = clock.now()
    routed = 0
    for ticket in db.session.scalars(select(Ticket)):
        events = list(
            db.session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        )
        assert events[0].kind == EventKind.CREATED
        assert events[0].created_at == ticket.created_at
        moments = [e.created_at for e in events]
        assert moments == sorted(moments) and moments[-1] <= now
        statuses = [e.new_value for e in events if e.kind == EventKind.STATUS]
        assert ticket.status == (statuses[-1] if statuses else Status.NEW)
        where = events[0].new_value
        for event in events:
            if event.kind != EventKind.ROUTED:
                continue
            routed += 1
            source, target = event.old_value, event.new_value
            assert source == where
            assert {(source, target), (None, target), (source, None)} & allowed, (source, target)
            # Routed by someone working in the department it left, or by the
            # system (an escalation at breach, a low satisfaction rating).
            if event.actor is not None:
                assert source in {codes[i] for i in event.actor.department_ids}
            else:
                assert event.actor_label == "system"
            where = target
        assert where == ticket.department.code
    assert routed > 0


def _check_logins(output: str) -> None:
    password = re.search(r"password: (\S+)\)", output).group(1)
    emails = re.findall(r"^\s+(\S+@servicedesk\.example\.com)\s", output, re.M)
    assert len(emails) == len(content.STAFF) >= 13
    staff = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    assert len(staff) == len(emails) and all(u.active for u in staff.values())
    # One sign-in per role: each costs a deliberately slow password hash.
    for role in Role:
        email = next(e for e in emails if staff[e].role == role)
        assert users.authenticate(email, password) == staff[email]


def test_demo_refuses_to_overwrite_the_configured_database(tmp_path):
    precious = tmp_path / "demo.db"
    precious.write_bytes(b"the real data")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(precious),
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "test-secret-key",
        },
        load_entrypoints=False,
    )

    result = app.test_cli_runner().invoke(args=["demo", "--no-serve", "--tickets", "1"])

    assert result.exit_code == 1
    assert "the demo would overwrite it" in result.output
    assert precious.read_bytes() == b"the real data"


def test_the_plan_is_reproducible_and_stays_in_the_past():
    now = clock.now()

    first = plan_tickets(60, seed=3, now=now)
    again = plan_tickets(60, seed=3, now=now)
    other = plan_tickets(60, seed=4, now=now)

    def story(plans: list) -> list:
        return [(p.subject, [(s.action, s.actor, s.body, s.at) for s in p.steps]) for p in plans]

    assert story(first) == story(again)
    assert story(first) != story(other)
    for plan in first:
        moments = [plan.created_at, *(step.at for step in plan.steps)]
        assert moments == sorted(moments)
        assert now - timedelta(days=HISTORY_DAYS) <= plan.created_at
        assert moments[-1] < now


def _templates(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _templates(item)
    elif isinstance(value, tuple):
        for item in value:
            yield from _templates(item)


def test_every_demo_text_fills_in():
    # A typo in a placeholder would otherwise only show up as a KeyError mid-load.
    facts = dict.fromkeys(PLACEHOLDERS, "x")
    texts = [
        text
        for name in dir(content)
        if name.isupper()
        for text in _templates(getattr(content, name))
    ]
    assert len(texts) > 200
    for text in texts:
        assert "{" not in text.format(**facts), text
    stories = [
        story
        for by_language in content.STORIES.values()
        for group in by_language.values()
        for story in group
    ]
    known = set(content.PRODUCTS) | set(content.PRODUCT_GROUPS)
    assert all(story.product in known for story in stories)
    assert all(
        set(by_language) == {content.ZH, content.EN} for by_language in content.STORIES.values()
    )
    assert set(content.STORIES) == set(CORE_KINDS)


def test_demo_sends_nothing_to_real_domains():
    domains = {company.domain for company in content.COMPANIES} | {content.STAFF_DOMAIN}
    assert all(domain.endswith(".example.com") for domain in domains)


def test_demo_lives_in_the_instance_folder(tmp_path: Path):
    config = demo_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "demo.db")
    assert config["INSTANCE_PATH"] == str(tmp_path)
