"""The survey on the customer's tracking page, and the form's refusals."""

from __future__ import annotations

import pytest
from satisfaction_support import at, fresh, link_in, send, survey_mails, survey_of

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Status
from servicedesk.services import tickets
from servicedesk_plugins.satisfaction.models import SatisfactionSurvey
from servicedesk_plugins.satisfaction.schemas import parse_answer

HTMX = {"HX-Request": "true"}


def test_no_form_before_the_ticket_is_resolved(client, make_ticket):
    new = make_ticket()
    page = client.get(f"/t/{new.token}").get_data(as_text=True)
    assert "satisfaction-survey" not in page
    refused = client.post(f"/satisfaction/t/{new.token}", data={"rating": "5"})
    assert refused.status_code == 409
    assert "no survey to answer" in refused.get_data(as_text=True)
    assert db.session.query(SatisfactionSurvey).count() == 0


def test_the_tracking_page_takes_the_answer(client, resolved):
    page = client.get(f"/t/{resolved.token}").get_data(as_text=True)
    action = f'action="/satisfaction/t/{resolved.token}"'
    assert action in page
    assert 'name="rating"' in page and 'id="sat-comment"' in page

    with at(20):  # before the mail would have gone out
        answer = client.post(
            f"/satisfaction/t/{resolved.token}", data={"rating": "4", "comment": "Quick, thanks"}
        )
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/t/{resolved.token}#satisfaction-survey"
    page = client.get(f"/t/{resolved.token}").get_data(as_text=True)
    assert "Thank you for your rating." in page
    assert "You rated our service 4 of 5 (Satisfied)." in page
    assert action not in page  # no form any more
    survey = survey_of(resolved.ticket.id)
    assert (survey.rating, survey.comment, survey.answered_via) == (4, "Quick, thanks", "tracking")
    assert fresh(resolved.ticket.id).status == Status.RESOLVED
    # Answered already: the mail is not sent.
    assert send(61) == 0
    assert survey_mails() == []
    again = client.post(f"/satisfaction/t/{resolved.token}", data={"rating": "1"})
    assert again.status_code == 409
    assert "already answered" in again.get_data(as_text=True)


def test_a_low_rating_on_the_tracking_page_reopens_too(client, resolved):
    client.post(f"/satisfaction/t/{resolved.token}", data={"rating": "1"})
    ticket = fresh(resolved.ticket.id)
    assert (ticket.status, ticket.department.code) == (Status.OPEN, "follow_up")
    page = client.get(f"/t/{resolved.token}").get_data(as_text=True)
    assert "gone back to our follow-up team" in page


def test_the_form_stays_on_the_tracking_page_once_sent_even_if_reopened(client, resolved):
    send(61)
    with at(70):
        tickets.add_customer_message(
            resolved.ticket.id, tickets.open_with_token(resolved.token)[1], "One more thing"
        )
    assert fresh(resolved.ticket.id).status == Status.OPEN
    assert 'name="rating"' in client.get(f"/t/{resolved.token}").get_data(as_text=True)


def test_htmx_swaps_the_thank_you_in(client, resolved):
    response = client.post(f"/satisfaction/t/{resolved.token}", data={"rating": "5"}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="satisfaction-survey"')
    assert "Thank you for your rating." in html
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_ticket_resolved_before_the_plugin_gets_its_survey_on_answer(client, make_ticket):
    with clock.at(at_time()):
        new = make_ticket()
        tickets.resolve(new.ticket.id, _system(), version=None)
    db.session.query(SatisfactionSurvey).delete()
    db.session.commit()
    assert 'name="rating"' in client.get(f"/t/{new.token}").get_data(as_text=True)
    assert client.post(f"/satisfaction/t/{new.token}", data={"rating": "5"}).status_code == 303
    assert survey_of(new.ticket.id).rating == 5


def test_an_unknown_tracking_token_is_a_404(client):
    response = client.post("/satisfaction/t/" + "x" * 43, data={"rating": "5"})
    assert response.status_code == 404
    assert "We could not find this survey" in response.get_data(as_text=True)


BAD = [
    ({"rating": "0"}, "rating"),
    ({"rating": "6"}, "rating"),
    ({"rating": "x"}, "rating"),
    ({"rating": ""}, "rating"),
    ({"rating": "2.5"}, "rating"),
    ({"rating": "-1"}, "rating"),
    ({"rating": "99999999999999999999"}, "rating"),
    ({}, "rating"),
    ({"rating": "3", "comment": "y" * 2001}, "comment"),
    ({"rating": "3", "comment": "nul \x00 byte"}, "comment"),
]


@pytest.mark.parametrize(("form", "field"), BAD)
@pytest.mark.parametrize("where", ["link", "tracking"])
def test_bad_input_gets_messages_never_a_500(client, resolved, form, field, where):
    if where == "link":
        send(61)
        url = link_in(survey_mails()[0])
    else:
        url = f"/satisfaction/t/{resolved.token}"
    response = client.post(url, data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="sat-{field}-error"' in html
    assert 'role="alert"' in html
    if field == "rating":
        assert "Choose a rating from 1 (very dissatisfied) to 5 (very satisfied)." in html
    if field == "comment" and form.get("comment") == "y" * 2001:
        assert "at most 2000 characters (it has 2001)" in html
        assert "y" * 2001 in html  # what was typed is kept
    assert survey_of(resolved.ticket.id).answered_at is None


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"rating": 3, "comment": "broken \ud800"}, "comment"),  # e.g. from a JSON escape
        ({"rating": 3, "comment": ["a list"]}, "comment"),
        ({"rating": True}, "rating"),
        ({"rating": 3.0}, "rating"),
    ],
)
def test_the_schema_refuses_what_a_form_cannot_send(app, form, field):
    values, errors = parse_answer(form)
    assert values == {}
    assert list(errors) == [field]


def test_the_schema_reads_a_form(app):
    assert parse_answer({"rating": " 4 ", "comment": "  fine \r\n "}) == (
        {"rating": 4, "comment": "fine"},
        {},
    )
    assert parse_answer({"rating": 1}) == ({"rating": 1, "comment": ""}, {})


def test_a_refused_form_keeps_the_choice_and_the_comment(client, resolved):
    response = client.post(
        f"/satisfaction/t/{resolved.token}",
        data={"rating": "2", "comment": "<script>alert(1)</script>" + "z" * 2000},
        headers=HTMX,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="2" required checked' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_a_comment_of_exactly_2000_characters_is_fine(client, resolved):
    text = "é" * 2000 + "\r\n"  # the browser's line breaks do not count against it
    response = client.post(
        f"/satisfaction/t/{resolved.token}", data={"rating": "3", "comment": text}
    )
    assert response.status_code == 303
    assert survey_of(resolved.ticket.id).comment == "é" * 2000


def test_csrf_is_required_when_enabled(app, client, resolved):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/satisfaction/t/{resolved.token}", data={"rating": "5"})
    assert response.status_code == 400
    assert survey_of(resolved.ticket.id).answered_at is None


def at_time():
    from satisfaction_support import T0

    return T0


def _system():
    from servicedesk.policy import SYSTEM

    return SYSTEM
