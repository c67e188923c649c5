"""Leases that let many workers share one schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.extensions import db


class JobLease(db.Model):
    """The last period a scheduled job was started for, and who runs it now.

    Every worker's scheduler asks for every job; a conditional UPDATE of this
    row lets exactly one of them start it per period (``servicedesk.jobs.leases``).
    """

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    period_start: Mapped[datetime | None]
    # Who holds the lease, until when: a run that died is presumed dead after it.
    holder: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<JobLease {self.name} {self.period_start}>"
