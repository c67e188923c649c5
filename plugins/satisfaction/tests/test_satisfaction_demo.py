"""``demo_data``: the demo's surveys are sent as the job would have sent them,
most are answered through the answer service, and the report shows it all."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from satisfaction_support import T0, fresh, survey_mails, survey_of
from test_satisfaction_desk import rows

import servicedesk_plugins.satisfaction as satisfaction
from servicedesk import clock
from servicedesk.models import MessageKind, Role, Status
from servicedesk.policy import CustomerActor
from servicedesk.services import tickets
from servicedesk_plugins.satisfaction import demo
from servicedesk_plugins.satisfaction.demo import EN, ZH, Sent, job_tick, plan_answers
from servicedesk_plugins.satisfaction.models import CancelReason, Channel

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def desk(make_user, make_ticket):
    """Tickets of the past weeks, as the core's demo leaves them: surveys planned, none sent.

    ``old``: resolved in intake and in follow-up (one customer writes Chinese);
    ``thanked``: the customer's thank-you reopened it after the survey's send
    time (cancelling the survey, as the replay does), then it was closed;
    ``recent``: resolved ten minutes ago, its survey not due yet.
    """
    intake = make_user(role=Role.AGENT, departments=("intake",), name="Ada")
    follow = make_user(role=Role.AGENT, departments=("follow_up",), name="Fei")

    def resolved(days: float, agent, **fields):
        moment = T0 - timedelta(days=days)
        with clock.at(moment - timedelta(hours=3)):
            new = make_ticket(**fields)
            tickets.assign(new.ticket.id, agent, agent.id, version=None)
        with clock.at(moment):
            tickets.resolve(new.ticket.id, agent, version=None)
        return new.ticket.id

    old = [
        resolved(30, intake),
        resolved(25, intake, locale="zh_Hans_CN", name="王明"),
        resolved(20, follow, department="follow_up"),
        resolved(15, intake),
    ]
    thanked = resolved(12, intake)
    with clock.at(T0 - timedelta(days=12) + timedelta(hours=5)):
        tickets.add_customer_message(thanked, CustomerActor(ticket_id=thanked), "Thanks a lot!")
    with clock.at(T0 - timedelta(days=12) + timedelta(hours=6)):
        tickets.close(thanked, intake, version=None)
    assert survey_of(thanked).cancel_reason == CancelReason.REOPENED
    recent = resolved(10 / (24 * 60), intake)
    return {"old": old, "thanked": thanked, "recent": recent, "follow_up": old[2]}


def test_the_demo_sends_answers_and_the_report_counts(client, auth, make_user, desk, monkeypatch):
    monkeypatch.setattr(demo, "ANSWER_SHARE", 1.0)  # everyone answers: exact counts

    satisfaction.demo_data(now=T0)

    sent = [*desk["old"], desk["thanked"]]
    for ticket_id in sent:
        survey = survey_of(ticket_id)
        # Mailed when the minute job would have run, and answered some time after.
        assert survey.sent_at == job_tick(survey.send_after)
        assert survey.cancelled_at is None and survey.cancel_reason is None
        assert survey.sent_at < survey.answered_at <= T0
        assert survey.answered_via in (Channel.EMAIL, Channel.TRACKING)
    assert survey_of(desk["recent"]).state == "scheduled"
    assert sorted(m.ticket_id for m in survey_mails()) == sorted(sent)
    assert all(m.created_at == survey_of(m.ticket_id).sent_at for m in survey_mails())

    ratings = [survey_of(ticket_id).rating for ticket_id in sent]
    # Only the follow-up case may be rated low; the others stay resolved or closed.
    for ticket_id in sent:
        if ticket_id != desk["follow_up"]:
            assert survey_of(ticket_id).rating >= 3
            assert fresh(ticket_id).status in (Status.RESOLVED, Status.CLOSED)

    auth.login(make_user(role=Role.SUPERVISOR, departments=("intake",)))
    with clock.at(T0):
        page = client.get("/satisfaction/report").get_data(as_text=True)
    average = sum(ratings) / len(ratings)
    assert re.search(rf'id="total-count">{len(sent)}<', page)
    assert re.search(rf'id="total-average">{average:.2f}<', page)
    assert re.search(rf'id="total-sent">{len(sent)}<', page)
    agents = rows(page, "by-agent")
    assert agents["Ada"][0] == "4" and agents["Fei"][0] == "1"
    with clock.at(T0):
        panel = client.get(f"/desk/tickets/{fresh(sent[0]).reference}").get_data(as_text=True)
    assert 'data-state="answered"' in panel
    assert f"{ratings[0]} / 5" in panel


def test_a_low_demo_rating_reopens_the_case_in_follow_up(desk, monkeypatch):
    monkeypatch.setattr(demo, "ANSWER_SHARE", 1.0)
    monkeypatch.setattr(demo, "FOLLOW_UP_RATINGS", {1: 1})
    monkeypatch.setattr(demo, "COMMENT_SHARE", dict.fromkeys(range(1, 6), 1.0))

    satisfaction.demo_data(now=T0)

    survey = survey_of(desk["follow_up"])
    assert survey.rating == 1 and survey.comment in demo.COMMENTS[EN][2]
    assert survey.followed_up_at == survey.answered_at
    ticket = fresh(desk["follow_up"])
    assert ticket.status == Status.OPEN
    assert ticket.department.code == "follow_up"
    notes = [m.body for m in ticket.messages if m.kind == MessageKind.NOTE]
    assert "rated the service 1 of 5" in notes[-1] and survey.comment in notes[-1]
    # Nobody else's ticket was touched.
    for ticket_id in desk["old"]:
        if ticket_id != desk["follow_up"]:
            assert fresh(ticket_id).status == Status.RESOLVED


def _surveys(count: int) -> list[Sent]:
    return [
        Sent(
            survey_id=number,
            sent_at=T0 - timedelta(days=60) + timedelta(hours=7 * number),
            language=ZH if number % 3 else EN,
            in_follow_up=number % 5 == 0,
            last_activity=T0 - timedelta(days=60) + timedelta(hours=7 * number - 1),
        )
        for number in range(1, count + 1)
    ]


def test_the_plan_is_reproducible_and_realistic():
    surveys = _surveys(200)
    answers = plan_answers(surveys, T0, low_rating=2)

    assert answers == plan_answers(surveys, T0, low_rating=2)
    assert answers != plan_answers(surveys, T0, low_rating=2, seed=demo.SEED + 1)
    assert 0.6 <= len(answers) / len(surveys) <= 0.75
    by_id = {survey.survey_id: survey for survey in surveys}
    ratings = [answer.rating for answer in answers]
    assert sum(rating >= 4 for rating in ratings) / len(ratings) > 0.7
    assert 3 in ratings and any(rating <= 2 for rating in ratings)
    assert any(answer.comment is None for answer in answers)
    for answer in answers:
        survey = by_id[answer.survey_id]
        assert survey.sent_at < answer.at <= T0
        if answer.rating <= 2:
            assert survey.in_follow_up and answer.at > survey.last_activity
        if answer.comment is not None:
            assert bool(CHINESE.search(answer.comment)) == (survey.language == ZH)
    # A higher threshold: still only a follow-up case is rated at or below it.
    for answer in plan_answers(surveys, T0, low_rating=3):
        survey = by_id[answer.survey_id]
        if answer.rating <= 3:
            assert survey.in_follow_up and answer.at > survey.last_activity
