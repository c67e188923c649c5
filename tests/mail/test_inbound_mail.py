"""Real-world emails land where they should: new tickets, replies, or nowhere."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicedesk.extensions import db
from servicedesk.models import (
    Attachment,
    Channel,
    InboundMail,
    InboundOutcome,
    Message,
    MessageKind,
    OutboxMessage,
    Status,
    Ticket,
)
from servicedesk.policy import SYSTEM
from servicedesk.services import attachments, inbound, tickets
from servicedesk.services.inbound import process_raw

KELLER = "m.keller@keller-maschinenbau.example.de"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _messages(ticket: Ticket) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
        )
    )


# --------------------------------------------------------------------------
# New requests
# --------------------------------------------------------------------------


def test_a_new_email_becomes_a_ticket_in_intake_and_is_confirmed(app, sample):
    result = process_raw(sample("plain_request.eml"))

    record = result.record
    assert (record.outcome, result.duplicate) == (InboundOutcome.CREATED, False)
    ticket = record.ticket
    assert ticket.channel == Channel.EMAIL
    assert ticket.department.code == "intake"
    assert ticket.status == Status.NEW
    assert ticket.subject == "Hydraulic press HP-400: pressure drops after 20 minutes"
    assert (ticket.contact.email, ticket.contact.name) == (KELLER, "Maria Keller")
    [message] = _messages(ticket)
    assert message.kind == MessageKind.CUSTOMER
    assert "serial HP4-2291-0457" in message.body
    [confirmation] = _outbox()
    assert (confirmation.kind, confirmation.recipient) == ("confirmation", KELLER)
    assert confirmation.ticket_id == ticket.id
    assert record.message_id == (
        "<8e1b2c3d-41f2-4a6e-9d1f-2b7a5c0e9f11@keller-maschinenbau.example.de>"
    )


def test_an_html_email_is_sanitised_and_kept_as_text(app, sample):
    ticket = process_raw(sample("html_only.eml")).record.ticket

    [message] = _messages(ticket)
    body = message.body
    assert "please send us a quote for 12 units of the conveyor belt CB-80 & spare rollers." in body
    assert "\nWidth: 800 mm\nDelivery: Tianjin\n" in body
    assert "Thanks,\nTom Baker\nPurchasing, Baker Logistics" in body
    for unwanted in ("<", "evil.example", "document.cookie", "tracker.example", "MsoNormal"):
        assert unwanted not in body


def test_attachments_are_kept_under_the_web_forms_rules(app, sample):
    ticket = process_raw(sample("attachments.eml")).record.ticket

    [message] = _messages(ticket)
    kept = {a.filename: a for a in message.attachments}
    assert set(kept) == {"检验报告.pdf", "logo.png"}
    assert kept["检验报告.pdf"].content_type == "application/pdf"
    assert attachments.path_of(kept["检验报告.pdf"]).read_bytes().startswith(b"%PDF-1.4")
    # A program disguised as a PDF is refused, and the message says so.
    assert "report_viewer.pdf.exe" in message.body
    assert message.body.startswith("Hello,\n\nattached is the inspection report")


def test_files_beyond_the_forms_limits_are_listed_not_kept(app, sample):
    app.config["ATTACHMENT_MAX_COUNT"] = 1
    ticket = process_raw(sample("attachments.eml")).record.ticket

    [message] = _messages(ticket)
    # Attached files come before pictures shown within the text.
    assert [a.filename for a in message.attachments] == ["检验报告.pdf"]
    assert "logo.png" in message.body and "at most 1 files" in message.body


def test_a_chinese_email_labelled_gb2312_decodes_and_is_answered_in_chinese(app, sample):
    ticket = process_raw(sample("gbk_chinese.eml")).record.ticket

    # 喆 is in GBK but not in GB2312, though the mail says gb2312.
    assert ticket.subject == "数控车床主轴异响，请安排维修"
    assert ticket.contact.name == "王喆"
    [message] = _messages(ticket)
    assert "联系人：王喆" in message.body
    assert "型号CK6150" in message.body
    [confirmation] = _outbox()
    assert confirmation.locale == "zh_Hans_CN"
    assert ticket.contact.locale == "zh_Hans_CN"


# --------------------------------------------------------------------------
# Mail no person wrote
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("auto_reply_outlook.eml", InboundOutcome.AUTOMATIC),
        ("auto_reply_qq.eml", InboundOutcome.AUTOMATIC),
        ("newsletter.eml", InboundOutcome.AUTOMATIC),
        ("bounce.eml", InboundOutcome.BOUNCE),
        ("own_notification.eml", InboundOutcome.LOOP),
    ],
)
def test_mail_no_person_wrote_is_recorded_and_not_answered(
    app, sample, keller_ticket, name, outcome
):
    before = (_count(Ticket), _count(Message), _count(OutboxMessage))

    record = process_raw(sample(name)).record

    assert (record.outcome, record.ticket_id) == (outcome, None)
    assert (_count(Ticket), _count(Message), _count(OutboxMessage)) == before


def test_mail_from_our_own_address_is_a_loop(app):
    raw = b"From: service@desk.test\r\nTo: service@desk.test\r\nSubject: Test\r\n\r\nHello\r\n"
    assert process_raw(raw).record.outcome == InboundOutcome.LOOP


# --------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------


def test_a_reply_quoting_the_reference_joins_its_ticket(app, sample, keller_ticket):
    record = process_raw(sample("reply_with_reference.eml")).record

    assert record.outcome == InboundOutcome.APPENDED
    assert record.ticket_id == keller_ticket.id
    _first, reply = _messages(keller_ticket)
    assert reply.kind == MessageKind.CUSTOMER
    assert reply.contact_id == keller_ticket.contact_id
    assert "hall 3 – please report at gate B" in reply.body
    assert _count(Ticket) == 1
    assert _outbox() == []  # no confirmation for a reply


def test_a_reply_found_by_its_thread_headers_alone_joins_its_ticket(app, sample, keller_ticket):
    record = process_raw(sample("reply_thread_only.eml")).record

    assert (record.outcome, record.ticket_id) == (InboundOutcome.APPENDED, keller_ticket.id)


def test_a_reply_reopens_a_ticket_waiting_for_the_customer(app, sample, keller_ticket):
    tickets.set_status(keller_ticket.id, SYSTEM, Status.PENDING, version=None)

    process_raw(sample("reply_with_reference.eml"))

    db.session.refresh(keller_ticket)
    assert keller_ticket.status == Status.OPEN


def test_a_reply_from_another_address_becomes_a_ticket_of_its_own(app, sample, keller_ticket):
    record = process_raw(sample("forged_reply.eml")).record

    assert record.outcome == InboundOutcome.CREATED
    assert record.ticket_id != keller_ticket.id
    assert "SD-2026-000001" in record.detail
    assert len(_messages(keller_ticket)) == 1  # untouched
    [confirmation] = _outbox()
    assert confirmation.recipient == "maria.keller.service@freemail.example.net"
    assert confirmation.ticket_id == record.ticket_id


def test_a_reply_to_a_closed_ticket_becomes_a_new_ticket(app, sample, keller_ticket):
    tickets.close(keller_ticket.id, SYSTEM, version=None)

    record = process_raw(sample("reply_with_reference.eml")).record

    assert record.outcome == InboundOutcome.CREATED
    assert record.ticket_id != keller_ticket.id
    assert "closed" in record.detail
    assert len(_messages(keller_ticket)) == 1


def test_a_follow_up_to_the_customers_own_email_joins_the_same_ticket(app, sample):
    ticket_id = process_raw(sample("plain_request.eml")).record.ticket_id
    follow_up = (
        f"From: Maria Keller <{KELLER}>\r\nTo: service@desk.test\r\n"
        "Subject: Re: Hydraulic press HP-400\r\n"
        "Message-ID: <second@keller-maschinenbau.example.de>\r\n"
        "In-Reply-To: <8e1b2c3d-41f2-4a6e-9d1f-2b7a5c0e9f11@keller-maschinenbau.example.de>\r\n"
        "\r\nI forgot: the press was serviced in January.\r\n"
    ).encode()

    record = process_raw(follow_up).record

    assert (record.outcome, record.ticket_id) == (InboundOutcome.APPENDED, ticket_id)


# --------------------------------------------------------------------------
# Once, and only what can be filed
# --------------------------------------------------------------------------


def test_the_same_email_fetched_twice_is_filed_once(app, sample):
    first = process_raw(sample("plain_request.eml"))
    second = process_raw(sample("plain_request.eml"))

    assert second.duplicate
    assert second.record.id == first.record.id
    assert (_count(Ticket), _count(OutboxMessage), _count(InboundMail)) == (1, 1, 1)


def test_a_worker_that_loses_the_race_to_file_an_email_files_nothing(app, sample, monkeypatch):
    first = process_raw(sample("plain_request.eml"))
    looked_up = []
    real = inbound._filed

    def not_yet_seen_the_first_time(message_id):
        looked_up.append(message_id)
        return None if len(looked_up) == 1 else real(message_id)

    monkeypatch.setattr(inbound, "_filed", not_yet_seen_the_first_time)
    second = process_raw(sample("plain_request.eml"))

    assert second.duplicate and second.record.id == first.record.id
    assert (_count(Ticket), _count(Message), _count(OutboxMessage), _count(Attachment)) == (
        1,
        1,
        1,
        0,
    )


def test_a_message_without_a_message_id_is_known_by_its_content(app):
    raw = b"From: buyer@plant.example.com\r\nSubject: Spare parts list\r\n\r\nPlease send it.\r\n"
    first, second = process_raw(raw), process_raw(raw)

    assert first.record.message_id.startswith("<sha256.")
    assert second.duplicate
    assert _count(Ticket) == 1


def test_an_email_without_a_usable_sender_is_refused(app):
    raw = b"From: undisclosed-recipients:;\r\nSubject: Hello\r\nMessage-ID: <x@y>\r\n\r\nHi\r\n"

    record = process_raw(raw).record

    assert (record.outcome, record.ticket_id) == (InboundOutcome.REFUSED, None)
    assert record.detail
    assert _count(Ticket) == 0


def test_an_empty_email_still_becomes_a_ticket(app):
    raw = b"From: buyer@plant.example.com\r\nMessage-ID: <e@plant>\r\n\r\n"

    ticket = process_raw(raw).record.ticket

    assert ticket.subject == "(no subject)"
    assert _messages(ticket)[0].body == "(The email had no text.)"
