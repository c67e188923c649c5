"""Departments and the routes a ticket may take between them."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.extensions import db


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identifier used by code, plugins, routes and URLs; names may change.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The plugin that added this department as a workflow step; None for the core.
    owner: Mapped[str | None] = mapped_column(String(64))
    # manual | round_robin | least_load (servicedesk.services.assignment).
    assignment_mode: Mapped[str] = mapped_column(
        String(16), default="manual", server_default="manual"
    )
    # The user who got the last round-robin ticket; no FK: a deleted user just
    # means the rotation continues from the next id.
    last_assigned_user_id: Mapped[int | None] = mapped_column(Integer)

    def name(self, locale: str | None) -> str:
        """The name in the given locale (Chinese for any ``zh*`` locale)."""
        return self.name_zh if locale and str(locale).startswith("zh") else self.name_en

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class Route(db.Model):
    """An allowed move between departments.

    A missing end means "any department": ``(None -> general_affairs)`` lets every
    department hand over to general affairs, including departments added later.
    """

    __tablename__ = "routes"
    __table_args__ = (UniqueConstraint("from_department_id", "to_department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    to_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE")
    )

    from_department: Mapped[Department | None] = relationship(foreign_keys=[from_department_id])
    to_department: Mapped[Department | None] = relationship(foreign_keys=[to_department_id])
