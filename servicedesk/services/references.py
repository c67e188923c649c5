"""Human-friendly ticket references such as ``SD-2026-000123``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from servicedesk.extensions import db
from servicedesk.models import TicketCounter
from servicedesk.orm import dialect_insert


def next_reference(moment: datetime) -> str:
    """Take the next number of ``moment``'s year, in the caller's transaction.

    The year is the centre's (``TIMEZONE``), not UTC's: a request filed in
    Shanghai at 00:30 on 1 January belongs to the new year.

    One atomic upsert: concurrent requests each get their own number (the row
    lock on PostgreSQL, the write lock on SQLite serialise them).
    """
    year = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).year
    statement = (
        dialect_insert(db.session.get_bind().dialect.name, TicketCounter)
        .values(year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[TicketCounter.year],
            set_={"last_value": TicketCounter.last_value + 1},
        )
        .returning(TicketCounter.last_value)
    )
    number = db.session.execute(statement).scalar_one()
    prefix = current_app.config["REFERENCE_PREFIX"]
    return f"{prefix}-{year}-{number:06d}"
