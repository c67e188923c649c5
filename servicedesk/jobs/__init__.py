"""Background jobs: each app's queue, its scheduled jobs, and the worker that runs them.

Jobs come from the ``scheduled_jobs`` hook, the core's own included
(``servicedesk.jobs.builtin``: outbox delivery, mail fetching). ``servicedesk
worker`` runs huey's consumer in-process: worker threads and a scheduler that
enqueues every job every minute. Run as many workers as you like, on as many
machines as share the database: a job's lease (``servicedesk.jobs.leases``)
or its own claims make every effect happen once.
"""

from __future__ import annotations

from flask import Flask

from servicedesk.jobs import builtin
from servicedesk.jobs.queue import EXTENSION, JobQueue, ScheduledJob, queue_of, run_job
from servicedesk.state import app_state

__all__ = ["ScheduledJob", "init_app", "queue_of", "run_job", "run_worker"]

CORE_PLUGIN = "servicedesk.jobs"


def init_app(app: Flask) -> None:
    """Give ``app`` its job queue and the core's jobs; calling it again changes nothing."""
    manager = app_state(app).plugin_manager
    if manager.get_plugin(CORE_PLUGIN) is None:
        manager.register(builtin, name=CORE_PLUGIN)
    app.extensions.setdefault(EXTENSION, JobQueue(app))
    builtin.deliver_after_commit()


def run_worker(app: Flask, *, workers: int = 2) -> None:
    """Run the jobs until interrupted: ``workers`` threads and the scheduler."""
    init_app(app)
    consumer = queue_of(app).huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True
    )
    consumer.run()
