"""Once per period, however many workers ask: leases on ``job_leases`` rows.

Every worker's scheduler enqueues every job every minute. The first run to
move the job's row to the current period, with one conditional UPDATE, runs
it; the others find the period taken and do nothing. The row also holds a
lease while the job runs, so a run that overruns its period is not joined by
the next one; a holder that died loses its lease when ``timeout`` has passed.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import JobLease


def acquire(name: str, *, every: timedelta, timeout: timedelta) -> str | None:
    """Take job ``name`` for the current period: a holder token, or None if taken."""
    _ensure_row(name)
    now = clock.now()
    period = period_start(now, every)
    holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:100]
    taken = db.session.execute(
        update(JobLease)
        .where(
            JobLease.name == name,
            or_(JobLease.period_start.is_(None), JobLease.period_start < period),
            or_(JobLease.lease_until.is_(None), JobLease.lease_until <= now),
        )
        .values(period_start=period, holder=holder, lease_until=now + timeout),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    return holder if taken else None


def release(name: str, holder: str) -> None:
    """Give the lease back (a job commits its own work; anything left is dropped)."""
    db.session.rollback()
    db.session.execute(
        update(JobLease)
        .where(JobLease.name == name, JobLease.holder == holder)
        .values(holder=None, lease_until=None),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def period_start(moment: datetime, every: timedelta) -> datetime:
    """The start of the period ``moment`` falls in; periods are counted from the epoch."""
    length = every.total_seconds()
    return datetime.fromtimestamp(moment.timestamp() // length * length, UTC)


def _ensure_row(name: str) -> None:
    if db.session.get(JobLease, name) is not None:
        return
    db.session.add(JobLease(name=name))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another worker added it first: just as good
