"""Background jobs: each app's queue, its scheduled jobs, and the worker that runs them.

Jobs come from the ``scheduled_jobs`` hook, the core's own included
(``servicedesk.jobs.builtin``: outbox delivery, mail fetching). ``servicedesk
worker`` runs huey's consumer in-process: worker threads and a scheduler that
enqueues every job every minute, beside a watch on the outbox that sends new
mail within seconds. Run as many workers as you like, on as many machines as
share the database: a job's lease (``servicedesk.jobs.leases``) or its own
claims make every effect happen once.

Web processes only register the jobs; huey is imported by the worker alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from servicedesk.jobs.scheduled import ScheduledJob, run_job
from servicedesk.state import app_state

if TYPE_CHECKING:
    from servicedesk.jobs.queue import JobQueue

__all__ = ["ScheduledJob", "init_app", "queue_of", "run_job", "run_worker"]

CORE_PLUGIN = "servicedesk.jobs"


def init_app(app: Flask) -> None:
    """Register the core's jobs with ``app``; calling it again changes nothing."""
    from servicedesk.jobs import builtin

    manager = app_state(app).plugin_manager
    if manager.get_plugin(CORE_PLUGIN) is None:
        manager.register(builtin, name=CORE_PLUGIN)


def queue_of(app: Flask) -> JobQueue:
    """The job queue of ``app`` (built on first use; the worker's, not the web's)."""
    from servicedesk.jobs.queue import queue_of as built

    return built(app)


def run_worker(app: Flask, *, workers: int = 2) -> None:
    """Run the jobs until interrupted: ``workers`` threads, the scheduler and the outbox watch."""
    from servicedesk.jobs.worker import run_worker as run

    init_app(app)
    run(app, workers=workers)
