"""The worker: huey's consumer for the scheduled jobs, and a watch on the outbox.

The consumer's scheduler enqueues every job every minute. Mail should not
wait for the minute, yet the web processes must not carry the job queue (it
costs each of them the queue's client libraries), so the worker looks at the
outbox itself every ``OUTBOX_POLL_SECONDS`` and delivers as soon as anything
is due: a confirmation leaves within seconds of its commit.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from servicedesk.jobs.builtin import DELIVER
from servicedesk.jobs.queue import queue_of
from servicedesk.jobs.scheduled import ScheduledJob, run_job

log = logging.getLogger(__name__)


class OutboxWatcher(threading.Thread):
    """Runs outbox delivery whenever a message is due, checking every ``interval`` seconds."""

    def __init__(self, app: Flask, job: ScheduledJob, interval: float) -> None:
        super().__init__(name="outbox-watcher", daemon=True)
        self.app = app
        self.job = job
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.poll()
            except Exception:
                # The minute's delivery is still there; the next look may do better.
                log.exception("looking at the outbox failed")

    def poll(self) -> bool:
        """Deliver if a message is due; whether it did."""
        from servicedesk.services import delivery

        if not self.app.config["SMTP_HOST"]:
            return False  # nothing can be sent; the minute's job says so in the log
        with self.app.app_context():
            due = delivery.anything_due()
        return due and run_job(self.app, self.job)


def run_worker(app: Flask, *, workers: int = 2) -> None:
    """Run the jobs until interrupted: ``workers`` threads, the scheduler and the outbox watch."""
    queue = queue_of(app)
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    watcher = OutboxWatcher(app, queue.jobs[DELIVER], app.config["OUTBOX_POLL_SECONDS"])
    watcher.start()
    try:
        consumer.run()
    finally:
        watcher.stopping.set()
        watcher.join(timeout=30)
