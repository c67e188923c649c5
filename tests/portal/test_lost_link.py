"""Lost links: the same answer for every address; fresh links by email to the owner."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Ticket, TicketEvent
from servicedesk.services import tickets

EMAIL = "wang.fang@pumps.example.cn"


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


def answer(portal, email: str) -> tuple[int, str, str]:
    """Status, redirect target and the page it leads to (minus the per-session token)."""
    response = portal.lost_link(email)
    page = portal.client.get(response.headers["Location"]).get_data(as_text=True)
    page = re.sub(r'"csrf_token" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", page)
    return response.status_code, response.headers["Location"], page


def test_the_answer_is_the_same_for_known_and_unknown_addresses(portal, admin):
    portal.file_request(email=EMAIL)
    _ref, path = portal.file_request(email="closed@pumps.example.cn")
    closed = tickets.open_with_token(path.rsplit("/", 1)[1])[0]
    tickets.close(closed.id, admin, version=None)

    known = answer(portal, EMAIL)
    unknown = answer(portal, "nobody@nowhere.example")
    only_closed = answer(portal, "closed@pumps.example.cn")
    assert known == unknown == only_closed
    status, location, page = known
    assert (status, location) == (303, "/lost-link/sent")
    assert "If we have open requests for this address, we have emailed the links to it." in page


def test_one_email_with_fresh_links_for_the_open_tickets(portal, outbox, admin):
    ref_1, old_1 = portal.file_request(email=EMAIL, subject="First")
    ref_2, old_2 = portal.file_request(email=EMAIL, subject="Second")
    ref_3, old_3 = portal.file_request(email=EMAIL, subject="Done")
    done = tickets.open_with_token(old_3.rsplit("/", 1)[1])[0]
    tickets.close(done.id, admin, version=None)
    versions = {t.reference: t.version for t in db.session.scalars(select(Ticket))}

    portal.lost_link(EMAIL.upper())

    (mail,) = outbox(kind="lost_link")
    assert mail["recipient"] == EMAIL
    assert mail["ticket_id"] is None
    assert "The links we sent you before no longer work" in mail["body_text"]
    links = re.findall(r"^http://desk\.test(/t/\S+)$", mail["body_text"], re.M)
    assert len(links) == 2
    assert ref_3 not in mail["body_text"]
    # Newest first, each with its reference and subject.
    assert mail["body_text"].index(ref_2) < mail["body_text"].index(ref_1)
    assert f"{ref_1}: First (New)" in mail["body_text"]

    # The new links open the right tickets; the old ones are dead; the closed one's still works.
    opened = {portal.client.get(link).status_code for link in links}
    assert opened == {200}
    assert "Second" in portal.client.get(links[0]).get_data(as_text=True)
    assert portal.client.get(old_1).status_code == 404
    assert portal.client.get(old_2).status_code == 404
    assert portal.client.get(old_3).status_code == 200

    # Audited, and nothing an agent must review: versions unchanged.
    db.session.expire_all()
    events = db.session.scalars(
        select(TicketEvent.kind).join(Ticket).where(TicketEvent.kind == "link_reissued")
    ).all()
    assert len(events) == 2
    assert {t.reference: t.version for t in db.session.scalars(select(Ticket))} == versions


def test_nothing_is_written_for_an_unknown_address(portal, state):
    portal.file_request(email=EMAIL)
    before = state()
    portal.lost_link("someone.else@pumps.example.cn")
    assert state() == before


def test_the_email_is_in_the_customers_language(portal, outbox):
    portal.submit(email=EMAIL, headers={"Accept-Language": "zh-CN"})
    portal.lost_link(EMAIL)
    (mail,) = outbox(kind="lost_link")
    assert mail["locale"] == "zh_Hans_CN"


def test_a_malformed_address_is_refused_beside_the_field(portal, state):
    before = state()
    response = portal.lost_link("not-an-address\r\nBcc: x@example.com")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-email-error">' in page
    assert 'aria-invalid="true"' in page
    assert state() == before


def test_the_lost_link_page_has_a_labelled_field_and_a_honeypot(client):
    page = client.get("/lost-link").get_data(as_text=True)
    assert '<label class="form-label" for="f-email">Email address</label>' in page
    assert 'name="website"' in page


def test_the_lost_link_honeypot_sends_nothing(portal, state, outbox):
    portal.file_request(email=EMAIL)
    before = state()
    response = portal.lost_link(EMAIL, website="spam")
    assert response.headers["Location"] == "/lost-link/sent"
    assert state() == before
