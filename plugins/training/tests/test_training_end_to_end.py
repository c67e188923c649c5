"""The whole story: a customer asks for training, the training department schedules a
session on the desk, and the customer sees it on their tracking page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from training_testkit import Customer, Desk, local_slot, panel_of

from servicedesk.models import Role


def test_customer_request_to_scheduled_session_on_the_tracking_page(
    customer: Customer, desk: Desk, make_user: Callable[..., Any]
) -> None:
    agent = make_user(name="Zhou Min", departments=("training",))
    trainer = make_user(name="Gao Jian", departments=("training",))

    # The customer files a training request and keeps the tracking link.
    reference, tracking = customer.file_request()
    page = customer.client.get(tracking).get_data(as_text=True)
    assert "Training" in page  # handled by the training department
    assert "We will propose dates for your training here." in page

    # An agent of the training department finds it in their queue and opens it.
    desk.login(agent)
    assert reference in desk.page("/desk/")
    panel = panel_of(desk.ticket_page(reference))
    assert "Attendees requested" in panel and ">12<" in panel
    assert "Week of 12 May, mornings; seal replacement" in panel
    assert f'<option value="{trainer.id}">Gao Jian</option>' in panel

    day, time, _utc = local_slot(days=12, hour=14, minute=0)
    response = desk.schedule(
        reference,
        date=day,
        time=time,
        duration_minutes="180",
        trainer=str(trainer.id),
        topic="Seal replacement on the PX-200",
    )
    assert response.status_code == 303
    page = desk.page(response.headers["Location"])
    assert "Training session scheduled." in page
    panel = panel_of(page)
    assert "Seal replacement on the PX-200" in panel
    assert "Gao Jian" in panel and "Plant 2, training room B" in panel
    # The internal note tells colleagues what was arranged.
    assert re.search(
        r'class="sd-msg sd-msg-note".*Training session scheduled: Seal replacement on the PX-200',
        page,
        re.S,
    )

    # The customer sees the session, in the centre's time, with place and trainer.
    page = customer.client.get(tracking).get_data(as_text=True)
    training = page[page.index('id="panel-training.sessions"') :]
    assert "Your training" in training[:100]
    assert "Seal replacement on the PX-200" in training
    assert f"{day} 14:00" in training
    assert "3 h" in training
    assert "On site" in training and "Plant 2, training room B" in training
    assert "Gao Jian" in training and "Scheduled" in training
    # Internal notes stay internal.
    assert "Training session scheduled:" not in page


def test_an_online_session_shows_its_link_to_the_customer(
    customer: Customer, desk: Desk, make_user: Callable[..., Any]
) -> None:
    agent = make_user(role=Role.SUPERVISOR, departments=("training",))
    reference, tracking = customer.file_request()
    desk.login(agent)
    response = desk.schedule(
        reference, mode="online", place="", online_link="https://meet.example.com/px200"
    )
    assert response.status_code == 303
    page = customer.client.get(tracking).get_data(as_text=True)
    assert '<a href="https://meet.example.com/px200" rel="noopener noreferrer"' in page
    assert "To be confirmed" in page  # no trainer chosen yet


def test_what_staff_typed_is_escaped_on_the_tracking_page(
    customer: Customer, desk: Desk, make_user: Callable[..., Any]
) -> None:
    agent = make_user(departments=("training",))
    reference, tracking = customer.file_request()
    desk.login(agent)
    desk.schedule(reference, topic="<script>alert(1)</script>", place="<b>Hall</b>")
    page = customer.client.get(tracking).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Hall&lt;/b&gt;" in page
