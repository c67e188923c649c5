"""Filing received email: a new request becomes a ticket, a reply joins its ticket.

``process_raw`` takes one message as RFC 822 bytes and decides:

- Mail no person wrote is recorded and answered with nothing (no ticket, no
  confirmation): our own mail coming back (our ``X-ServiceDesk`` header, a
  Message-ID of ours, or our own address as sender), bounces
  (``multipart/report``, MAILER-DAEMON ...) and automatic mail
  (``Auto-Submitted``, ``X-Autoreply``, ``Precedence: bulk/junk/list``,
  mailing lists, "Out of office" subjects).
- A reply is matched to its ticket by In-Reply-To/References against the
  Message-IDs we set (and those of the customer's earlier emails we filed),
  then by a reference such as ``[SD-2026-000123]`` in the subject. It becomes
  the customer's message on that ticket only when it comes from the ticket's
  contact and the ticket is not closed.
- Anything else, a "reply" from another address included, becomes a new
  ticket in intake (channel email), and its sender gets the usual
  confirmation. So a forged or forwarded reply never writes into someone
  else's ticket nor learns anything about it; the new ticket's record says
  which ticket it named, for the agent.

Files are kept under the web form's rules (``services.attachments``); those
refused, or beyond the form's count and size limits, are listed at the end of
the message. Every message is recorded in ``inbound_mail`` under its
Message-ID, in the same transaction as the ticket change it causes, so a
message fetched twice, or by two workers at once, is filed once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.mail.outgoing import mail_domain, our_reference, references_in
from servicedesk.mail.parse import MailAttachment, ParsedMail, parse_mail
from servicedesk.models import Channel, InboundMail, InboundOutcome, Status, Ticket
from servicedesk.policy import CustomerActor
from servicedesk.services import attachments, tickets
from servicedesk.services import validation as check
from servicedesk.services.attachments import Upload
from servicedesk.services.errors import ServiceError, ValidationError

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TRUNCATED = "\n[…]"


@dataclass(frozen=True)
class InboundResult:
    record: InboundMail
    # The message had been filed before, so nothing was done this time.
    duplicate: bool = False


def process_raw(raw: bytes) -> InboundResult:
    """File one received email where it belongs (see the module's rules)."""
    mail = parse_mail(raw)
    existing = _filed(mail.message_id)
    if existing is not None:
        return InboundResult(existing, duplicate=True)
    record = InboundMail(
        message_id=mail.message_id[:255], sender=mail.sender[:254], subject=mail.subject[:255]
    )
    if _is_loop(mail):
        return _file(record, InboundOutcome.LOOP)
    if mail.automatic is not None:
        return _file(record, InboundOutcome(mail.automatic))
    try:
        sender = check.email(mail.sender, "from")
    except ValidationError as error:
        return _file(record, InboundOutcome.REFUSED, detail=error.message)
    body, uploads = _body_and_files(mail)
    ticket = _ticket_for(mail)
    detail = None
    if ticket is not None and ticket.contact is not None and ticket.contact.email == sender:
        if ticket.status != Status.CLOSED:
            actor = CustomerActor(ticket_id=ticket.id, name=ticket.contact.name)
            record.ticket_id = ticket.id
            return _file(
                record,
                InboundOutcome.APPENDED,
                lambda: (
                    tickets.add_customer_message(ticket.id, actor, body, attachments=uploads).ticket
                ),
            )
        detail = _(
            "Answers %(reference)s, which is closed, so it became a new ticket.",
            reference=ticket.reference,
        )
    elif ticket is not None:
        detail = _(
            "Refers to %(reference)s but was not sent by its contact, so it became a new ticket.",
            reference=ticket.reference,
        )
    name = _one_line(mail.sender_name, check.NAME_MAX) or sender.partition("@")[0]
    return _file(
        record,
        InboundOutcome.CREATED,
        lambda: (
            tickets.create_ticket(
                subject=_one_line(mail.subject, check.SUBJECT_MAX) or _("(no subject)"),
                body=body,
                email=sender,
                name=name,
                channel=Channel.EMAIL,
                attachments=uploads,
                locale=_language_of(f"{mail.subject}\n{body}"),
                send_confirmation=True,
            ).ticket
        ),
        detail=detail,
    )


def _file(
    record: InboundMail,
    outcome: InboundOutcome,
    change: Callable[[], Ticket] | None = None,
    *,
    detail: str | None = None,
) -> InboundResult:
    """Record the message, through ``change`` when it changes a ticket.

    ``change`` is a service call, which commits: the record, added to the
    session first, is committed in that same transaction. A refusal by the
    service is recorded instead; a unique-key clash means another worker
    filed the message first.
    """
    record.outcome = outcome
    record.detail = detail
    db.session.add(record)
    try:
        if change is None:
            db.session.commit()
            return InboundResult(record)
        ticket = change()
    except ServiceError as error:
        db.session.rollback()
        return _file(record, InboundOutcome.REFUSED, detail=error.message)
    except IntegrityError:
        db.session.rollback()
        existing = _filed(record.message_id)
        if existing is None:
            raise
        return InboundResult(existing, duplicate=True)
    if record.ticket_id != ticket.id:
        # A new ticket's id exists only once the service has committed it.
        record.ticket_id = ticket.id
        db.session.commit()
    return InboundResult(record)


def _filed(message_id: str) -> InboundMail | None:
    return db.session.scalar(select(InboundMail).where(InboundMail.message_id == message_id[:255]))


def _is_loop(mail: ParsedMail) -> bool:
    config = current_app.config
    ours = parseaddr(config["MAIL_FROM"])[1].lower()
    return (
        mail.loop_marker is not None
        or mail.sender.lower() == ours
        or our_reference(mail.message_id, config["REFERENCE_PREFIX"], mail_domain(ours)) is not None
    )


def _ticket_for(mail: ParsedMail) -> Ticket | None:
    """The ticket the message answers: by its thread headers, else its subject."""
    config = current_app.config
    prefix = config["REFERENCE_PREFIX"]
    domain = mail_domain(config["MAIL_FROM"])
    for message_id in mail.thread_ids:
        reference = our_reference(message_id, prefix, domain)
        if reference is not None:
            ticket = _by_reference(reference)
        else:
            earlier = _filed(message_id)
            ticket = earlier.ticket if earlier is not None else None
        if ticket is not None:
            return ticket
    for reference in references_in(mail.subject, prefix):
        ticket = _by_reference(reference)
        if ticket is not None:
            return ticket
    return None


def _by_reference(reference: str) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.reference == reference))


