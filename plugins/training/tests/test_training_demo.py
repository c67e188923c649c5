"""The demo's training sessions: held for finished requests, ahead for open ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from training_testkit import CENTRE, Desk, panel_of

import servicedesk_plugins.training
from servicedesk import clock, create_app
from servicedesk.demo.loader import build_demo, demo_config
from servicedesk.extensions import db
from servicedesk.models import Message, MessageKind, Status, Ticket, TicketEvent
from servicedesk.services import tickets
from servicedesk.state import app_state
from servicedesk_plugins.training import demo, services
from servicedesk_plugins.training.models import Mode, SessionStatus, TrainingSession

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def staff(make_user: Callable[..., Any]) -> dict[str, Any]:
    return {
        "xu": make_user(name="徐婷", departments=("training",), locale="zh_Hans_CN"),
        "weber": make_user(name="Daniel Weber", departments=("training",), locale="en"),
        "intake": make_user(name="Wang Fang", departments=("intake",)),
    }


def _file(make_ticket: Callable[..., Any], at: datetime, **fields: Any) -> Any:
    fields.setdefault("kind", "training")
    with clock.at(at):
        return make_ticket(**fields)


def _finished_request(make_ticket: Callable[..., Any], staff: dict[str, Any], now: datetime):
    """A Chinese customer's request, answered with a date that has passed since."""
    new = _file(
        make_ticket,
        now - timedelta(days=20),
        subject="申请液压柱塞泵操作与保养现场培训",
        body="您好：我厂新采购的液压柱塞泵下月投产，参训人数约20人。\n\n胡晓明\n苏州精工机械有限公司",
        name="胡晓明",
        email="xiaoming.hu@sz-jinggong.example.com",
        company="苏州精工机械有限公司",
        locale="zh_Hans_CN",
    )
    day = (now - timedelta(days=10)).astimezone(CENTRE).date()
    xu, ticket_id = staff["xu"], new.ticket.id
    with clock.at(now - timedelta(days=19)):
        tickets.reply(ticket_id, xu, "胡经理您好，来信已收到。", version=None)
    with clock.at(now - timedelta(days=18)):
        tickets.reply(
            ticket_id,
            xu,
            f"胡经理您好，现场培训已安排在{day.month}月{day.day}日，讲师为徐婷，为期两天。",
            version=None,
            status=Status.RESOLVED,
        )
    return new, day


def _open_request(make_ticket: Callable[..., Any], staff: dict[str, Any], now: datetime):
    """A German customer's request the training department is still working on."""
    new = _file(
        make_ticket,
        now - timedelta(days=4),
        subject="Operator training for the new screw air compressor line",
        body="Hi,\n\nOur new line with your screw air compressor starts next month.\n\n"
        "Stefan Wagner\nKeller & Braun Maschinenbau GmbH",
        name="Stefan Wagner",
        email="s.wagner@keller-braun.example.com",
        company="Keller & Braun Maschinenbau GmbH",
        locale="en",
    )
    with clock.at(now - timedelta(days=3)):
        tickets.reply(
            new.ticket.id, staff["weber"], "Dear Stefan Wagner, how many trainees?", version=None
        )
    return new


def _sessions(ticket_id: int) -> list[TrainingSession]:
    db.session.expire_all()
    return services.sessions_for(ticket_id)


