"""Emails about ticket events, and the headers every outgoing email carries."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.mail.outgoing import build_message
from servicedesk.models import (
    EventKind,
    Message,
    MessageKind,
    OutboxMessage,
    Role,
    Ticket,
    TicketEvent,
    User,
)
from servicedesk.services import notifications, tickets

SENDER = "Service Centre <service@desk.test>"


def _reply(ticket: Ticket, author: User | None, body: str) -> TicketEvent:
    """A public reply as ``services.tickets.reply`` writes it, before its commit."""
    ticket.messages.append(
        Message(kind=MessageKind.REPLY, body=body, author=author, created_at=clock.now())
    )
    return _event(ticket, author, EventKind.REPLIED)


def _assign(ticket: Ticket, actor: User, assignee: User | None) -> TicketEvent:
    ticket.assignee = assignee
    new = None if assignee is None else str(assignee.id)
    return _event(ticket, actor, EventKind.ASSIGNED, new)


def _event(ticket: Ticket, actor: User | None, kind: str, new: str | None = None) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_label=actor.name if actor else "system",
        new_value=new,
        created_at=clock.now(),
    )
    db.session.add(event)
    return event


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_public_reply_is_emailed_to_the_customer_in_their_language(app, make_ticket, make_user):
    ticket = make_ticket(locale="zh_Hans_CN", email="buyer@plant.example.cn").ticket
    agent = make_user(name="Zhou Min")
    answer = "The seal kit ships today.\n<script>alert(1)</script> & tracking follows."

    queued = notifications.for_event(ticket, _reply(ticket, agent, answer))
    db.session.commit()

    [row] = _outbox()
    assert row is queued
    assert (row.kind, row.recipient, row.locale) == (
        "reply",
        "buyer@plant.example.cn",
        "zh_Hans_CN",
    )
    assert row.ticket_id == ticket.id
    assert ticket.subject in row.subject
    assert answer in row.body_text
    assert "Zhou Min" in row.body_text
    # Customer and agent text is escaped in HTML; links come from BASE_URL.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; tracking follows." in row.body_html
    assert "<script>" not in row.body_html
    assert '<html lang="zh-Hans-CN">' in row.body_html
    assert "http://desk.test/lost-link" in row.body_text
    assert 'href="http://desk.test/lost-link"' in row.body_html


def test_an_assignment_is_emailed_to_the_assignee(app, make_ticket, make_user):
    ticket = make_ticket().ticket
    supervisor = make_user(role=Role.SUPERVISOR, name="Lin Qiang")
    agent = make_user(locale="zh_Hans_CN", email="zhou.min@centre.example.com")

    notifications.for_event(ticket, _assign(ticket, supervisor, agent))
    db.session.commit()

    [row] = _outbox()
    assert (row.kind, row.recipient, row.locale) == (
        "assignment",
        "zhou.min@centre.example.com",
        "zh_Hans_CN",
    )
    assert "Lin Qiang" in row.body_text
    assert ticket.reference in row.body_text
    assert f"http://desk.test/desk/tickets/{ticket.reference}" in row.body_text


def test_nobody_is_told_what_they_did_themselves_nor_about_an_unassignment(
    app, make_ticket, make_user
):
    ticket = make_ticket().ticket
    agent = make_user()
    assert notifications.for_event(ticket, _assign(ticket, agent, agent)) is None
    assert notifications.for_event(ticket, _assign(ticket, agent, None)) is None
    db.session.commit()
    assert _outbox() == []


def test_other_events_send_nothing(app, make_ticket, make_user):
    ticket = make_ticket().ticket
    agent = make_user()
    for kind in (EventKind.NOTED, EventKind.ROUTED, EventKind.STATUS, EventKind.CREATED):
        assert notifications.for_event(ticket, _event(ticket, agent, kind, "x")) is None


def test_a_rolled_back_change_leaves_no_email(app, make_ticket, make_user):
    ticket = make_ticket().ticket
    notifications.for_event(ticket, _reply(ticket, make_user(), "On its way."))
    db.session.rollback()
    assert _outbox() == []


def test_the_services_queue_the_emails_in_the_changes_own_transaction(app, make_ticket, make_user):
    ticket = make_ticket().ticket
    agent, supervisor = make_user(), make_user(role=Role.SUPERVISOR)
    tickets.reply(ticket.id, agent, "Hello", version=None)
    tickets.assign(ticket.id, supervisor, agent.id, version=None)
    assert [row.kind for row in _outbox()] == ["reply", "assignment"]


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------


def test_mail_about_a_ticket_names_it_in_the_subject_and_the_thread(app, make_ticket):
    ticket = make_ticket().ticket
    row = OutboxMessage(
        id=41,
        kind="reply",
        ticket=ticket,
        recipient="buyer@plant.example.com",
        subject="Re: valve",
        body_text="Text",
        body_html="<p>Text</p>",
        locale="en",
        headers={"X-Campaign": "none"},
    )
    db.session.add(row)
    db.session.flush()

    message = build_message(row, sender=SENDER)

    reference = ticket.reference
    assert message["Subject"] == f"[{reference}] Re: valve"
    assert message["Message-ID"] == f"<{reference}.41@desk.test>"
    assert message["In-Reply-To"] == message["References"] == f"<{reference}@desk.test>"
    assert message["X-ServiceDesk"] == reference
    assert message["X-Campaign"] == "none"
    assert message.get_body(("html",)).get_content().strip() == "<p>Text</p>"

    row.subject = f"{reference}: received"
    assert build_message(row, sender=SENDER)["Subject"] == f"{reference}: received"


def test_mail_about_no_ticket_has_an_id_of_ours_and_no_thread(app):
    row = OutboxMessage(
        id=7,
        kind="lost_link",
        recipient="buyer@plant.example.com",
        subject="Your links",
        body_text="Text",
        locale="en",
        headers={},
    )
    db.session.add(row)
    db.session.flush()

    message = build_message(row, sender=SENDER)

    assert message["Message-ID"] == "<outbox.7@desk.test>"
    assert message["References"] is None
    assert message["Subject"] == "Your links"
    assert not message.is_multipart()
