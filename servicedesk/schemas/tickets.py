"""A ticket as data (JSON exports, the API): core fields plus the plugins' own.

Each plugin's ``ticket_data`` answer is kept under the plugin's name, so no
plugin can overwrite a core field or another plugin's keys.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields

from servicedesk.models import Priority, Ticket
from servicedesk.plugins import answers_by_plugin
from servicedesk.state import app_state


class TicketSchema(Schema):
    reference = fields.String()
    kind = fields.String()
    subject = fields.String()
    status = fields.String()
    priority = fields.Function(lambda ticket: Priority(ticket.priority).name.lower())
    channel = fields.String()
    department = fields.Function(lambda ticket: ticket.department.code)
    assignee = fields.Function(lambda ticket: ticket.assignee.email if ticket.assignee else None)
    customer = fields.Function(lambda ticket: ticket.customer.name if ticket.customer else None)
    contact = fields.Function(lambda ticket: ticket.contact.email if ticket.contact else None)
    product_ref = fields.String()
    extra = fields.Dict()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    first_response_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime()
    first_response_due_at = fields.AwareDateTime()
    resolution_due_at = fields.AwareDateTime()
    version = fields.Integer()


_schema = TicketSchema()


def ticket_data(ticket: Ticket, actor: Any) -> dict[str, Any]:
    """The ticket as a JSON-ready dict, with ``plugins: {name: {...}}``."""
    data: dict[str, Any] = _schema.dump(ticket)
    answers = answers_by_plugin(
        app_state().plugin_manager,
        "ticket_data",
        app=current_app._get_current_object(),
        ticket=ticket,
        actor=actor,
    )
    data["plugins"] = {name: answer for name, answer in answers if answer}
    return data
