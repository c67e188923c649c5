"""The job queue of one app: a huey instance and the scheduled jobs on it.

Only the worker (and the commands that inspect the queue) build it: web
processes never import huey. Each app has its own queue (``app.extensions``),
never a module global, so tests and several apps in one process do not share
tasks. The queue is a SQLite file in the instance folder by default, enough
for the workers of one machine; with ``REDIS_URL`` it is Redis, shared by
workers on several.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper

from servicedesk.jobs.scheduled import ScheduledJob, run_job, scheduled_jobs

log = logging.getLogger(__name__)

EXTENSION = "servicedesk.jobs"


class JobQueue:
    """The queue of one app, built on first use."""

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
                jobs = scheduled_jobs(app)
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
    """The queue of ``app``, made on first use."""
    queue = app.extensions.get(EXTENSION)
    if queue is None:
        queue = app.extensions.setdefault(EXTENSION, JobQueue(app))
    return queue


def _huey(app: Flask) -> Huey:
    config = app.config
    if config["REDIS_URL"]:
        return RedisHuey(config["JOBS_QUEUE"], url=config["REDIS_URL"], results=False)
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(config["JOBS_QUEUE"], filename=str(folder / "jobs.db"), results=False)


def _runner(app: Flask, job: ScheduledJob) -> Callable[[], None]:
    # A closure, not functools.partial: huey names tasks after the function's module.
    def run() -> None:
        run_job(app, job)

    return run
