"""One worker process of test_two_workers: runs every scheduled job, racing the others.

Usage: race_worker.py CONFIG_JSON START_AT (a time.time() to start at, so that
all the processes start together).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta

from servicedesk import create_app, hookimpl
from servicedesk.extensions import db
from servicedesk.jobs import ScheduledJob, init_app, queue_of, run_job
from servicedesk.jobs.builtin import DELIVER
from servicedesk.models import OutboxMessage

ROUNDS = 5


class Digest:
    """A once-a-period job whose effect, one email, the test counts."""

    @hookimpl
    def scheduled_jobs(self, app):
        # A period so long that the test never sees two.
        return [ScheduledJob("race.digest", send_digest, every=timedelta(days=3650))]


def send_digest(app) -> None:
    db.session.add(
        OutboxMessage(
            kind="digest",
            recipient="supervisor@desk.test",
            subject="Daily digest",
            body_text="Nothing to report.",
            locale="en",
        )
    )
    db.session.commit()


def main() -> None:
    config, start_at = json.loads(sys.argv[1]), float(sys.argv[2])
    app = create_app(config, plugins=[Digest()], load_entrypoints=False)
    init_app(app)
    jobs = queue_of(app).jobs
    time.sleep(max(0.0, start_at - time.time()))
    for _round in range(ROUNDS):
        for job in jobs.values():
            run_job(app, job)
    # Whatever another process queued after this one's last delivery.
    run_job(app, jobs[DELIVER])


if __name__ == "__main__":
    main()
