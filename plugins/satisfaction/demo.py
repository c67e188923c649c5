"""Demo records (``demo_data``): months of surveys sent and answered.

The core's demo replays its tickets without a worker, so every survey it
planned is still waiting when this runs. Here the centre's past catches up:

1. A survey the replay cancelled because the customer wrote in (a thank-you
   reopens a resolved ticket) *after* its send time would have gone out
   first with the worker running: that cancellation is undone.
2. Each due survey is sent by the job's own code, at the minute the job
   would have run (``clock.at``), so ``sent_at`` and the outbox mail are
   dated then. Every demo contact is under ``example.com`` (see
   ``servicedesk.demo.content``), and, like the core's demo mail, the
   messages stay queued: the demo runs no worker.
3. About two in three customers answer, some minutes to some days later,
   through ``services.answer``, so a low rating reopens its ticket with a
   note exactly as a real one does.

Low ratings go only to tickets that already sit in the follow-up department
and have had no activity since: the automatic follow-up then reopens and
notes without a hand-over, and the reopened ticket stays open in follow-up
with its audit trail in time order. Any other hand-over in the demo is made
by a person of the department it leaves (``tests/test_demo.py`` checks it).

``plan_answers`` decides everything from a seeded generator without touching
the database: same surveys, same answers.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select, update

from servicedesk import clock
from servicedesk.demo.content import EN, ZH
from servicedesk.extensions import db
from servicedesk.models import Contact, Department, Ticket, TicketEvent
from servicedesk_plugins.satisfaction import jobs, services
from servicedesk_plugins.satisfaction.models import CancelReason, Channel, SatisfactionSurvey

SEED = 2025
# Share of the surveys sent that get an answer (the newest ones may not have yet).
ANSWER_SHARE = 0.7
# Where the customer answers: the mailed link mostly, sometimes the tracking page.
TRACKING_SHARE = 0.2
# How long after the mail the answers come: (share, fewest hours, most hours).
DELAYS = ((0.45, 0.1, 6.0), (0.35, 6.0, 48.0), (0.20, 48.0, 168.0))
# Ratings of an ordinary answer, and of one that may be low: a case in
# follow-up, often a complaint that went round the loop, is rated harder.
RATINGS = {5: 50, 4: 35, 3: 15}
FOLLOW_UP_RATINGS = {5: 18, 4: 20, 3: 17, 2: 25, 1: 20}
# Whether the customer writes a comment, by rating.
COMMENT_SHARE = {5: 0.55, 4: 0.55, 3: 0.75, 2: 0.9, 1: 0.9}
# Chinese customers answer in their waking hours (China Standard Time).
CENTRE_TIME = timezone(timedelta(hours=8), "CST")
WAKING = (7, 23)

# What customers write, in their own language, by rating (1 and 2 share theirs).
COMMENTS: dict[str, dict[int, tuple[str, ...]]] = {
    ZH: {
        5: (
            "非常满意，工程师响应很快，问题一次就解决了。",
            "服务很专业，谢谢！",
            "处理及时，沟通顺畅，给你们点赞。",
            "比预期的快，设备已经恢复正常生产。",
            "客服态度很好，解释得很清楚。",
            "每一步都有人主动告知进度，很放心。",
        ),
        4: (
            "整体满意，就是等配件的时间稍长。",
            "问题解决了，希望以后回复能再快一点。",
            "服务不错，工程师很耐心。",
            "结果满意，流程可以再简化一些。",
            "比较满意，电话沟通很方便。",
        ),
        3: (
            "问题算是解决了，但中间来回沟通了好几次。",
            "回复速度一般，希望能提前告知处理进度。",
            "结果还可以，但等待时间太长。",
            "第一次的方案没有解决问题，第二次才好。",
        ),
        2: (
            "等了一个多星期才有人联系，严重影响生产。",
            "问题并没有真正解决，设备还是偶尔报警。",
            "多次催促都没有回复，非常失望。",
            "工程师上门时没有带齐配件，又多等了三天。",
            "处理结果不能接受，请主管尽快联系我们。",
        ),
    },
    EN: {
        5: (
            "Quick and professional, thank you.",
            "The engineer knew exactly what to do. Machine back up the same day.",
            "Excellent support, clear answers every time.",
            "Faster than we expected. Much appreciated.",
            "Very helpful team, thanks for keeping us posted.",
        ),
        4: (
            "Good service overall; the spare part took a little long.",
            "Problem solved. An update halfway through would have been nice.",
            "Friendly and competent, thanks.",
            "Happy with the result, the paperwork was a bit slow.",
        ),
        3: (
            "It got sorted in the end, but it took several emails.",
            "OK, but we had to chase for an answer.",
            "The first fix didn't hold; the second one did.",
            "Acceptable, though the wait was long.",
        ),
        2: (
            "Nobody came back to us for over a week; our line stood still.",
            "The fault is still there. This is not resolved.",
            "We chased three times before anyone answered. Very disappointing.",
            "The engineer arrived without the right parts and we lost another three days.",
            "Not acceptable. Please have a manager call us.",
        ),
    },
}


@dataclass(frozen=True)
class Sent:
    """A survey that went out, as the plan sees it."""

    survey_id: int
    sent_at: datetime
    language: str  # ZH or EN: the contact's
    # The ticket sits in the follow-up department, and when it last changed.
    in_follow_up: bool
    last_activity: datetime


@dataclass(frozen=True)
class Answer:
    survey_id: int
    at: datetime
    rating: int
    comment: str | None
    via: Channel


def load(now: datetime) -> tuple[int, int]:
    """Send the demo's due surveys and answer most of them; (sent, answered)."""
    restore_sent_before_reopen(now)
    sent = send_due(now)
    answers = plan_answers(sent_surveys(), now, services.low_rating())
    for answer in answers:
        with clock.at(answer.at):
            services.answer(
                answer.survey_id, rating=answer.rating, comment=answer.comment, via=answer.via
            )
    return sent, len(answers)


