"""Human-friendly ticket references such as ``SD-2026-000123``."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam

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
    statement = _take_number(db.session.get_bind().dialect.name)
    number = db.session.execute(statement, {"year": year}).scalar_one()
    prefix = current_app.config["REFERENCE_PREFIX"]
    return f"{prefix}-{year}-{number:06d}"


@functools.cache
def _take_number(dialect_name: str) -> Any:
    # Built once per dialect: every new ticket runs it.
    return (
        dialect_insert(dialect_name, TicketCounter)
        .values(year=bindparam("year"), last_value=1)
        .on_conflict_do_update(
            index_elements=[TicketCounter.year],
            set_={"last_value": TicketCounter.last_value + 1},
        )
        .returning(TicketCounter.last_value)
    )
