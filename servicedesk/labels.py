"""Translated labels for the codes stored in the database.

The database keeps stable codes (``open``, ``2``); people read these labels.
They are lazy strings, so they translate in the locale of whoever renders them.
"""

from __future__ import annotations

from servicedesk.i18n import lazy_gettext as _l
from servicedesk.models import Channel, MessageKind, Priority, Role, Status
from servicedesk.state import app_state

STATUSES: dict[str, object] = {
    Status.NEW: _l("New"),
    Status.OPEN: _l("Open"),
    Status.PENDING: _l("Waiting for customer"),
    Status.RESOLVED: _l("Resolved"),
    Status.CLOSED: _l("Closed"),
}

PRIORITIES: dict[int, object] = {
    Priority.LOW: _l("Low"),
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
    Priority.URGENT: _l("Urgent"),
}

ROLES: dict[str, object] = {
    Role.AGENT: _l("Agent"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Administrator"),
}

MESSAGE_KINDS: dict[str, object] = {
    MessageKind.CUSTOMER: _l("Customer message"),
    MessageKind.REPLY: _l("Reply"),
    MessageKind.NOTE: _l("Internal note"),
}

CHANNELS: dict[str, object] = {
    Channel.WEB: _l("Web form"),
    Channel.EMAIL: _l("Email"),
    Channel.PHONE: _l("Phone"),
    Channel.API: _l("API"),
}


def status_label(value: str) -> str:
    return str(STATUSES.get(value, value))


def priority_label(value: int) -> str:
    return str(PRIORITIES.get(value, value))


def priority_code(value: int) -> str:
    """``low`` ... ``urgent``: the stable name CSS classes are built from."""
    try:
        return Priority(value).name.lower()
    except ValueError:
        return "unknown"


def role_label(value: str) -> str:
    return str(ROLES.get(value, value))


def message_kind_label(value: str) -> str:
    return str(MESSAGE_KINDS.get(value, value))


def channel_label(value: str) -> str:
    return str(CHANNELS.get(value, value))


def kind_label(value: str) -> str:
    """The label of a kind of request, including kinds plugins registered."""
    return str(app_state().kinds.get(value, value))
