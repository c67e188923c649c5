"""Staff: agents, supervisors and administrators, and their departments."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models.departments import Department


class Role(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


memberships = Table(
    "memberships",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default=Role.AGENT)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]
    # Auto-assignment skips agents who are away or not seen recently.
    away: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_seen_at: Mapped[datetime | None]

    departments: Mapped[list[Department]] = relationship(
        secondary=memberships, order_by=Department.position
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # What the catalogue said this user's departments were when the desk loaded
    # them for a request (servicedesk.catalogue); None: ask the relationship.
    # (Not annotated: an annotation here would declare a column.)
    catalogued_department_ids = None

    @property
    def department_ids(self) -> frozenset[int]:
        # Once the relationship is loaded (to be read or changed) it has the last word.
        if self.catalogued_department_ids is None or "departments" in self.__dict__:
            return frozenset(department.id for department in self.departments)
        return self.catalogued_department_ids

    def has_role(self, role: Role) -> bool:
        return self.role == role

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
