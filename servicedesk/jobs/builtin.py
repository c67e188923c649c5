"""The core's own scheduled jobs, registered through the hook plugins use.

Outbox delivery runs every minute in every worker (it claims each message, so
workers share the work), and also right after any transaction that queued
mail commits, so a customer's confirmation does not wait for the minute.
Fetching mail runs once a minute across all workers when a mailbox is set.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from servicedesk.extensions import db
from servicedesk.hookspecs import hookimpl
from servicedesk.jobs.queue import EXTENSION, ScheduledJob
from servicedesk.mail import imap
from servicedesk.models import OutboxMessage
from servicedesk.services import delivery, inbound

log = logging.getLogger(__name__)

DELIVER = "outbox.deliver"
FETCH = "mail.fetch"

_QUEUED = "servicedesk.outbox_queued"


@hookimpl
def scheduled_jobs(app: Flask) -> list[ScheduledJob]:
    jobs = [ScheduledJob(DELIVER, deliver, concurrent=True)]
    if app.config["IMAP_HOST"]:
        jobs.append(ScheduledJob(FETCH, fetch))
    return jobs


def deliver(app: Flask) -> delivery.DeliveryReport:
    return delivery.deliver_due()


def fetch(app: Flask) -> list[inbound.InboundResult]:
    return imap.fetch_unseen(app.config, inbound.process_raw)


def deliver_after_commit() -> None:
    """Ask for a delivery whenever a transaction that queued mail commits.

    Installed once per process: the session class is shared by every app.
    """
    for name, listener in (
        ("after_flush", _note_outbox),
        ("after_commit", _deliver_soon),
        ("after_rollback", _forget),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _note_outbox(session: Session, _context: object) -> None:
    if any(isinstance(item, OutboxMessage) for item in session.new):
        session.info[_QUEUED] = True


def _deliver_soon(session: Session) -> None:
    if not session.info.pop(_QUEUED, False) or not has_app_context():
        return
    queue = current_app.extensions.get(EXTENSION)
    if queue is None:
        return
    try:
        queue.request(DELIVER)
    except Exception:
        # The change is committed; the minute's delivery will send the mail.
        log.warning("could not ask the worker to deliver mail now", exc_info=True)


def _forget(session: Session) -> None:
    session.info.pop(_QUEUED, None)