def job_tick(moment: datetime) -> datetime:
    """The first run of the minute job at or after ``moment``."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def restore_sent_before_reopen(now: datetime) -> int:
    """Undo the cancellations the worker would have beaten; how many."""
    rows = db.session.execute(
        select(
            SatisfactionSurvey.id, SatisfactionSurvey.send_after, SatisfactionSurvey.cancelled_at
        )
        .join(Ticket, Ticket.id == SatisfactionSurvey.ticket_id)
        .where(
            SatisfactionSurvey.cancel_reason == CancelReason.REOPENED,
            SatisfactionSurvey.sent_at.is_(None),
            SatisfactionSurvey.answered_at.is_(None),
            # Settled again since (closed after the thank-you): the mail stands.
            Ticket.status.in_(services.SETTLED),
        )
    ).all()
    ids = [
        survey_id
        for survey_id, send_after, cancelled_at in rows
        if job_tick(send_after) < cancelled_at and job_tick(send_after) <= now
    ]
    if ids:
        db.session.execute(
            update(SatisfactionSurvey)
            .where(SatisfactionSurvey.id.in_(ids))
            .values(cancelled_at=None, cancel_reason=None),
            execution_options={"synchronize_session": False},
        )
    db.session.commit()
    return len(ids)


def send_due(now: datetime) -> int:
    """Run the job at each minute a survey fell due, up to ``now``; how many were sent."""
    due = db.session.scalars(
        select(SatisfactionSurvey.send_after)
        .where(
            SatisfactionSurvey.sent_at.is_(None),
            SatisfactionSurvey.cancelled_at.is_(None),
            SatisfactionSurvey.answered_at.is_(None),
            SatisfactionSurvey.send_after <= now,
        )
        .order_by(SatisfactionSurvey.send_after)
    ).all()
    db.session.rollback()
    sent = 0
    for tick in sorted({min(job_tick(moment), now) for moment in due}):
        with clock.at(tick):
            sent += jobs.send_due()
    return sent


def sent_surveys() -> list[Sent]:
    """The unanswered surveys that went out, oldest first, with their ticket's state."""
    events = (
        select(TicketEvent.ticket_id, func.max(TicketEvent.created_at).label("last"))
        .group_by(TicketEvent.ticket_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            SatisfactionSurvey.id,
            SatisfactionSurvey.sent_at,
            Contact.locale,
            Department.code,
            Ticket.updated_at,
            events.c.last,
        )
        .join(Ticket, Ticket.id == SatisfactionSurvey.ticket_id)
        .join(Department, Department.id == Ticket.department_id)
        .outerjoin(Contact, Contact.id == Ticket.contact_id)
        .outerjoin(events, events.c.ticket_id == Ticket.id)
        .where(SatisfactionSurvey.sent_at.is_not(None), SatisfactionSurvey.answered_at.is_(None))
        .order_by(SatisfactionSurvey.sent_at, SatisfactionSurvey.id)
    ).all()
    follow_up = str(services.setting("SATISFACTION_FOLLOW_UP_DEPARTMENT"))
    return [
        Sent(
            survey_id=survey_id,
            sent_at=sent_at,
            language=ZH if (locale or "").startswith("zh") else EN,
            in_follow_up=code == follow_up,
            last_activity=max(m for m in (updated_at, last, sent_at) if m is not None),
        )
        for survey_id, sent_at, locale, code, updated_at, last in rows
    ]


