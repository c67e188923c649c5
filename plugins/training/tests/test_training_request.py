"""A customer asks for training through the public form."""

from __future__ import annotations

import re

from sqlalchemy import select
from training_testkit import Customer

from servicedesk.extensions import db
from servicedesk.models import Ticket


def latest() -> Ticket:
    db.session.expire_all()
    return db.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()


def test_training_fields_belong_to_the_training_kind_only(customer: Customer) -> None:
    page = customer.client.get("/").get_data(as_text=True)
    for name, label in (
        ("training_attendees", "Number of attendees"),
        ("training_preferences", "Preferred dates and topics"),
    ):
        field = re.search(rf'<div class="sdp-field mb-3" id="field-{name}"([^>]*)>', page)
        assert field, name
        # The page's script shows them for this kind only; the server agrees (below).
        assert 'data-kinds="training"' in field.group(1)
        assert f'<label class="form-label" for="f-{name}">{label}' in page


def test_a_training_request_starts_in_the_training_department(customer: Customer) -> None:
    assert customer.submit().status_code == 303
    ticket = latest()
    assert ticket.kind == "training"
    assert ticket.department.code == "training"
    assert ticket.extra == {
        "training_attendees": 12,
        "training_preferences": "Week of 12 May, mornings; seal replacement",
    }


def test_the_preferences_are_optional(customer: Customer) -> None:
    assert customer.submit(training_preferences="").status_code == 303
    assert latest().extra == {"training_attendees": 12}


def test_the_number_of_attendees_is_checked_beside_its_field(customer: Customer) -> None:
    for typed, message in (
        ("", "This field is required."),
        ("0", "Enter a number of attendees from 1 to 200."),
        ("201", "Enter a number of attendees from 1 to 200."),
        ("a dozen", "Enter the number of attendees as a whole number."),
    ):
        response = customer.submit(training_attendees=typed)
        assert response.status_code == 422, typed
        page = response.get_data(as_text=True)
        assert f'id="f-training_attendees-error">{message}</div>' in page, typed
    assert latest() is None


def test_preferences_are_one_short_line(customer: Customer) -> None:
    response = customer.submit(training_preferences="x" * 301)
    assert 'id="f-training_preferences-error">At most 300 characters.</div>' in response.get_data(
        as_text=True
    )
    assert latest() is None


def test_other_kinds_neither_need_nor_keep_the_training_fields(customer: Customer) -> None:
    response = customer.submit(kind="repair", training_attendees="lots", training_preferences="x")
    assert response.status_code == 303
    ticket = latest()
    assert ticket.extra == {}
    assert ticket.department.code == "intake"
