"""The catalogue: reference data kept in memory, never out of date."""

from __future__ import annotations

from datetime import date

import pytest
from flask import g
from sqlalchemy import select, update

from servicedesk import catalogue, clock, create_app
from servicedesk.extensions import db
from servicedesk.models import CacheVersion, Department, Route, User
from servicedesk.testing import counting_queries
from servicedesk.workflow import graph


def _version() -> int:
    return db.session.scalar(select(CacheVersion.version).where(CacheVersion.name == "catalogue"))


def _fresh_read():
    # What the next request of this process would read.
    g.pop("_sd_catalogue", None)
    return catalogue.current()


def _department(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


@pytest.fixture
def other_process(app, database_url, tmp_path):
    """A second app on the same database, as another worker process would be."""
    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "other"),
            "SECRET_KEY": "x",
            "TESTING": True,
        },
        load_entrypoints=False,
    )
    yield other
    with other.app_context():
        db.engine.dispose()


def test_a_change_is_seen_by_every_process_on_its_next_request(app, other_process):
    with other_process.app_context():
        assert catalogue.current().by_code["sales"].name_en == "Sales"
    sales = _department("sales")
    sales.name_en = "Sales & Orders"
    db.session.commit()
    with other_process.app_context():
        assert catalogue.current().by_code["sales"].name_en == "Sales & Orders"


def test_a_change_is_seen_by_its_own_transaction_and_nobody_else_until_the_commit(
    app, other_process
):
    _department("claims").active = False
    assert "claims" not in {d.code for d in graph.active_departments()}
    with other_process.app_context():
        assert "claims" in {d.code for d in graph.active_departments()}
    db.session.rollback()
    assert "claims" in {d.code for d in graph.active_departments()}


def test_routes_written_in_bulk_count_too(app):
    intake = _department("intake")
    assert "sales" in {d.code for d in graph.allowed_targets(intake)}
    db.session.execute(
        update(Route)
        .where(Route.from_department_id == intake.id)
        .values(to_department_id=_department("claims").id)
    )
    db.session.commit()
    assert "sales" not in {d.code for d in graph.allowed_targets(intake)}


def test_what_the_catalogue_does_not_hold_leaves_it_alone(app, make_user):
    agent = make_user()
    before = _version()
    agent.last_seen_at = clock.now()
    agent.locale = "zh_Hans_CN"
    _department("sales").last_assigned_user_id = agent.id
    db.session.commit()
    db.session.execute(update(User).values(last_login_at=clock.now()))
    db.session.commit()
    assert _version() == before


def test_staff_changes_move_the_version_and_show(app, make_user):
    agent = make_user(name="Wang Fang", departments=("intake",))
    assert (agent.id, "Wang Fang") in _fresh_read().colleagues([_department("intake").id])
    before = _version()
    agent.departments = [_department("sales")]
    db.session.commit()
    assert _version() > before
    known = _fresh_read()
    assert (agent.id, "Wang Fang") not in known.colleagues([_department("intake").id])
    assert (agent.id, "Wang Fang") in known.colleagues([_department("sales").id])


def test_works_in_answers_from_the_catalogue(app, make_user):
    from servicedesk.services import users

    trainer = make_user(departments=("training",))
    assert users.works_in(trainer, "training")
    assert not users.works_in(trainer, "intake")
    assert not users.works_in(trainer, "no_such_department")
    trainer.departments = [_department("intake")]
    db.session.commit()
    g.pop("_sd_catalogue", None)
    assert users.works_in(trainer, "intake") and not users.works_in(trainer, "training")


def test_a_request_reads_one_number_when_nothing_changed(app):
    catalogue.current()
    g.pop("_sd_catalogue", None)
    with counting_queries() as statements:
        catalogue.current()
        catalogue.current()
    assert len(statements) == 1 and "cache_versions" in statements[0]


def test_service_levels_follow_their_policies_and_calendars(app, other_process):
    from servicedesk.models import SlaCalendarDay, SlaPolicy
    from servicedesk.sla.policies import seed_sla

    seed_sla()
    normal = db.session.scalar(select(SlaPolicy).where(SlaPolicy.name == "Normal"))
    with other_process.app_context():
        before = catalogue.current()
        assert before.policy(normal.id).first_response_minutes == 8 * 60
        holidays = before.calendar(normal.calendar_id).holidays
    normal.first_response_minutes = 30
    normal.calendar.days.append(SlaCalendarDay(day=date(2026, 12, 25), working=False))
    db.session.commit()
    with other_process.app_context():
        after = catalogue.current()
        assert after.policy(normal.id).first_response_minutes == 30
        assert after.calendar(normal.calendar_id).holidays == holidays | {date(2026, 12, 25)}
