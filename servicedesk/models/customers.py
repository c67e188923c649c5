"""The customers behind tickets: organisations and the people who write in."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db

if TYPE_CHECKING:
    from servicedesk.models.people import User


class Position(enum.StrEnum):
    """Where the relationship stands (seed 003's portfolio matrix)."""

    GOLD = "gold"
    STAR = "star"
    PROBLEM = "problem"
    DOG = "dog"


class Stage(enum.StrEnum):
    """The relationship's life-cycle stage."""

    BREAKTHROUGH = "breakthrough"
    CONSOLIDATION = "consolidation"
    GROWTH = "growth"
    HARVEST = "harvest"
    DEFENCE = "defence"
    HIBERNATION = "hibernation"
    PAUSE = "pause"


class Customer(db.Model):
    """An organisation the centre serves."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    industry: Mapped[str | None] = mapped_column(String(100))
    account_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    key_account: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[str | None] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(16))
    # Computed by ``servicedesk customers recompute`` from the revenue table.
    abc_class: Mapped[str | None] = mapped_column(String(1), index=True)
    industry_position: Mapped[int | None] = mapped_column(SmallInteger)  # 1 .. 5
    cooperating_since: Mapped[date | None]
    # Average survey rating 1 .. 5; None until surveys exist (scored as 3).
    satisfaction: Mapped[float | None] = mapped_column(Float)
    value_score: Mapped[float | None] = mapped_column(Float)
    value_grade: Mapped[str | None] = mapped_column(String(1))

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer")
    account_manager: Mapped[User | None] = relationship("User")
    revenue: Mapped[list[CustomerRevenue]] = relationship(
        back_populates="customer", order_by="CustomerRevenue.period", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Customer {self.name}>"


class Contact(db.Model):
    """A person who writes to the centre, optionally on behalf of a customer."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # Stored lower-cased, so one address is one contact.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    customer: Mapped[Customer | None] = relationship(back_populates="contacts")

    def __repr__(self) -> str:
        return f"<Contact {self.email}>"


class CustomerRevenue(db.Model):
    """Sales figures of one customer for one period (e.g. "2026-Q3")."""

    __tablename__ = "customer_revenue"
    __table_args__ = (
        UniqueConstraint("customer_id", "period"),
        Index("ix_customer_revenue_period", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))
    revenue: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    gross_profit: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal(0))
    marketing_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal(0))

    customer: Mapped[Customer] = relationship(back_populates="revenue")