def plan_answers(
    surveys: Iterable[Sent], now: datetime, low_rating: int, seed: int = SEED
) -> list[Answer]:
    """Who answers, when, what and where: the same for the same surveys."""
    rng = random.Random(seed)  # noqa: S311 (reproducible sample data, not secrets)
    answers = []
    for survey in surveys:
        # Every survey draws the same numbers, answered or not, so one more
        # survey leaves the others' answers as they were.
        answers_it = rng.random() < ANSWER_SHARE
        at = _waking(survey.sent_at + timedelta(hours=_delay(rng)), survey.language)
        draw = rng.random()
        with_comment = rng.random()
        pick = rng.random()
        via = Channel.TRACKING if rng.random() < TRACKING_SHARE else Channel.EMAIL
        if not answers_it or at > now:
            continue
        # A low rating reopens the ticket: only where that keeps the demo's
        # history straight (see the module's docstring).
        may_be_low = survey.in_follow_up and at > survey.last_activity
        rating = _weighted(FOLLOW_UP_RATINGS if may_be_low else RATINGS, draw)
        if rating <= low_rating and not may_be_low:
            rating = low_rating + 1
        comment = None
        if with_comment < COMMENT_SHARE[rating]:
            texts = COMMENTS[survey.language][max(rating, 2)]
            comment = texts[int(pick * len(texts))]
        answers.append(Answer(survey.survey_id, at, rating, comment, via))
    return answers


def _delay(rng: random.Random) -> float:
    draw, hours = rng.random(), rng.random()
    band = DELAYS[-1]
    for candidate in DELAYS:
        if draw < candidate[0]:
            band = candidate
            break
        draw -= candidate[0]
    _share, fewest, most = band
    return fewest + hours * (most - fewest)


def _weighted(weights: dict[int, int], draw: float) -> int:
    point = draw * sum(weights.values())
    for rating, weight in weights.items():
        if point < weight:
            return rating
        point -= weight
    return min(weights)  # pragma: no cover (a draw of 1.0 or rounding)


def _waking(moment: datetime, language: str) -> datetime:
    """A Chinese customer's night-time answer comes the next morning instead."""
    if language != ZH:
        return moment
    local = moment.astimezone(CENTRE_TIME)
    first, last = WAKING
    if first <= local.hour < last:
        return moment
    morning = local.replace(hour=first, minute=0, second=0, microsecond=0)
    if local.hour >= last:
        morning += timedelta(days=1)
    # Spread over the first hours of the morning, not all at 07:00.
    return (morning + timedelta(minutes=local.minute * 2 + local.hour)).astimezone(UTC)
