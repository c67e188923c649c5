"""Version numbers of data that processes keep in memory (``servicedesk.catalogue``)."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.extensions import db


class CacheVersion(db.Model):
    """A counter bumped in the same transaction as any change to what it covers.

    A process that keeps that data in memory compares its copy's number with
    this one and reloads when they differ, so every process sees a change on
    its next request.
    """

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<CacheVersion {self.name} {self.version}>"
