"""Quality inspection department for ServiceDesk.

The finished example of the plugin tutorial ("Write your first department
plugin" in ServiceDesk's docs/plugins.md). It adds:

- a workflow step, ``inspection``, between after-sales and claims;
- the batch (lot) number of the goods on the public request form;
- a panel on the desk's ticket page with the batch number and the inspection state;
- a rule: a ticket leaves inspection for claims only with a recorded verdict.

It uses the public plugin API only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate
from sqlalchemy import select

from servicedesk import hookimpl
from servicedesk.extensions import db
from servicedesk.models import EventKind, Ticket, TicketEvent
from servicedesk.slots import FormField, Panel
from servicedesk.workflow.steps import Step

__version__ = "1.0.0"
# The plugin's namespace when it is registered directly, as tests do with
# create_app(plugins=[...]); installed, it is named by its entry point.
name = "inspection"

STEP = "inspection"
# The kinds of request that are about goods which may have to be inspected.
KINDS = ("repair", "complaint", "claim")


# --------------------------------------------------------------------------
# The workflow step
# --------------------------------------------------------------------------


@hookimpl
def department_steps() -> list[Step]:
    return [
        Step(
            code=STEP,
            name_en="Quality inspection",
            name_zh="质量检验部",
            after="after_sales",
            before="claims",
            # Goods that turn out fine go back to after-sales.
            routes=((STEP, "after_sales"),),
            description=_l("Checks returned goods before a claim is decided."),
        )
    ]


# --------------------------------------------------------------------------
# The batch number on the public request form
# --------------------------------------------------------------------------

# Groups of letters and digits joined by dashes: LOT-2024-0173, B24A17.
BATCH_PATTERN = r"[A-Z0-9]{2,12}(-[A-Z0-9]{1,12}){0,3}\Z"


class BatchNumber(fields.String):
    """A batch number as printed on the goods' label, kept in capitals."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).upper()


@hookimpl
def public_form_fields() -> list[FormField]:
    return [
        FormField(
            name="batch",
            label=_l("Batch or lot number"),
            field=BatchNumber(
                validate=validate.Regexp(
                    BATCH_PATTERN,
                    error=_l(
                        "Enter the batch number as printed on the label: letters and digits, "
                        "in groups joined by dashes, e.g. LOT-2024-0173."
                    ),
                )
            ),
            help=_l("On the label of the goods or the delivery note, e.g. LOT-2024-0173."),
            kinds=KINDS,
        )
    ]


# --------------------------------------------------------------------------
# The panel on the desk's ticket page
# --------------------------------------------------------------------------

# Named after the plugin; its templates live in templates/inspection/.
bp = Blueprint("inspection", __name__, url_prefix="/inspection", template_folder="templates")


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [bp]


@dataclass
class Visit:
    """One stay of a ticket in the inspection department."""

    entered: TicketEvent
    verdict: TicketEvent | None = None  # the last internal note written there
    left: TicketEvent | None = None


def visits(ticket_id: int) -> list[Visit]:
    """The ticket's stays in inspection, oldest first, read from its audit trail."""
    events = db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket_id)
        .where(TicketEvent.kind.in_([EventKind.ROUTED, EventKind.NOTED]))
        .order_by(TicketEvent.id)
    )
    found: list[Visit] = []
    for event in events:
        here = found[-1] if found and found[-1].left is None else None
        if event.kind == EventKind.ROUTED and event.new_value == STEP:
            found.append(Visit(entered=event))
        elif here and event.kind == EventKind.NOTED:
            here.verdict = event
        elif here and event.kind == EventKind.ROUTED:
            here.left = event
    return found


@hookimpl
def ticket_panels(ticket: Ticket) -> list[Panel]:
    stays = visits(ticket.id)
    if ticket.kind not in KINDS and not stays:
        return []
    return [
        Panel(
            key="inspection",
            title=_l("Quality inspection"),
            template="inspection/_panel.html",
            context={"batch": ticket.extra.get("batch"), "visit": stays[-1] if stays else None},
        )
    ]


# --------------------------------------------------------------------------
# No claim without a verdict
# --------------------------------------------------------------------------


@hookimpl
def veto_transition(ticket: Ticket, event: TicketEvent) -> str | None:
    leaving_for_claims = (
        event.kind == EventKind.ROUTED and event.old_value == STEP and event.new_value == "claims"
    )
    if not leaving_for_claims:
        return None
    stays = visits(ticket.id)
    if stays and stays[-1].verdict is None:
        return _("Write the inspection verdict as an internal note before routing to claims.")
    return None