def test_the_demo_holds_past_sessions_and_plans_coming_ones(
    app: Flask,
    client: Any,
    desk: Desk,
    make_ticket: Callable[..., Any],
    staff: dict[str, Any],
) -> None:
    now = clock.now().replace(second=0, microsecond=0)
    finished, announced = _finished_request(make_ticket, staff, now)
    waiting = _open_request(make_ticket, staff, now)
    # A duplicate closed unresolved, and a request that never reached training.
    duplicate = _file(make_ticket, now - timedelta(days=6), subject="新员工设备操作培训")
    with clock.at(now - timedelta(days=5)):
        tickets.set_status(duplicate.ticket.id, staff["xu"], Status.CLOSED, version=None)
    complaint = _file(make_ticket, now - timedelta(days=2), kind="complaint")

    # The plan is the same every time it is made.
    assert demo.plan(now) == demo.plan(now)
    app_state().plugin_manager.hook.demo_data(app=app, now=now)

    assert _sessions(duplicate.ticket.id) == []
    assert _sessions(complaint.ticket.id) == []

    # Finished: the two days the reply announced, held and completed by the
    # trainer it named, on site at the customer's plant.
    held = _sessions(finished.ticket.id)
    assert len(held) == 2
    assert held[0].starts_at.astimezone(CENTRE).date() == announced
    assert held[0].starts_at.astimezone(CENTRE).time() == time(9, 0)
    for session in held:
        assert session.status == SessionStatus.COMPLETED
        assert session.trainer == staff["xu"]
        assert session.mode == Mode.ONSITE and "苏州精工机械有限公司" in session.place
        assert "液压柱塞泵" in session.topic
        assert 3 <= len(session.attendees) <= 10
        assert all(CHINESE.fullmatch(a.name[0]) for a in session.attendees)
        assert all(a.attended is not None for a in session.attendees)
        assert any(a.completed for a in session.attendees)
        assert session.created_at < session.starts_at < now
    # Written in the trainer's language, after what was already on the ticket.
    notes = db.session.scalars(
        select(Message).where(
            Message.ticket_id == finished.ticket.id, Message.kind == MessageKind.NOTE
        )
    ).all()
    assert len(notes) == 4 and all(note.author == staff["xu"] for note in notes)
    assert held[0].topic in notes[0].body and held[1].topic in notes[1].body
    assert all(CHINESE.match(note.body) for note in notes)

    # Open: an online course a few days to three weeks ahead, in office hours.
    coming = _sessions(waiting.ticket.id)
    assert coming and all(s.status == SessionStatus.SCHEDULED for s in coming)
    first = coming[0]
    assert timedelta(days=2) <= first.starts_at - now <= timedelta(days=22)
    for session in coming:
        local_start = session.starts_at.astimezone(CENTRE)
        local_end = session.ends_at.astimezone(CENTRE)
        assert local_start.weekday() < 5
        assert time(8, 30) <= local_start.time() and local_end.time() <= time(18, 0)
        assert session.mode == Mode.ONLINE and session.online_link.startswith("https://")
        assert session.trainer in (staff["xu"], staff["weber"])
        assert 3 <= len(session.attendees) <= 10
        assert not any(CHINESE.search(a.name) for a in session.attendees)
        assert all(a.attended is None for a in session.attendees)
        assert "screw air compressor" in session.topic
    assert services.upcoming_count(days=22, now=now) == len(coming)

    # Every ticket's trail stays in time order, and nothing is in the future.
    for ticket in db.session.scalars(select(Ticket)):
        moments = list(
            db.session.scalars(
                select(TicketEvent.created_at)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        )
        assert moments == sorted(moments) and moments[-1] <= now

    # The customers see their sessions on the tracking page.
    page = client.get(f"/t/{finished.token}").get_data(as_text=True)
    training = page[page.index('id="panel-training.sessions"') :]
    assert held[0].topic in training and held[1].topic in training
    page = client.get(f"/t/{waiting.token}").get_data(as_text=True)
    training = page[page.index('id="panel-training.sessions"') :]
    assert first.topic in training and first.online_link in training
    assert "Scheduled" in training

    # And the trainer on the desk's ticket page.
    desk.login(staff["weber"])
    panel = panel_of(desk.ticket_page(waiting.ticket.reference))
    assert first.topic in panel and first.trainer.name in panel


def test_nothing_to_train_without_trainers(
    app: Flask, make_ticket: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    make_user(departments=("intake",))
    now = clock.now()
    _file(make_ticket, now - timedelta(days=3))
    assert demo.load(now) == []


@pytest.mark.slow
def test_the_built_demo_has_training_sessions(tmp_path: Path) -> None:
    build_demo(tmp_path, tickets=40, seed=7)
    app = create_app(
        demo_config(tmp_path), plugins=[servicedesk_plugins.training], load_entrypoints=False
    )
    with app.app_context():
        try:
            sessions = list(db.session.scalars(select(TrainingSession)))
            assert sessions
            assert {s.ticket.department.code for s in sessions} == {services.DEPARTMENT}
            assert any(s.status == SessionStatus.COMPLETED for s in sessions)
            now = datetime.now(UTC)
            for session in sessions:
                assert 3 <= len(session.attendees) <= 10
                assert session.created_at <= now and session.trainer is not None
                if session.status == SessionStatus.COMPLETED:
                    assert session.ends_at <= now
                    assert all(a.attended is not None for a in session.attendees)
        finally:
            db.session.remove()
            db.engine.dispose()
