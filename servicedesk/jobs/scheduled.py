"""Scheduled jobs as plugins declare them, and running one once per period.

Nothing here needs the job queue (huey): web processes load this, the worker
alone builds the queue (``servicedesk.jobs.queue``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask

from servicedesk.jobs import leases
from servicedesk.state import app_state


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


def scheduled_jobs(app: Flask) -> dict[str, ScheduledJob]:
    """Every job the plugins (the core's own included) schedule, by name."""
    jobs: dict[str, ScheduledJob] = {}
    for found in app_state(app).plugin_manager.hook.scheduled_jobs(app=app):
        for job in found or ():
            if job.name in jobs:
                raise ValueError(f"two scheduled jobs are named {job.name!r}")
            jobs[job.name] = job
    return jobs


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
