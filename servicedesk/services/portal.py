"""What the customer's pages read: the public thread of a ticket and the files in it.

Everything here starts from a ticket already opened with its tracking token;
nothing reaches another ticket or an internal note.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import Attachment, Message, MessageKind, Ticket
from servicedesk.services import validation as check
from servicedesk.services.errors import NotFound, ValidationError


def public_thread(ticket: Ticket) -> list[Message]:
    """The customer's messages and the centre's public replies, oldest first, with files."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket.id, Message.kind != MessageKind.NOTE)
            .options(selectinload(Message.attachments))
            .order_by(Message.id)
        )
    )


def public_attachment(ticket: Ticket, attachment_id: object) -> Attachment:
    """A file of a public message of ``ticket``; anything else is reported as missing."""
    try:
        wanted = check.record_id(attachment_id, "attachment")
    except ValidationError:
        raise NotFound(_("No such file.")) from None
    attachment = db.session.scalar(
        select(Attachment)
        .join(Message, Attachment.message_id == Message.id)
        .where(
            Attachment.id == wanted,
            Message.ticket_id == ticket.id,
            Message.kind != MessageKind.NOTE,
        )
    )
    if attachment is None:
        raise NotFound(_("No such file."))
    return attachment
