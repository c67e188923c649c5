"""The job queue of one app: a huey instance, the scheduled jobs, and how one runs.

Each app has its own queue (``app.extensions``), never a module global, so
tests and several apps in one process do not share tasks. The queue is a
SQLite file in the instance folder by default, enough for the workers of one
machine; with ``REDIS_URL`` it is Redis, shared by workers on several.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper

from servicedesk.jobs import leases
from servicedesk.state import app_state

log = logging.getLogger(__name__)

EXTENSION = "servicedesk.jobs"


@dataclass(frozen=True)
class ScheduledJob:
    """A job for the worker to run on a schedule; plugins return these from ``scheduled_jobs``.

    ``run(app)`` is called in an app context and commits its own work. The job
    runs once per ``every`` (periods counted from the epoch, at most one a
    minute) however many workers there are, and never twice at once; a run
    still going after ``timeout`` is taken to have died. A ``concurrent`` job
    claims its own work (as outbox delivery claims each message), so it needs
    no lease: every worker runs it every minute and whenever it is requested.
    """

    name: str
    run: Callable[[Flask], object]
    every: timedelta = timedelta(minutes=1)
    timeout: timedelta = timedelta(minutes=10)
    concurrent: bool = False


class JobQueue:
    """The queue of one app, built on first use (web processes only ever add to it)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._built: tuple[Huey, dict[str, ScheduledJob], TaskWrapper] | None = None

    @property
    def huey(self) -> Huey:
        return self._build()[0]

    @property
    def jobs(self) -> dict[str, ScheduledJob]:
        return self._build()[1]

    def request(self, name: str) -> None:
        """Run job ``name`` soon rather than at its next minute."""
        self._build()[2](name)

    def _build(self) -> tuple[Huey, dict[str, ScheduledJob], TaskWrapper]:
        with self._lock:
            if self._built is None:
                app = self._app
                huey = _huey(app)
                jobs = _scheduled_jobs(app)
                for job in jobs.values():
                    huey.periodic_task(crontab(), name=f"every-minute:{job.name}")(
                        _runner(app, job)
                    )

                def tick(name: str) -> None:
                    if name in jobs:
                        run_job(app, jobs[name])
                    else:
                        log.warning("no scheduled job is named %r", name)

                self._built = (huey, jobs, huey.task(name="tick")(tick))
        return self._built


def queue_of(app: Flask) -> JobQueue:
    """The queue of ``app`` (see ``servicedesk.jobs.init_app``)."""
    return app.extensions[EXTENSION]


def run_job(app: Flask, job: ScheduledJob) -> bool:
    """Run ``job`` in an app context unless another worker has its period; whether it ran."""
    with app.app_context():
        if job.concurrent:
            job.run(app)
            return True
        holder = leases.acquire(job.name, every=job.every, timeout=job.timeout)
        if holder is None:
            return False
        try:
            job.run(app)
        finally:
            leases.release(job.name, holder)
        return True


def _huey(app: Flask) -> Huey:
    config = app.config
    if config["REDIS_URL"]:
        return RedisHuey(config["JOBS_QUEUE"], url=config["REDIS_URL"], results=False)
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(config["JOBS_QUEUE"], filename=str(folder / "jobs.db"), results=False)


def _scheduled_jobs(app: Flask) -> dict[str, ScheduledJob]:
    jobs: dict[str, ScheduledJob] = {}
    for found in app_state(app).plugin_manager.hook.scheduled_jobs(app=app):
        for job in found or ():
            if job.name in jobs:
                raise ValueError(f"two scheduled jobs are named {job.name!r}")
            jobs[job.name] = job
    return jobs


def _runner(app: Flask, job: ScheduledJob) -> Callable[[], None]:
    # A closure, not functools.partial: huey names tasks after the function's module.
    def run() -> None:
        run_job(app, job)

    return run
