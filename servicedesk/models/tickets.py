"""Tickets, their messages and attachments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models.customers import Contact, Customer
from servicedesk.models.departments import Department
from servicedesk.models.people import User


class Status(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(enum.IntEnum):
    # Stored as numbers so queues sort by urgency with a plain index.
    LOW = 0
    NORMAL = 1
    HIGH = 2
    URGENT = 3


class Channel(enum.StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    API = "api"


class MessageKind(enum.StrEnum):
    CUSTOMER = "customer"  # written by the customer
    REPLY = "reply"  # public answer from the centre
    NOTE = "note"  # internal, never shown to the customer


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue", "department_id", "status", "priority", "updated_at"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        # The desk's sort orders, so a page of 25 is read off an index in order
        # (the id breaks ties and is the second half of every keyset cursor).
        Index("ix_tickets_updated_at_id", "updated_at", "id"),
        Index("ix_tickets_created_at_id", "created_at", "id"),
        Index("ix_tickets_priority_updated_at_id", "priority", "updated_at", "id"),
        # A department's queue newest first: read in order and stopped after a
        # page, with the status and assignee at hand for the queue's filters.
        Index(
            "ix_tickets_department_updated_at",
            "department_id",
            "updated_at",
            "id",
            "status",
            "assignee_id",
        ),
        # A customer's (or contact's) tickets newest first, with the department
        # at hand to keep those the reader may see: a key account's five latest
        # of thousands are read off the index, not sorted.
        Index("ix_tickets_customer_updated_at", "customer_id", "updated_at", "id", "department_id"),
        Index("ix_tickets_contact_updated_at", "contact_id", "updated_at", "id", "department_id"),
        # Counts the "unassigned" queue from the index alone.
        Index("ix_tickets_department_assignee_status", "department_id", "assignee_id", "status"),
        # "At risk or breached" is ``sla_warn_at <= now``: one range scan.
        Index("ix_tickets_sla_warn_at", "sla_warn_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    # Product, order or serial number the customer refers to.
    product_ref: Mapped[str | None] = mapped_column(String(100))
    # Values of the extra public-form fields plugins add, by field name.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    status: Mapped[str] = mapped_column(String(16), default=Status.NEW)
    priority: Mapped[int] = mapped_column(SmallInteger, default=Priority.NORMAL)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.WEB)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    # Only a SHA-256 of the customer's tracking token is kept; the token itself
    # is 256 random bits, so a fast hash is enough.
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The SLA clock (servicedesk.sla.clock). Targets are business minutes,
    # fixed when the policy is chosen; the clock pauses while pending, so the
    # consumed business time is kept and the dues recomputed on each change.
    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL")
    )
    sla_first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    sla_resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    sla_elapsed_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sla_running_since: Mapped[datetime | None]  # None while paused or stopped
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    # The earliest warn / due instant of the targets still running.
    sla_warn_at: Mapped[datetime | None]
    sla_breach_at: Mapped[datetime | None]

    # SQLAlchemy adds "AND version = :seen" to every UPDATE and raises when
    # another transaction got there first.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    department: Mapped[Department] = relationship()
    assignee: Mapped[User | None] = relationship()
    customer: Mapped[Customer | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", order_by="Message.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Ticket {self.reference} {self.status}>"


class Message(db.Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    # Files are stored under this random key; the display name never reaches the disk.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    message: Mapped[Message] = relationship(back_populates="attachments")


class TicketCounter(db.Model):
    """The last reference number handed out per year."""

    __tablename__ = "ticket_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
