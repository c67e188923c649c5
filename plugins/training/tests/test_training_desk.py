"""The training panel on the desk: scheduling, refusals, permissions, the data it adds."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from training_testkit import Desk, counts, local_slot, panel_of

import servicedesk_plugins.training
from servicedesk import hookimpl
from servicedesk.extensions import db
from servicedesk.models import Message, MessageKind, Role
from servicedesk_plugins.training import services
from servicedesk_plugins.training.models import TrainingSession


@pytest.fixture
def agent(make_user: Callable[..., Any]) -> Any:
    return make_user(name="Zhou Min", departments=("training",))


def sessions() -> list[TrainingSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(TrainingSession).order_by(TrainingSession.id)))


def test_scheduling_stores_the_session_in_utc_with_its_attendees(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    trainer = make_user(name="Gao Jian", departments=("training", "after_sales"))
    ticket = training_ticket()
    desk.login(agent)
    day, time, instant = local_slot(days=5, hour=9, minute=30)
    response = desk.schedule(ticket.reference, date=day, time=time, trainer=str(trainer.id))
    assert response.status_code == 303
    [session] = sessions()
    assert session.starts_at == instant  # 09:30 in Shanghai is 01:30 UTC
    assert session.starts_at.tzinfo is not None
    assert (session.mode, session.place, session.online_link) == (
        "onsite",
        "Plant 2, training room B",
        None,
    )
    assert session.trainer_id == trainer.id and session.created_by_id == agent.id
    assert session.status == "scheduled" and session.duration_minutes == 120
    assert [(a.name, a.email, a.attended, a.completed) for a in session.attendees] == [
        ("Zhang Wei", "zhang.wei@pumps.example.cn", None, False),
        ("Li Na", "li.na@pumps.example.cn", None, False),
        ("Chen Jie", None, None, False),
    ]
    [note] = [m for m in ticket_messages(ticket.id) if m.kind == MessageKind.NOTE]
    assert note.author_id == agent.id
    assert "PX-200 pump maintenance" in note.body and "(Asia/Shanghai)" in note.body
    assert "3 attendees listed." in note.body


def ticket_messages(ticket_id: int) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.ticket_id == ticket_id)))


def test_bad_input_is_marked_beside_each_field_and_nothing_is_written(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    before = counts()
    past_day, _time, _utc = local_slot(days=-3)
    response = desk.schedule(
        ticket.reference,
        topic="  ",
        date=past_day,
        time="25:99",
        duration_minutes="5",
        mode="onsite",
        place="",
        trainer="999999",
        attendees="Zhang Wei <zhang.wei@>\nLi Na",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # Without JavaScript the refused form comes back on a page of its own.
    assert f"Back to ticket {ticket.reference}" in page
    for field, message in (
        ("topic", "Say what the session covers."),
        ("time", "Enter the time as hours:minutes, e.g. 09:30."),
        ("duration_minutes", "Enter the length in minutes, from 15 to 720."),
        ("place", "Say where the session takes place."),
        ("trainer", "Choose a trainer from the training department, or nobody yet."),
        ("attendees", "Line 1: “zhang.wei@” is not a valid email address."),
    ):
        assert f'id="training-schedule-{field}-error">{message}</div>' in page, field
    assert 'aria-invalid="true" aria-describedby="training-schedule-topic-error"' in page
    # What was typed is kept.
    assert ">Zhang Wei &lt;zhang.wei@&gt;\nLi Na</textarea>" in page
    assert 'value="5"' in page
    assert counts() == before


def test_a_past_date_and_a_missing_link_are_refused(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    day, time, _utc = local_slot(days=-1)
    response = desk.schedule(ticket.reference, date=day, time=time, mode="online")
    page = response.get_data(as_text=True)
    assert 'id="training-schedule-date-error">This date and time has passed.</div>' in page
    assert 'id="training-schedule-online_link-error">Give the link to the online meeting.' in page
    response = desk.schedule(ticket.reference, mode="online", online_link="javascript:alert(1)")
    assert "Enter a full web address starting with https://." in response.get_data(as_text=True)
    assert sessions() == []


def test_with_htmx_a_refusal_swaps_only_the_panel(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    response = desk.schedule(ticket.reference, htmx=True, duration_minutes="")
    assert response.status_code == 422
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="training-panel"')
    assert "<html" not in fragment
    assert "Please correct the marked fields." in fragment
    assert "Enter the length in minutes" in fragment
    assert "<details open>" in fragment  # the form stays open with what was typed


def test_with_htmx_success_reloads_the_ticket_page(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    response = desk.schedule(ticket.reference, htmx=True)
    assert response.status_code == 204
    # The note and the ticket's version changed: the whole page is fresh.
    assert response.headers["HX-Redirect"] == f"/desk/tickets/{ticket.reference}"
    assert len(sessions()) == 1


def test_an_agent_of_another_department_cannot_schedule(
    desk: Desk, make_user: Callable[..., Any], training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    outsider = make_user(name="Sales Agent", departments=("sales",))
    desk.login(outsider)
    before = counts()
    assert desk.schedule(ticket.reference).status_code == 404  # may not even see it
    assert counts() == before


def test_whoever_handles_the_ticket_schedules_not_the_training_department(
    desk: Desk, make_user: Callable[..., Any], training_ticket: Callable[..., Any]
) -> None:
    # A training request handed to sales (a quote for the course first).
    ticket = training_ticket(department="sales")
    supervisor = make_user(role=Role.SUPERVISOR, departments=("training",))
    desk.login(supervisor)
    assert desk.schedule(ticket.reference).status_code == 404
    assert sessions() == []
    desk.logout()
    desk.login(make_user(departments=("sales",)))
    assert "Schedule a session" in panel_of(desk.ticket_page(ticket.reference))
    assert desk.schedule(ticket.reference).status_code == 303


def test_viewer_without_note_permission_is_refused(
    desk: Desk,
    agent: Any,
    make_user: Callable[..., Any],
    training_ticket: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    # A policy that lets this agent look but not act (e.g. a read-only role).
    monkeypatch.setattr(services, "may_schedule", lambda actor, ticket: False)
    panel = panel_of(desk.ticket_page(ticket.reference))
    assert "Schedule a session" not in panel
    before = counts()
    response = desk.schedule(ticket.reference)
    assert response.status_code == 403
    assert "Only staff of the department handling" in response.get_data(as_text=True)
    assert counts() == before


def test_the_panel_is_only_on_training_tickets(
    desk: Desk, agent: Any, make_ticket: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    repair = make_ticket(kind="repair", department="after_sales").ticket
    technician = make_user(departments=("after_sales",))
    desk.login(technician)
    assert 'id="training-panel"' not in desk.ticket_page(repair.reference)
    # A repair ticket routed to training (train the operator, not fix the pump) gets it.
    moved = make_ticket(kind="repair", department="training").ticket
    desk.logout()
    desk.login(agent)
    assert 'id="training-panel"' in desk.ticket_page(moved.reference)


def test_trainers_are_the_active_members_of_the_training_department(
    desk: Desk, agent: Any, make_user: Callable[..., Any], training_ticket: Callable[..., Any]
) -> None:
    retired = make_user(name="Retired Trainer", departments=("training",))
    retired.active = False
    db.session.commit()
    make_user(name="Claims Agent", departments=("claims",))
    ticket = training_ticket()
    desk.login(agent)
    panel = panel_of(desk.ticket_page(ticket.reference))
    trainer_select = panel[panel.index('id="training-trainer"') :]
    trainer_select = trainer_select[: trainer_select.index("</select>")]
    assert "Zhou Min" in trainer_select
    assert "Retired Trainer" not in trainer_select and "Claims Agent" not in trainer_select


class NoNotes:
    """A plugin that refuses every internal note (as a department might during an audit)."""

    @hookimpl
    def veto_transition(self, event: Any) -> str | None:
        return "Notes are frozen during the audit." if event.kind == "noted" else None


@pytest.mark.parametrize("app_plugins", [[servicedesk_plugins.training, NoNotes()]])
def test_a_vetoed_note_takes_the_session_with_it(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    before = counts()
    response = desk.schedule(ticket.reference)
    assert response.status_code == 422
    assert "Notes are frozen during the audit." in response.get_data(as_text=True)
    assert counts() == before


def test_stored_text_is_escaped_on_the_desk(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket(extra={"training_attendees": 3, "training_preferences": "<i>May</i>"})
    desk.login(agent)
    desk.schedule(
        ticket.reference, topic="<img src=x onerror=alert(1)>", attendees="<b>Bold</b>, b@x.cn"
    )
    panel = panel_of(desk.ticket_page(ticket.reference))
    assert "<img src=x" not in panel and "<b>Bold</b>" not in panel and "<i>May</i>" not in panel
    assert "Attendance at “&lt;img src=x onerror=alert(1)&gt;”" in panel
    assert "&lt;b&gt;Bold&lt;/b&gt;" in panel and "&lt;i&gt;May&lt;/i&gt;" in panel


def test_ticket_data_carries_the_sessions(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    desk.schedule(ticket.reference, online_link="https://ignored.example.com")
    data = json.loads(desk.page(f"/desk/tickets/{ticket.reference}.json"))
    [session] = data["plugins"]["training"]["sessions"]
    assert session["topic"] == "PX-200 pump maintenance"
    assert session["mode"] == "onsite" and session["online_link"] is None
    assert session["status"] == "scheduled" and session["trainer"] is None
    assert session["starts_at"].endswith("+00:00")
    assert [a["name"] for a in session["attendees"]] == ["Zhang Wei", "Li Na", "Chen Jie"]


def test_dashboard_counts_sessions_of_the_next_two_weeks(
    desk: Desk, agent: Any, training_ticket: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    ticket = training_ticket()
    desk.login(agent)
    for days in (1, 13, 20):
        day, time, _utc = local_slot(days=days)
        assert desk.schedule(ticket.reference, date=day, time=time).status_code == 303
    page = desk.page("/desk/")
    assert (
        '<span class="sd-metric-value">2</span>'
        '<span class="sd-metric-label">Training sessions in the next 14 days</span>'
    ) in page
    desk.logout()
    desk.login(make_user(departments=("sales",)))
    assert "Training sessions in the next 14 days" not in desk.page("/desk/")
