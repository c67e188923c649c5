"""All models, importable from one place (Alembic's autogenerate sees them all)."""

from servicedesk.models.audit import EventKind, TicketEvent
from servicedesk.models.canned import CannedResponse
from servicedesk.models.customers import Contact, Customer, CustomerRevenue, Position, Stage
from servicedesk.models.departments import Department, Route
from servicedesk.models.jobs import JobLease
from servicedesk.models.mail import InboundMail, InboundOutcome
from servicedesk.models.outbox import OutboxMessage, OutboxStatus
from servicedesk.models.people import Role, User, memberships
from servicedesk.models.search import FTS_TABLE
from servicedesk.models.sla import SlaCalendar, SlaCalendarDay, SlaPolicy, SlaScanMark
from servicedesk.models.tickets import (
    Attachment,
    Channel,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketCounter,
)
from servicedesk.models.versions import CacheVersion

__all__ = [
    "FTS_TABLE",
    "Attachment",
    "CacheVersion",
    "CannedResponse",
    "Channel",
    "Contact",
    "Customer",
    "CustomerRevenue",
    "Department",
    "EventKind",
    "InboundMail",
    "InboundOutcome",
    "JobLease",
    "Message",
    "MessageKind",
    "OutboxMessage",
    "OutboxStatus",
    "Position",
    "Priority",
    "Role",
    "Route",
    "SlaCalendar",
    "SlaCalendarDay",
    "SlaPolicy",
    "SlaScanMark",
    "Stage",
    "Status",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "User",
    "memberships",
]
