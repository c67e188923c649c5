"""The core's own scheduled jobs, registered through the hook plugins use.

Outbox delivery runs every minute in every worker (it claims each message, so
workers share the work); the worker also watches the outbox between minutes
(``servicedesk.jobs.worker``), so a customer's confirmation does not wait.
Fetching mail runs once a minute across all workers when a mailbox is set.
On SQLite, the planner's statistics are refreshed once a day.

The mail modules are imported when a job runs: web processes register these
jobs but never run them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from servicedesk.hookspecs import hookimpl
from servicedesk.jobs.scheduled import ScheduledJob

DELIVER = "outbox.deliver"
FETCH = "mail.fetch"
STATISTICS = "database.statistics"


@hookimpl
def scheduled_jobs(app: Flask) -> list[ScheduledJob]:
    jobs = [ScheduledJob(DELIVER, deliver, concurrent=True)]
    if app.config["IMAP_HOST"]:
        jobs.append(ScheduledJob(FETCH, fetch))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        jobs.append(ScheduledJob(STATISTICS, refresh_statistics, every=timedelta(days=1)))
    return jobs


def deliver(app: Flask) -> Any:
    from servicedesk.services import delivery

    return delivery.deliver_due()


def fetch(app: Flask) -> Any:
    from servicedesk.mail import imap
    from servicedesk.services import inbound

    return imap.fetch_unseen(app.config, inbound.process_raw)


def refresh_statistics(app: Flask) -> None:
    """ANALYZE, so that SQLite keeps choosing the right index as the tables grow.

    SQLite plans from statistics that only ANALYZE updates (PostgreSQL's
    autovacuum does this by itself). ``analysis_limit`` samples each index
    instead of reading all of it: seconds become milliseconds.
    """
    from sqlalchemy import text

    from servicedesk.extensions import db

    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        connection.execute(text("ANALYZE"))
        connection.commit()
