"""Filing a request through the public form: one transaction, one confirmation."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Channel, Contact, Customer, Priority, Status, Ticket
from servicedesk.services import tickets
from servicedesk.services.outbox import enqueue as real_enqueue


def only_ticket() -> Ticket:
    db.session.expire_all()
    return db.session.scalars(select(Ticket)).one()


def test_a_valid_request_is_filed_in_intake_and_confirmed_once(portal, valid):
    response = portal.submit()
    assert response.status_code == 303
    assert response.headers["Location"] == "/submitted"

    ticket = only_ticket()
    assert (ticket.status, ticket.department.code, ticket.priority, ticket.channel) == (
        Status.NEW,
        "intake",
        Priority.NORMAL,
        Channel.WEB,
    )
    assert ticket.kind == "repair"
    assert ticket.subject == valid["subject"]
    assert ticket.product_ref == "PX-200 / SN 4471"
    assert ticket.extra == {}
    assert ticket.contact.email == valid["email"]
    assert ticket.contact.phone == valid["phone"]
    assert ticket.customer.name == "Shanghai Pump Works"
    assert [m.body for m in ticket.messages] == [valid["body"]]

    page = portal.client.get("/submitted")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert f'id="reference">{ticket.reference}<' in text
    link = re.search(r'id="tracking-link" type="text" readonly value="([^"]+)"', text).group(1)
    assert link.startswith("http://desk.test/t/")
    assert portal.client.get(link.removeprefix("http://desk.test")).status_code == 200

    # Shown once: a reload (or anyone after) sees neither the reference nor the link.
    again = portal.client.get("/submitted").get_data(as_text=True)
    assert ticket.reference not in again
    assert "/t/" not in again
    assert "You will find the reference number and your private tracking link" in again


def test_a_known_address_is_linked_to_its_contact_and_customer(portal, make_ticket, valid):
    earlier = make_ticket(email=valid["email"], name="Wang F.", company="Pumps Ltd")
    contacts = db.session.scalar(select(db.func.count()).select_from(Contact))

    portal.submit(email=valid["email"].upper())

    db.session.expire_all()
    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    assert ticket.contact_id == earlier.ticket.contact_id
    assert ticket.customer_id == earlier.ticket.customer_id
    assert db.session.scalar(select(db.func.count()).select_from(Contact)) == contacts
    assert db.session.scalars(select(Customer.name)).all() == ["Pumps Ltd"]


def test_one_confirmation_email_per_submission(portal, outbox, valid):
    portal.submit()
    portal.submit(subject="A second question")

    rows = outbox(kind="confirmation")
    assert len(rows) == 2
    tickets_ = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
    for row, ticket in zip(rows, tickets_, strict=True):
        assert row["recipient"] == valid["email"]
        assert row["ticket_id"] == ticket.id
        assert row["locale"] == "en"
        assert row["status"] == "pending"
        assert row["subject"] == f"{ticket.reference}: we have received your request"
        assert f"Subject: {ticket.subject}" in row["body_text"]
        assert "Handled by: Intake" in row["body_text"]


def test_confirmation_link_uses_base_url_never_the_host_header(portal, outbox):
    portal.submit(headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})

    (row,) = outbox(kind="confirmation")
    links = re.findall(r"https?://[^\s\"<]+", row["body_text"] + row["body_html"])
    assert links
    assert all(link.startswith("http://desk.test/t/") for link in links)
    assert "evil.example" not in row["body_text"] + row["body_html"]
    # The link works and opens this ticket.
    token = links[0].rsplit("/", 1)[1]
    ticket, _actor = tickets.open_with_token(token)
    assert ticket.reference in row["subject"]


def test_a_chinese_submission_gets_a_chinese_email(portal, outbox):
    portal.client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    response = portal.submit(
        headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        name="王芳",
        subject="水泵轴封漏水",
        body="自周一起持续漏水。",
    )
    assert response.status_code == 303

    (row,) = outbox(kind="confirmation")
    assert row["locale"] == "zh_Hans_CN"
    with force_locale("zh_Hans_CN"):
        greeting = gettext("Dear %(name)s,", name="王芳")
        heading = gettext("What happens next")
    assert greeting in row["body_text"]
    assert heading in row["body_text"]
    # Data in Chinese regardless of the catalogue: the department's Chinese name.
    assert "客户咨询部" in row["body_text"]
    assert "Intake" not in row["body_text"]
    assert only_ticket().contact.locale == "zh_Hans_CN"


def test_customer_text_is_escaped_in_the_html_email_and_plain_in_the_text(portal, outbox):
    portal.submit(name="<b>Eve</b> & Co", subject='<script>alert("x")</script>')

    (row,) = outbox(kind="confirmation")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in row["body_html"]
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; Co" in row["body_html"]
    assert "<script>" not in row["body_html"]
    assert 'Subject: <script>alert("x")</script>' in row["body_text"]
    assert "Dear <b>Eve</b> & Co," in row["body_text"]


def test_nothing_is_kept_when_the_confirmation_cannot_be_queued(portal, state, monkeypatch, png):
    def broken(**kwargs):
        real_enqueue(**kwargs)
        raise RuntimeError("mail template exploded")

    monkeypatch.setattr(tickets, "enqueue", broken)
    before = state()
    portal.client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = portal.submit(files=[(png, "photo.png")])
    assert response.status_code == 500
    assert state() == before  # no ticket, no contact, no outbox row, no file on disk


@pytest.mark.parametrize(
    "posted",
    [
        {"status": "closed"},
        {"department": "claims"},
        {"priority": "urgent"},
        {"channel": "api"},
        {"assignee_id": "1"},
        {"reference": "SD-1999-000001"},
        {"extra": '{"vip": true}'},
    ],
    ids=lambda posted: next(iter(posted)),
)
def test_extra_posted_fields_are_ignored(portal, posted):
    assert portal.submit(**posted).status_code == 303
    ticket = only_ticket()
    assert (ticket.status, ticket.department.code, ticket.priority) == (
        Status.NEW,
        "intake",
        Priority.NORMAL,
    )
    assert ticket.channel == Channel.WEB
    assert ticket.assignee_id is None
    assert ticket.reference.startswith("SD-2")
    assert ticket.extra == {}


def test_honeypot_pretends_success_and_stores_nothing(portal, state, outbox):
    before = state()
    response = portal.submit(website="http://cheap-pills.example")
    assert response.status_code == 303
    assert response.headers["Location"] == "/submitted"
    assert state() == before
    page = portal.client.get("/submitted").get_data(as_text=True)
    assert "Your request has been sent" in page


def test_the_honeypot_is_hidden_from_people(client):
    page = client.get("/").get_data(as_text=True)
    trap = re.search(r'<div class="sdp-hp" aria-hidden="true">.*?</div>', page, re.S).group(0)
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap
