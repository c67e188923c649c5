"""The director's report: ratings per department, agent and customer tier.

One grouped query per table (never one per row), over the answers given in
the chosen period; department, agent and tier are those at resolution.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Department, User
from servicedesk_plugins.satisfaction.models import SatisfactionSurvey as Survey
from servicedesk_plugins.satisfaction.models import Tier
from servicedesk_plugins.satisfaction.services import low_rating

TIER_LABELS: dict[str | None, Any] = {
    Tier.KEY: _l("Key accounts"),
    Tier.A: _l("A customers"),
    Tier.B: _l("B customers"),
    Tier.C: _l("C customers"),
    None: _l("Unknown tier"),
}


@dataclass(frozen=True)
class Line:
    """One row of a table: how many answers, their average, how many were low."""

    label: Any
    count: int
    average: float | None
    low: int

    @property
    def low_share(self) -> float | None:
        return self.low / self.count if self.count else None


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    low_rating: int
    sent: int
    total: Line
    departments: list[Line]
    agents: list[Line]
    tiers: list[Line]


def window(start: date, end: date) -> tuple[datetime, datetime]:
    """The first and last day, inclusive, in the centre's time zone, as UTC instants."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    begin = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return begin, finish


def today() -> date:
    return clock.now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def build(start: date, end: date, locale: str) -> Report:
    begin, finish = window(start, end)
    answered = (
        Survey.answered_at >= begin,
        Survey.answered_at < finish,
        Survey.rating.is_not(None),
    )
    low = low_rating()
    figures = (
        func.count(Survey.id),
        func.avg(Survey.rating),
        func.coalesce(func.sum(case((Survey.rating <= low, 1), else_=0)), 0),
    )

    total = db.session.execute(select(*figures).where(*answered)).one()
    sent = db.session.scalar(
        select(func.count(Survey.id)).where(Survey.sent_at >= begin, Survey.sent_at < finish)
    )
    departments = db.session.execute(
        select(Department.name_en, Department.name_zh, *figures)
        .select_from(Survey)
        .outerjoin(Department, Department.id == Survey.department_id)
        .where(*answered)
        .group_by(Survey.department_id, Department.name_en, Department.name_zh, Department.position)
        .order_by(Department.position.is_(None), Department.position, Department.name_en)
    ).all()
    agents = db.session.execute(
        select(User.name, *figures)
        .select_from(Survey)
        .outerjoin(User, User.id == Survey.agent_id)
        .where(*answered)
        .group_by(Survey.agent_id, User.name)
        .order_by(User.name.is_(None), User.name)
    ).all()
    tiers = {
        tier: row
        for tier, *row in db.session.execute(
            select(Survey.customer_tier, *figures).where(*answered).group_by(Survey.customer_tier)
        )
    }

    zh = locale.startswith("zh")
    return Report(
        start=start,
        end=end,
        low_rating=low,
        sent=sent or 0,
        total=_line(_l("All answers"), total),
        departments=[
            _line(
                (name_zh if zh else name_en) if name_en else _l("Department removed"),
                (count, average, lows),
            )
            for name_en, name_zh, count, average, lows in departments
        ],
        agents=[
            _line(name or _l("Nobody"), (count, average, lows))
            for name, count, average, lows in agents
        ],
        # Every tier, answered or not, so the tiers can be compared at a glance.
        tiers=[_line(label, tiers.get(tier, (0, None, 0))) for tier, label in TIER_LABELS.items()],
    )


def average_since(since: datetime) -> tuple[float | None, int]:
    """The average rating of the answers given since ``since``, and how many there were."""
    count, average = db.session.execute(
        select(func.count(Survey.id), func.avg(Survey.rating)).where(
            Survey.answered_at >= since, Survey.rating.is_not(None)
        )
    ).one()
    return (float(average) if average is not None else None), int(count)


def _line(label: Any, row: Iterable[Any]) -> Line:
    count, average, lows = row
    return Line(
        label=label,
        count=int(count or 0),
        # PostgreSQL's AVG is a Decimal, SQLite's a float.
        average=float(average) if average is not None else None,
        low=int(lows or 0),
    )
