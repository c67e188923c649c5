"""The worker delivers the outbox through a real SMTP server, once per message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Department, OutboxMessage, OutboxStatus, Role
from servicedesk.policy import SYSTEM
from servicedesk.services import delivery
from servicedesk.services.errors import PermissionDenied


@pytest.fixture
def app_config(app_config):
    return app_config | {"OUTBOX_MAX_ATTEMPTS": 3}


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _confirmed_ticket(make_ticket, **fields):
    created = make_ticket(send_confirmation=True, **fields)
    [row] = [r for r in _outbox() if r.ticket_id == created.ticket.id]
    assert row.kind == "confirmation"
    return created


def test_a_confirmation_is_delivered_once_in_the_customers_language(app, smtp, make_ticket):
    smtp.start()
    created = _confirmed_ticket(make_ticket, locale="zh_Hans_CN", email="buyer@factory.example.cn")
    ticket = created.ticket
    reference = ticket.reference
    intake = db.session.scalar(select(Department).filter_by(code="intake"))

    report = delivery.deliver_due()

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [mail] = smtp.inbox.messages
    assert mail["To"] == "buyer@factory.example.cn"
    assert mail["From"] == "Service Centre <service@desk.test>"
    assert reference in mail["Subject"]
    assert mail["Message-ID"].startswith(f"<{reference}.") and mail["Message-ID"].endswith(
        "@desk.test>"
    )
    assert mail["References"] == f"<{reference}@desk.test>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-ServiceDesk"] == reference
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    # The link is built from BASE_URL, whatever host the request came in on.
    assert f"http://desk.test/t/{created.token}" in text
    assert f'href="http://desk.test/t/{created.token}"' in html
    # Rendered in Chinese: the page language and the department's Chinese name.
    assert '<html lang="zh-Hans-CN">' in html
    assert intake.name_zh in text
    [row] = _outbox()
    assert row.status == OutboxStatus.SENT
    assert row.sent_at is not None and row.attempts == 1

    assert delivery.deliver_due() == delivery.DeliveryReport()
    assert len(smtp.inbox.messages) == 1


def test_while_smtp_is_down_mail_waits_with_back_off_then_goes_out_once(app, smtp, make_ticket):
    # Nothing listens on the port yet.
    start = clock.now()
    addresses = [f"customer{n}@plant.example.com" for n in range(3)]
    for address in addresses:
        _confirmed_ticket(make_ticket, email=address)

    first = delivery.deliver_due()

    assert (first.sent, first.retrying, first.failed) == (0, 3, 0)
    rows = _outbox()
    assert {r.status for r in rows} == {OutboxStatus.PENDING}
    assert {r.attempts for r in rows} == {1}
    assert all("Connection" in r.last_error for r in rows)
    assert all(r.next_attempt_at >= start + timedelta(seconds=60) for r in rows)
    # Not due yet: nobody tries, however often the job runs.
    assert delivery.deliver_due() == delivery.DeliveryReport()

    # Still down at the next attempt: the wait doubles.
    with clock.at(start + timedelta(seconds=61)):
        assert delivery.deliver_due().retrying == 3
    rows = _outbox()
    assert {r.attempts for r in rows} == {2}
    assert all(r.next_attempt_at >= start + timedelta(seconds=61 + 120) for r in rows)

    smtp.start()
    with clock.at(start + timedelta(seconds=100)):
        assert delivery.deliver_due() == delivery.DeliveryReport()  # back, but not yet due
    with clock.at(start + timedelta(seconds=200)):
        assert delivery.deliver_due().sent == 3
        assert delivery.deliver_due() == delivery.DeliveryReport()

    received = smtp.inbox.messages
    assert sorted(m["To"] for m in received) == addresses
    assert len({m["Message-ID"] for m in received}) == 3
    assert {r.status for r in _outbox()} == {OutboxStatus.SENT}


def test_after_the_last_attempt_a_message_fails_and_an_admin_can_retry_it(
    app, smtp, make_ticket, make_user
):
    _confirmed_ticket(make_ticket, email="buyer@plant.example.com")
    start = clock.now()
    for minutes in (0, 2, 5):
        with clock.at(start + timedelta(minutes=minutes)):
            delivery.deliver_due()
    [row] = _outbox()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error

    admin = make_user(role=Role.ADMIN)
    agent = make_user()
    assert delivery.outbox_messages(admin) == [row]
    with pytest.raises(PermissionDenied):
        delivery.outbox_messages(agent)
    with pytest.raises(PermissionDenied):
        delivery.retry(agent)

    smtp.start()
    with clock.at(start + timedelta(hours=1)):
        assert delivery.deliver_due() == delivery.DeliveryReport()  # failed stays failed
        assert delivery.retry(admin, [row.id]) == 1
        assert delivery.deliver_due().sent == 1
    assert len(smtp.inbox.messages) == 1
    assert delivery.outbox_messages(admin) == []


def test_an_address_the_server_refuses_for_good_fails_at_once(app, smtp, make_ticket):
    smtp.start()
    smtp.inbox.refused.add("nobody@plant.example.com")
    _confirmed_ticket(make_ticket, email="nobody@plant.example.com")
    _confirmed_ticket(make_ticket, email="buyer@plant.example.com")

    report = delivery.deliver_due()

    assert (report.sent, report.failed) == (1, 1)
    failed = next(r for r in _outbox() if r.recipient == "nobody@plant.example.com")
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 1)
    assert "550" in failed.last_error
    assert [m["To"] for m in smtp.inbox.messages] == ["buyer@plant.example.com"]


def test_a_message_claimed_by_a_worker_is_left_alone_until_its_claim_runs_out(
    app, smtp, make_ticket
):
    smtp.start()
    _confirmed_ticket(make_ticket)
    start = clock.now()
    [row] = _outbox()
    # As a worker leaves it when it dies between claiming and sending.
    row.status = OutboxStatus.SENDING
    row.next_attempt_at = start + delivery.CLAIM
    db.session.commit()

    assert delivery.deliver_due() == delivery.DeliveryReport()
    assert delivery.retry(SYSTEM) == 0  # retrying never steals a live claim
    with clock.at(start + delivery.CLAIM + timedelta(seconds=1)):
        assert delivery.deliver_due().sent == 1
    assert len(smtp.inbox.messages) == 1


def test_a_header_that_cannot_be_sent_fails_without_retries(app, smtp):
    smtp.start()
    message = OutboxMessage(
        kind="test",
        recipient="buyer@plant.example.com",
        subject="Hello",
        body_text="Hello",
        locale="en",
        headers={"X-Note": "two\r\nlines"},
    )
    db.session.add(message)
    db.session.commit()

    assert delivery.deliver_due().failed == 1
    [row] = _outbox()
    assert row.status == OutboxStatus.FAILED
    assert smtp.inbox.messages == []


def test_without_an_smtp_host_mail_stays_in_the_outbox(app, make_ticket, caplog):
    app.config["SMTP_HOST"] = ""
    _confirmed_ticket(make_ticket)

    assert delivery.deliver_due() == delivery.DeliveryReport()

    [row] = _outbox()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert "SERVICEDESK_SMTP_HOST" in caplog.text
