"""End to end, as the customer and the centre would see it: a ticket is resolved,
an hour later one survey mail goes out with a working link, the customer
answers, and a low rating puts the ticket back in front of follow-up."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from satisfaction_support import T0, at, fresh, link_in, send, survey_mails, survey_of
from sqlalchemy import select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.jobs import queue_of, run_job
from servicedesk.models import Department, Message, MessageKind, Status, TicketEvent
from servicedesk.services import tickets
from servicedesk.services.tokens import hash_token
from servicedesk_plugins.satisfaction import jobs, services
from servicedesk_plugins.satisfaction.models import Channel, SatisfactionSurvey


def test_one_survey_mail_after_the_delay_and_never_again(app, resolved, agent):
    survey = survey_of(resolved.ticket.id)
    assert survey.send_after == T0 + timedelta(minutes=60)
    assert survey.department_id == fresh(resolved.ticket.id).department_id
    assert survey.agent_id == agent.id

    assert send(59) == 0
    assert survey_mails() == []

    assert send(61) == 1
    [mail] = survey_mails()
    assert mail.recipient == fresh(resolved.ticket.id).contact.email
    assert mail.ticket_id == resolved.ticket.id
    assert resolved.reference in mail.subject
    path = link_in(mail)
    assert path in mail.body_html
    token = path.rsplit("/", 1)[1]
    survey = survey_of(resolved.ticket.id)
    # Only the hash is kept: the link's token is nowhere in the table.
    assert survey.token_hash == hash_token(token)
    assert token not in repr(db.session.execute(select(SatisfactionSurvey.__table__)).all())

    # Again and again, by hand and through the worker's queue: nothing more.
    assert send(62) == 0
    assert send(60 * 24) == 0
    job = queue_of(app).jobs[jobs.JOB_NAME]
    with at(60 * 25):
        assert run_job(app, job) is True
    assert len(survey_mails()) == 1


def test_the_link_works_and_a_low_rating_reopens_in_follow_up(
    app, client, auth, make_user, resolved
):
    send(61)
    path = link_in(survey_mails()[0])

    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert resolved.reference in html
    assert 'type="radio" name="rating"' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"

    comment = "Still leaking.\nThe <b>seal</b> was never replaced."
    with at(120):
        answer = client.post(path, data={"rating": "2", "comment": comment})
    assert answer.status_code == 303
    assert client.get(path).get_data(as_text=True).count("Thank you for your rating.") == 1

    survey = survey_of(resolved.ticket.id)
    assert (survey.rating, survey.comment, survey.answered_via) == (2, comment, "email")
    assert survey.answered_at == T0 + timedelta(minutes=120)
    assert survey.followed_up_at is not None
    ticket = fresh(resolved.ticket.id)
    assert ticket.status == Status.OPEN
    assert ticket.department.code == "follow_up"
    note = db.session.scalars(
        select(Message).where(Message.ticket_id == ticket.id, Message.kind == MessageKind.NOTE)
    ).one()
    assert "2 of 5" in note.body and comment in note.body
    trail = db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).all()
    # (Routing also unassigns: the new department decides who takes it.)
    kinds = [(e.kind, e.new_value, e.actor_label) for e in trail if e.kind != "assigned"][-3:]
    assert kinds == [
        ("status", "open", "system"),
        ("routed", "follow_up", "system"),
        ("noted", None, "system"),
    ]

    # The follow-up agent opens the ticket: the comment is there, as text.
    auth.login(make_user(role="agent", departments=("follow_up",)))
    desk = client.get(f"/desk/tickets/{resolved.reference}").get_data(as_text=True)
    assert "Still leaking." in desk
    assert "The &lt;b&gt;seal&lt;/b&gt; was never replaced." in desk
    assert "<b>seal</b>" not in desk
    assert 'data-panel="satisfaction.survey"' in desk
    assert "2 / 5" in desk

    # A second answer is refused politely, and changes nothing.
    again = client.post(path, data={"rating": "5"})
    assert again.status_code == 409
    assert "already answered" in again.get_data(as_text=True)
    assert survey_of(resolved.ticket.id).rating == 2
    assert len(db.session.scalars(select(Message).where(Message.kind == MessageKind.NOTE)).all())


def test_a_good_rating_leaves_the_ticket_resolved(client, resolved):
    send(61)
    path = link_in(survey_mails()[0])
    assert client.post(path, data={"rating": "5"}).status_code == 303
    ticket = fresh(resolved.ticket.id)
    assert ticket.status == Status.RESOLVED
    assert ticket.department.code == "intake"
    assert survey_of(ticket.id).comment is None
    assert not db.session.scalars(select(Message).where(Message.kind == MessageKind.NOTE)).all()


def test_the_threshold_is_a_setting(app, client, resolved):
    app.config["SATISFACTION_LOW_RATING"] = 3
    send(61)
    client.post(link_in(survey_mails()[0]), data={"rating": "3"})
    assert fresh(resolved.ticket.id).department.code == "follow_up"


def test_the_delay_is_a_setting(app, make_ticket):
    app.config["SATISFACTION_DELAY_MINUTES"] = 5
    with clock.at(T0):
        new = make_ticket()
        tickets.resolve(new.ticket.id, _system(), version=None)
    assert send(4) == 0
    assert send(5) == 1


def test_a_ticket_reopened_before_the_mail_gets_none(resolved, agent):
    with at(10):
        tickets.add_customer_message(resolved.ticket.id, _customer(resolved), "Not fixed!")
    survey = survey_of(resolved.ticket.id)
    assert (survey.cancel_reason, survey.sent_at) == ("reopened", None)
    assert send(61) == 0
    assert survey_mails() == []


def test_resolved_again_after_a_reopen_asks_about_the_final_outcome(resolved, agent):
    with at(10):
        tickets.reopen(resolved.ticket.id, agent, version=None)
    with at(30):
        tickets.resolve(resolved.ticket.id, agent, version=None)
    assert send(61) == 0  # the delay counts from the last resolution
    assert send(91) == 1
    assert db.session.scalar(select(db.func.count(SatisfactionSurvey.id))) == 1


def test_a_ticket_resolved_again_later_gets_no_second_survey(client, resolved, agent):
    send(61)
    with at(120):
        tickets.reopen(resolved.ticket.id, agent, version=None)
    with at(180):
        tickets.resolve(resolved.ticket.id, agent, version=None)
    assert send(60 * 5) == 0
    assert len(survey_mails()) == 1
    assert db.session.scalar(select(db.func.count(SatisfactionSurvey.id))) == 1
    # The first link still takes the (one) answer.
    assert client.post(link_in(survey_mails()[0]), data={"rating": "4"}).status_code == 303


def test_no_mail_without_a_contact(resolved):
    contact = fresh(resolved.ticket.id).contact
    db.session.delete(contact)
    db.session.commit()
    assert send(61) == 0
    assert survey_mails() == []
    assert survey_of(resolved.ticket.id).cancel_reason == "no_contact"


def test_closing_after_resolution_still_sends(resolved, agent):
    with at(5):
        tickets.close(resolved.ticket.id, agent, version=None)
    assert send(61) == 1


def test_the_mail_is_in_the_contacts_language(make_ticket):
    with clock.at(T0):
        new = make_ticket(locale="zh_Hans_CN", subject="<i>水泵</i> 漏水")
        tickets.resolve(new.ticket.id, _system(), version=None)
    send(61)
    [mail] = survey_mails()
    assert mail.locale == "zh_Hans_CN"
    assert "&lt;i&gt;水泵&lt;/i&gt;" in mail.body_html
    assert "<i>水泵</i>" in mail.body_text  # plain text is not HTML


def test_workers_racing_send_one_mail(app, make_ticket):
    with clock.at(T0):
        created = [make_ticket() for _ in range(3)]
        ids = sorted(new.ticket.id for new in created)
        for ticket_id in ids:
            tickets.resolve(ticket_id, _system(), version=None)
    db.session.remove()
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            with app.app_context(), at(61):
                barrier.wait()
                counts.append(jobs.send_due())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 3
    mails = survey_mails()
    assert sorted(m.ticket_id for m in mails) == ids


def test_a_claimed_survey_is_not_claimed_again(resolved):
    survey_id = survey_of(resolved.ticket.id).id
    with at(61):
        assert jobs.send_one(survey_id, T0 + timedelta(minutes=61)) is True
        assert jobs.send_one(survey_id, T0 + timedelta(minutes=61)) is False
    assert len(survey_mails()) == 1


@pytest.mark.parametrize(
    "token",
    ["nope", "x" * 43, "A" * 200, "%00", "a.b-c_d" * 6],
)
def test_an_unknown_link_gets_a_friendly_404(client, token):
    response = client.get(f"/satisfaction/s/{token}")
    assert response.status_code == 404
    assert "We could not find this survey" in response.get_data(as_text=True)
    assert client.post(f"/satisfaction/s/{token}", data={"rating": "3"}).status_code == 404


def _system():
    from servicedesk.policy import SYSTEM

    return SYSTEM


def _customer(new):
    _ticket, actor = tickets.open_with_token(new.token)
    return actor


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SATISFACTION_DELAY_MINUTES", "soon"),
        ("SATISFACTION_DELAY_MINUTES", -5),
        ("SATISFACTION_LOW_RATING", 6),
        ("SATISFACTION_LOW_RATING", True),
    ],
)
def test_a_bad_setting_is_refused_at_start_up(tmp_path, name, value):
    from servicedesk import create_app
    from servicedesk_plugins import satisfaction

    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", name: value}
    with pytest.raises(ValueError, match=name):
        create_app(config, plugins=[satisfaction], load_entrypoints=False)


def test_settings_from_text_become_numbers(tmp_path):
    from servicedesk import create_app
    from servicedesk_plugins import satisfaction

    config = {
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SATISFACTION_DELAY_MINUTES": "15",
    }
    app = create_app(config, plugins=[satisfaction], load_entrypoints=False)
    assert app.config["SATISFACTION_DELAY_MINUTES"] == 15
    assert app.config["SATISFACTION_LOW_RATING"] == 2


def test_two_answers_at_once_count_once(resolved):
    survey_id = survey_of(resolved.ticket.id).id
    assert services.answer(survey_id, rating=5, comment=None, via=Channel.EMAIL) is False
    with pytest.raises(services.AlreadyAnswered):
        services.answer(survey_id, rating=1, comment="changed my mind", via=Channel.TRACKING)
    survey = survey_of(resolved.ticket.id)
    assert (survey.rating, survey.comment, survey.answered_via) == (5, None, "email")
    assert fresh(resolved.ticket.id).status == Status.RESOLVED


def test_a_follow_up_that_cannot_route_still_reopens_notes_and_says_so(
    client, auth, agent, resolved
):
    follow_up = db.session.scalars(select(Department).where(Department.code == "follow_up")).one()
    follow_up.active = False
    db.session.commit()
    survey_id = survey_of(resolved.ticket.id).id
    assert services.answer(survey_id, rating=1, comment="Awful", via=Channel.EMAIL) is True

    ticket = fresh(resolved.ticket.id)
    assert (ticket.status, ticket.department.code) == (Status.OPEN, "intake")
    assert "Awful" in db.session.scalars(select(Message).where(Message.kind == "note")).one().body
    assert survey_of(ticket.id).followed_up_at is None
    auth.login(agent)
    page = client.get(f"/desk/tickets/{resolved.reference}").get_data(as_text=True)
    assert "The automatic follow-up did not complete" in page