def _body_and_files(mail: ParsedMail) -> tuple[str, list[Upload]]:
    """The message text, with a note of the files not kept, and the files kept."""
    uploads, refused = _within_limits(mail.attachments)
    note = ""
    if refused:
        note = "\n\n" + _("Files not kept:") + "".join(f"\n- {reason}" for reason in refused)
    text = mail.text.replace("\x00", "").strip() or _("(The email had no text.)")
    room = check.BODY_MAX - len(note)
    if len(text) > room:
        text = text[: room - len(_TRUNCATED)] + _TRUNCATED
    return text + note, uploads


def _within_limits(files: tuple[MailAttachment, ...]) -> tuple[list[Upload], list[str]]:
    """The files the web form would take, in order, and why each other one was not."""
    config = current_app.config
    count, total = config["ATTACHMENT_MAX_COUNT"], config["ATTACHMENT_TOTAL_MAX_BYTES"]
    kept: list[Upload] = []
    refused: list[str] = []
    size = 0
    for file in files:
        upload = Upload(filename=file.filename, stream=io.BytesIO(file.content))
        try:
            [checked] = attachments.check_uploads([upload])
        except ValidationError as error:
            refused.extend(error.errors[attachments.FIELD])
            continue
        if len(kept) == count or size + checked.size > total:
            refused.append(
                _(
                    "“%(name)s”: one message may bring at most %(count)d files, %(size)s in all.",
                    name=checked.display_name,
                    count=count,
                    size=attachments.human_size(total),
                )
            )
            continue
        kept.append(upload)
        size += checked.size
    return kept, refused


def _one_line(text: str, limit: int) -> str:
    """``text`` fit for a one-line field: no control characters, within ``limit``."""
    return "".join(ch for ch in " ".join(text.split()) if ch.isprintable())[:limit].strip()


def _language_of(text: str) -> str | None:
    """Chinese for text in Chinese characters, else the centre's default (None)."""
    if _CJK.search(text):
        return next(
            (lang for lang in current_app.config["LANGUAGES"] if lang.startswith("zh")), None
        )
    return None
