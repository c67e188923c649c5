"""After the session: who came, who completed, and closing the session (or cancelling it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from training_testkit import Customer, Desk, counts, panel_of

from servicedesk.extensions import db
from servicedesk.models import Message, MessageKind
from servicedesk_plugins.training.models import TrainingSession


@pytest.fixture
def agent(make_user: Callable[..., Any]) -> Any:
    return make_user(name="Zhou Min", departments=("training",))


@pytest.fixture
def scheduled(desk: Desk, agent: Any, training_ticket: Callable[..., Any]) -> TrainingSession:
    """A session with three attendees, scheduled through the desk by the agent."""
    ticket = training_ticket()
    desk.login(agent)
    assert desk.schedule(ticket.reference).status_code == 303
    return latest_session()


def latest_session() -> TrainingSession:
    db.session.expire_all()
    return db.session.scalars(select(TrainingSession).order_by(TrainingSession.id.desc())).first()


def held_yesterday(session: TrainingSession) -> None:
    """Time passes: the session took place yesterday."""
    session.starts_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()


def attendance_form(session: TrainingSession, **marks: tuple[str, bool]) -> dict[str, str]:
    """The attendance form, by attendee name: ``Zhang_Wei=("yes", True)``."""
    form: dict[str, str] = {}
    for person in session.attendees:
        attended, completed = marks.get(person.name.replace(" ", "_"), ("", False))
        form[f"attended-{person.id}"] = attended
        if completed:
            form[f"completed-{person.id}"] = "1"
    return form


def notes(ticket_id: int) -> list[str]:
    db.session.expire_all()
    query = select(Message.body).where(
        Message.ticket_id == ticket_id, Message.kind == MessageKind.NOTE
    )
    return list(db.session.scalars(query.order_by(Message.id)))


def test_the_panel_shows_each_attendee_with_a_labelled_control(
    desk: Desk, scheduled: TrainingSession
) -> None:
    panel = panel_of(desk.ticket_page(scheduled.ticket.reference))
    for person in scheduled.attendees:
        assert f'<label class="visually-hidden" for="training-attended-{person.id}">' in panel
        assert f'<label class="visually-hidden" for="training-completed-{person.id}">' in panel
    assert "zhang.wei@pumps.example.cn" in panel
    assert "Save attendance" in panel and "Mark session completed" in panel


def test_attendance_is_saved_without_a_note(desk: Desk, scheduled: TrainingSession) -> None:
    held_yesterday(scheduled)
    before = counts()
    form = attendance_form(scheduled, Zhang_Wei=("yes", True), Li_Na=("no", False))
    response = desk.post(
        f"/training/sessions/{scheduled.id}/attendance", {**form, "action": "save"}
    )
    assert response.status_code == 303
    page = desk.page(response.headers["Location"])
    assert "Attendance saved." in page
    session = latest_session()
    assert [(a.name, a.attended, a.completed) for a in session.attendees] == [
        ("Zhang Wei", True, True),
        ("Li Na", False, False),
        ("Chen Jie", None, False),
    ]
    assert session.status == "scheduled"
    assert counts()["messages"] == before["messages"]
    # The page shows what was recorded.
    panel = panel_of(page)
    zhang = scheduled.attendees[0]
    assert re.search(
        rf'name="attended-{zhang.id}".*?<option value="yes" selected>Present</option>', panel, re.S
    )
    assert f'id="training-completed-{zhang.id}" name="completed-{zhang.id}" value="1" checked' in (
        panel
    )


def test_with_htmx_saved_attendance_swaps_the_panel(desk: Desk, scheduled: TrainingSession) -> None:
    form = attendance_form(scheduled, Chen_Jie=("yes", False))
    response = desk.post(
        f"/training/sessions/{scheduled.id}/attendance", {**form, "action": "save"}, htmx=True
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="training-panel"')
    assert 'role="status">Attendance saved.</div>' in fragment


def test_absent_people_cannot_have_completed(desk: Desk, scheduled: TrainingSession) -> None:
    form = attendance_form(scheduled, Li_Na=("no", True))
    response = desk.post(
        f"/training/sessions/{scheduled.id}/attendance", {**form, "action": "save"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    li_na = scheduled.attendees[1]
    assert (
        f'id="training-attendance-{scheduled.id}-attendee-{li_na.id}-error">'
        "Someone who was absent cannot have completed the training.</div>"
    ) in page
    assert all(a.attended is None for a in latest_session().attendees)


def test_completing_needs_the_session_to_have_taken_place(
    desk: Desk, scheduled: TrainingSession
) -> None:
    form = attendance_form(
        scheduled, Zhang_Wei=("yes", True), Li_Na=("yes", True), Chen_Jie=("no", False)
    )
    response = desk.post(
        f"/training/sessions/{scheduled.id}/attendance", {**form, "action": "complete"}
    )
    assert response.status_code == 422
    assert "This session has not started yet" in response.get_data(as_text=True)
    assert latest_session().status == "scheduled"


def test_completing_needs_everyones_attendance(desk: Desk, scheduled: TrainingSession) -> None:
    held_yesterday(scheduled)
    form = attendance_form(scheduled, Zhang_Wei=("yes", True))
    response = desk.post(
        f"/training/sessions/{scheduled.id}/attendance", {**form, "action": "complete"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Record whether this person was present.") == 2
    assert latest_session().status == "scheduled"


def test_completing_records_attendance_and_notes_the_outcome(
    desk: Desk, scheduled: TrainingSession, customer: Customer
) -> None:
    held_yesterday(scheduled)
    form = attendance_form(
        scheduled, Zhang_Wei=("yes", True), Li_Na=("yes", False), Chen_Jie=("no", False)
    )
    response = desk.post(
        f"/training/sessions/{scheduled.id}/attendance", {**form, "action": "complete"}
    )
    assert response.status_code == 303
    assert "Session completed." in desk.page(response.headers["Location"])
    session = latest_session()
    assert session.status == "completed"
    assert [a.attended for a in session.attendees] == [True, True, False]
    assert notes(session.ticket_id)[-1].splitlines()[::2] == [
        "Training session completed: PX-200 pump maintenance",
        "Present: 2 of 3; completed the training: 1.",
    ]
    # Completed sessions can still have their attendance corrected, not be completed again.
    panel = panel_of(desk.ticket_page(session.ticket.reference))
    assert "Save attendance" in panel and "Mark session completed" not in panel
    assert "Cancel this session" not in panel


def test_cancelling_with_a_reason(desk: Desk, scheduled: TrainingSession) -> None:
    response = desk.post(
        f"/training/sessions/{scheduled.id}/cancel", {"reason": "Plant shut down for repairs"}
    )
    assert response.status_code == 303
    session = latest_session()
    assert session.status == "cancelled"
    assert notes(session.ticket_id)[-1].splitlines()[-1] == "Reason: Plant shut down for repairs"
    panel = panel_of(desk.ticket_page(session.ticket.reference))
    assert '<span class="badge text-bg-secondary">Cancelled</span>' in panel
    assert "Save attendance" not in panel
    # Twice is refused with a message, not an error page.
    again = desk.post(f"/training/sessions/{scheduled.id}/cancel", {"reason": ""})
    assert again.status_code == 422
    assert "This session is no longer scheduled." in again.get_data(as_text=True)


def test_another_departments_agent_cannot_touch_attendance(
    desk: Desk, scheduled: TrainingSession, make_user: Callable[..., Any]
) -> None:
    desk.logout()
    desk.login(make_user(departments=("claims",)))
    before = counts()
    form = attendance_form(scheduled, Zhang_Wei=("yes", True))
    for path in ("attendance", "cancel"):
        response = desk.post(f"/training/sessions/{scheduled.id}/{path}", form)
        assert response.status_code == 404
    assert desk.post("/training/sessions/99999999999/cancel", {}).status_code == 404
    assert counts() == before
    assert latest_session().status == "scheduled"
