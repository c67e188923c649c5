"""Outbox rows as email messages, with the headers that let replies find their ticket.

Every message about a ticket carries the ticket's reference in its subject
(``[SD-2026-000123] ...``), a Message-ID we control
(``<SD-2026-000123.45@mail-domain>``, 45 being the outbox row) and a
References header naming the ticket's thread (``<SD-2026-000123@mail-domain>``),
so mail programs group a ticket's messages and an answer to any of them can be
matched (``servicedesk.services.inbound``). The ``X-ServiceDesk`` and
``Auto-Submitted`` headers mark our mail as automatic, so that neither we nor
other well-behaved systems answer it.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from servicedesk.models import OutboxMessage

LOOP_HEADER = "X-ServiceDesk"


def mail_domain(sender: str) -> str:
    """The domain of our Message-IDs: the one we send from."""
    return parseaddr(sender)[1].rpartition("@")[2].lower() or "localhost"


def message_id(outbox_id: int, reference: str | None, domain: str) -> str:
    return f"<{reference or 'outbox'}.{outbox_id}@{domain}>"


def thread_id(reference: str, domain: str) -> str:
    return f"<{reference}@{domain}>"


def references_in(text: str, prefix: str) -> list[str]:
    """Ticket references (``SD-2026-000123``) in ``text``, in order of appearance."""
    pattern = rf"(?<![A-Za-z0-9]){_reference(prefix)}(?!\d)"
    return [match.upper() for match in re.findall(pattern, text, flags=re.IGNORECASE)]


def our_reference(value: str, prefix: str, domain: str) -> str | None:
    """The ticket reference in a Message-ID of ours (``OUTBOX`` for mail about none).

    None for anyone else's, including other IDs at our domain: only the exact
    shapes ``message_id`` and ``thread_id`` make count.
    """
    pattern = rf"<({_reference(prefix)}|outbox)(?:\.\d+)?@{re.escape(domain)}>"
    match = re.fullmatch(pattern, value.strip(), flags=re.IGNORECASE)
    return match.group(1).upper() if match else None


def _reference(prefix: str) -> str:
    return rf"{re.escape(prefix)}-\d{{4}}-\d{{6,}}"


def build_message(row: OutboxMessage, *, sender: str) -> EmailMessage:
    """The email for ``row``, as the SMTP server will get it.

    Raises ``ValueError`` for a header that cannot be sent (a line break in
    it, say): no retry will change that.
    """
    domain = mail_domain(sender)
    reference = row.ticket.reference if row.ticket else None
    subject = row.subject
    if reference and reference not in subject:
        subject = f"[{reference}] {subject}"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = row.recipient
    # When it was written, not when a retry finally got it out.
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = message_id(row.id, reference, domain)
    if reference:
        message["In-Reply-To"] = thread_id(reference, domain)
        message["References"] = thread_id(reference, domain)
    message["Auto-Submitted"] = "auto-generated"
    # Asks Exchange not to send out-of-office answers to it.
    message["X-Auto-Response-Suppress"] = "All"
    message[LOOP_HEADER] = reference or "outbox"
    for name, value in (row.headers or {}).items():
        message[name] = value
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message
