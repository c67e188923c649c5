"""Each app's job queue, its scheduled jobs, and leases that run a job once per period."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from huey import RedisHuey, SqliteHuey

from servicedesk import clock, create_app, hookimpl, jobs
from servicedesk.extensions import db
from servicedesk.jobs import ScheduledJob, leases, queue_of, run_job
from servicedesk.jobs.builtin import DELIVER, FETCH, STATISTICS
from servicedesk.jobs.worker import OutboxWatcher
from servicedesk.models import OutboxMessage

RECOMPUTE = "customers.recompute"

START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


class Reports:
    """A plugin with a job, as a department would add one."""

    def __init__(self) -> None:
        self.runs: list[datetime] = []

    @hookimpl
    def scheduled_jobs(self, app):
        return [ScheduledJob("reports.weekly", self.run, every=timedelta(days=7))]

    def run(self, app) -> None:
        self.runs.append(clock.now())


@pytest.fixture
def reports() -> Reports:
    return Reports()


@pytest.fixture
def app_plugins(reports):
    return [reports]


@pytest.fixture
def queue(app):
    jobs.init_app(app)
    return queue_of(app)


def _outbox_row(address: str = "buyer@plant.example.com") -> OutboxMessage:
    row = OutboxMessage(
        kind="test", recipient=address, subject="Hello", body_text="Hello", locale="en"
    )
    db.session.add(row)
    return row


# --------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def test_the_queue_holds_the_cores_jobs_and_the_plugins(app, queue):
    expected = {DELIVER, RECOMPUTE, "reports.weekly"} | ({STATISTICS} if _sqlite() else set())
    assert set(queue.jobs) == expected
    assert queue.jobs[DELIVER].concurrent
    # Every job is enqueued every minute; its lease decides whether it runs.
    periodic = {task.name for task in queue.huey.read_periodic(START)}
    assert periodic == {f"every-minute:{name}" for name in expected}


def test_sqlites_statistics_are_refreshed_once_a_day(app, queue, make_ticket):
    if not _sqlite():
        pytest.skip("PostgreSQL's autovacuum keeps its statistics")
    job = queue.jobs[STATISTICS]
    assert job.every == timedelta(days=1)
    make_ticket()
    with clock.at(START):
        assert run_job(app, job)
    analysed = set(db.session.scalars(db.text("SELECT idx FROM sqlite_stat1")))
    assert "ix_tickets_department_updated_at" in analysed


def test_mail_is_fetched_only_when_a_mailbox_is_configured(app, tmp_path):
    app.config["IMAP_HOST"] = "imap.desk.test"
    jobs.init_app(app)
    assert FETCH in queue_of(app).jobs


def test_init_app_twice_changes_nothing(app, queue):
    jobs.init_app(app)
    assert queue_of(app) is queue
    manager = app.extensions["servicedesk"].plugin_manager
    # The core jobs, the tier jobs and the test's plugin: registered once each.
    assert len(manager.hook.scheduled_jobs.get_hookimpls()) == 3


def test_each_app_has_its_own_queue_in_its_instance_folder(app, queue, tmp_path):
    other = create_app(
        {"INSTANCE_PATH": str(tmp_path / "other"), "SECRET_KEY": "x"}, load_entrypoints=False
    )
    jobs.init_app(other)

    assert isinstance(queue.huey, SqliteHuey)
    assert queue.huey.storage.filename == app.instance_path + "/jobs.db"
    assert queue_of(other).huey is not queue.huey
    assert queue_of(other).huey.storage.filename == str(tmp_path / "other" / "jobs.db")


def test_with_redis_the_queue_is_shared_through_it(app, tmp_path):
    app.config.update(REDIS_URL="redis://127.0.0.1:6379/15", JOBS_QUEUE="centre-a")
    jobs.init_app(app)
    huey = queue_of(app).huey
    assert isinstance(huey, RedisHuey)
    assert huey.name == "centre-a"


def test_two_jobs_with_one_name_are_refused(app, reports):
    app.extensions["servicedesk"].plugin_manager.register(Reports(), name="copy")
    jobs.init_app(app)
    with pytest.raises(ValueError, match=r"reports\.weekly"):
        queue_of(app).huey  # noqa: B018


# --------------------------------------------------------------------------
# Delivery between the minutes: the worker's watch on the outbox
# --------------------------------------------------------------------------


@pytest.fixture
def watcher(app, queue):
    return OutboxWatcher(app, queue.jobs[DELIVER], interval=0.1)


def test_the_watch_delivers_mail_as_soon_as_it_is_due(app, smtp, watcher):
    smtp.start()
    _outbox_row()
    db.session.commit()

    assert watcher.poll() is True
    [mail] = smtp.inbox.messages
    assert mail["To"] == "buyer@plant.example.com"
    assert watcher.poll() is False  # nothing due any more


def test_the_watch_sends_nothing_before_the_commit_or_after_a_rollback(app, smtp, watcher):
    smtp.start()
    _outbox_row()
    db.session.flush()
    db.session.rollback()
    assert watcher.poll() is False
    assert smtp.inbox.messages == []


def test_without_an_smtp_host_the_watch_leaves_mail_to_the_minutes_job(app, smtp, watcher):
    smtp.start()
    app.config["SMTP_HOST"] = ""
    _outbox_row()
    db.session.commit()
    assert watcher.poll() is False
    assert db.session.scalar(db.select(OutboxMessage.status)) == "pending"


def test_the_watch_runs_in_its_own_thread_until_stopped(app, smtp, watcher):
    smtp.start()
    watcher.start()
    try:
        _outbox_row()
        db.session.commit()
        deadline = time.monotonic() + 10
        while not smtp.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(smtp.inbox.messages) == 1
    finally:
        watcher.stopping.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_web_processes_never_import_the_job_queue(tmp_path):
    # huey brings Redis' and psycopg's clients with it: ten megabytes a process.
    code = (
        "import sys, json; from servicedesk import create_app;"
        f"app = create_app({{'INSTANCE_PATH': {str(tmp_path)!r}, 'SECRET_KEY': 'x'}});"
        "app.test_client().get('/');"
        "print(json.dumps(sorted(m for m in ('huey', 'alembic', 'flask_migrate', 'redis', "
        "'psycopg', 'nh3') if m in sys.modules)))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(output.splitlines()[-1]) == []


def test_the_tick_runs_the_job(app, queue, reports):
    queue.request("reports.weekly")
    [task] = queue.huey.pending()
    with clock.at(START):
        queue.huey.execute(queue.huey.dequeue())
    assert task.name == "tick"
    assert reports.runs == [START]


# --------------------------------------------------------------------------
# Once per period
# --------------------------------------------------------------------------


def test_a_job_runs_once_per_period_however_often_it_is_asked(app):
    runs = []
    job = ScheduledJob(
        "test.hourly", lambda app: runs.append(clock.now()), every=timedelta(hours=1)
    )

    with clock.at(START + timedelta(minutes=1)):
        assert run_job(app, job)
        assert not run_job(app, job)
    with clock.at(START + timedelta(minutes=59)):
        assert not run_job(app, job)
    with clock.at(START + timedelta(minutes=61)):
        assert run_job(app, job)

    assert runs == [START + timedelta(minutes=1), START + timedelta(minutes=61)]


def test_a_concurrent_job_runs_every_time(app):
    runs = []
    job = ScheduledJob("test.claims", lambda app: runs.append(1), concurrent=True)
    with clock.at(START):
        assert run_job(app, job) and run_job(app, job)
    assert len(runs) == 2


def test_a_run_that_overruns_keeps_the_next_period_waiting_until_its_lease_runs_out(app):
    every, timeout = timedelta(minutes=1), timedelta(minutes=10)
    with clock.at(START):
        first = leases.acquire("test.slow", every=every, timeout=timeout)
    with clock.at(START + timedelta(minutes=2)):
        assert first is not None
        assert leases.acquire("test.slow", every=every, timeout=timeout) is None
    with clock.at(START + timedelta(minutes=11)):
        # The first holder is presumed dead.
        second = leases.acquire("test.slow", every=every, timeout=timeout)
        assert second is not None
        # A late release by the first holder does not free the second's lease.
        leases.release("test.slow", first)
    with clock.at(START + timedelta(minutes=12)):
        assert leases.acquire("test.slow", every=every, timeout=timeout) is None
        leases.release("test.slow", second)
        assert leases.acquire("test.slow", every=every, timeout=timeout) is not None


def test_a_job_that_fails_gives_its_lease_back(app):
    def broken(app):
        _outbox_row()
        raise RuntimeError("boom")

    job = ScheduledJob("test.broken", broken, every=timedelta(minutes=1))
    with clock.at(START), pytest.raises(RuntimeError):
        run_job(app, job)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0
    ok = ScheduledJob("test.broken", lambda app: None, every=timedelta(minutes=1))
    with clock.at(START + timedelta(minutes=1)):
        assert run_job(app, ok)


def test_periods_are_counted_from_the_epoch():
    moment = datetime(2026, 11, 22, 8, 47, 13, tzinfo=UTC)
    assert leases.period_start(moment, timedelta(minutes=15)) == datetime(
        2026, 11, 22, 8, 45, tzinfo=UTC
    )
    assert leases.period_start(moment, timedelta(days=1)) == datetime(2026, 11, 22, tzinfo=UTC)
