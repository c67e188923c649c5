"""The tracking page: the customer's view of one ticket, opened by its token only."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Attachment, Message, Status, Ticket
from servicedesk.services import tickets
from servicedesk.services.errors import Conflict


@pytest.fixture
def agent(make_user):
    return make_user(role="admin")


@pytest.fixture
def filed(portal, png):
    """A request filed through the form with a photo: (reference, tracking path)."""
    return portal.file_request(files=[(png, "photo.png")])


def ticket_of(reference: str) -> Ticket:
    db.session.expire_all()
    return db.session.scalars(select(Ticket).where(Ticket.reference == reference)).one()


def page_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "headline"),
    [
        (Status.NEW, "Received"),
        (Status.OPEN, "We are working on it"),
        (Status.PENDING, "Waiting for your reply"),
        (Status.RESOLVED, "Resolved — tell us if it is not"),
        (Status.CLOSED, "Closed"),
    ],
)
def test_the_status_in_the_customers_words(portal, filed, agent, status, headline):
    reference, path = filed
    if status != Status.NEW:
        tickets.set_status(ticket_of(reference).id, agent, status, version=None)
    page = page_of(portal.client, path)
    assert f'<p class="sdp-track-headline mb-0">{headline}</p>' in page


def test_the_page_shows_the_ticket_its_department_and_public_thread(portal, filed, agent):
    reference, path = filed
    ticket = ticket_of(reference)
    tickets.route(ticket.id, agent, "sales", version=None)
    tickets.reply(ticket.id, agent, "We will send a technician on Tuesday.", version=None)
    tickets.add_note(ticket.id, agent, "INTERNAL: customer is on credit hold", version=None)

    page = page_of(portal.client, path)
    assert '<h1 class="h3 fw-semibold mb-3 sdp-break">Pump leaks at the seal</h1>' in page
    assert f'<dd class="sd-ref">{reference}</dd>' in page
    assert "<dt>Handled by</dt><dd>Sales</dd>" in page
    assert "Since Monday the PX-200 pump leaks at the shaft seal." in page
    assert "We will send a technician on Tuesday." in page
    assert "INTERNAL" not in page
    assert "credit hold" not in page
    assert page.count('class="sdp-msg ') == 2


def test_the_department_is_named_in_the_customers_language(portal, filed, agent):
    reference, path = filed
    tickets.route(ticket_of(reference).id, agent, "sales", version=None)
    page = portal.client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<dd>销售部</dd>" in page


def test_dates_are_in_the_centres_time_zone(portal, filed):
    reference, path = filed
    created = ticket_of(reference).created_at
    page = page_of(portal.client, path)
    local = created.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in page


def test_tracking_pages_are_private(portal, filed):
    _reference, path = filed
    for url in (path, "/t/" + "A" * 43):
        response = portal.client.get(url)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_a_reply_is_added_and_shown(portal, filed):
    reference, path = filed
    response = portal.reply(path, body="The leak got worse overnight.")
    assert response.status_code == 303
    assert response.headers["Location"] == path + "#latest"
    page = page_of(portal.client, path)
    assert "Your message has been sent." in page
    assert '<li class="sdp-msg sdp-msg-mine" id="latest">' in page
    assert "The leak got worse overnight." in page
    bodies = db.session.scalars(
        select(Message.body)
        .where(Message.ticket_id == ticket_of(reference).id)
        .order_by(Message.id)
    ).all()
    assert bodies[-1] == "The leak got worse overnight."


@pytest.mark.parametrize("status", [Status.PENDING, Status.RESOLVED])
def test_a_reply_reopens_a_waiting_or_resolved_ticket(portal, filed, agent, status):
    reference, path = filed
    tickets.set_status(ticket_of(reference).id, agent, status, version=None)
    assert "Your message reopens the request." in page_of(portal.client, path)
    portal.reply(path, body="Still broken.")
    assert ticket_of(reference).status == Status.OPEN


def test_a_closed_ticket_says_so_instead_of_taking_replies(portal, filed, agent, state):
    reference, path = filed
    tickets.close(ticket_of(reference).id, agent, version=None)
    page = page_of(portal.client, path)
    assert "This request is closed, so it cannot take new messages." in page
    assert 'action="' + path + "/reply" not in page

    before = state()
    response = portal.reply(path, body="Hello?")
    assert response.status_code == 422
    assert "This request is closed, so it cannot take new messages." in response.get_data(
        as_text=True
    )
    assert state() == before


def test_an_empty_reply_is_refused_beside_the_field(portal, filed, state):
    _reference, path = filed
    before = state()
    response = portal.reply(path, body="  ")
    assert response.status_code == 422
    assert 'id="f-body-error">This field is required.</div>' in response.get_data(as_text=True)
    assert state() == before


def test_the_reference_alone_never_opens_a_ticket(portal, filed):
    reference, _path = filed
    for url in (f"/t/{reference}", f"/t/{reference.lower()}", f"/t/{reference}/files/1"):
        assert portal.client.get(url).status_code == 404


def test_a_reply_without_a_valid_token_is_404(portal, filed, state):
    before = state()
    response = portal.client.post(
        "/t/" + "B" * 43 + "/reply", data={"csrf_token": portal.token(), "body": "hi"}
    )
    assert response.status_code == 404
    assert state() == before


CSRF_TOKEN = re.compile(r'(?<=X-CSRFToken": ")[^"]+|(?<=name="csrf_token" value=")[^"]+')


def normalised_404(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    # The only differences allowed: the page names its own address (language switcher) and
    # carries a CSRF token, which is signed with a timestamp.
    page = response.get_data(as_text=True).replace(url, "<URL>")
    return response.status_code, CSRF_TOKEN.sub("<CSRF>", page)


def test_one_tickets_token_cannot_read_another_ticket_or_its_files(portal, png):
    _ref_a, path_a = portal.file_request(files=[(png, "a.png")], subject="Ticket A")
    ref_b, path_b = portal.file_request(files=[(png, "b.png")], subject="Ticket B")
    file_b = db.session.scalars(
        select(Attachment.id).join(Message).join(Ticket).where(Ticket.reference == ref_b)
    ).one()

    page_a = page_of(portal.client, path_a)
    assert "Ticket A" in page_a
    assert "Ticket B" not in page_a
    assert "b.png" not in page_a

    # B's file through A's token: refused exactly as a file that does not exist.
    assert portal.client.get(f"{path_b}/files/{file_b}").status_code == 200
    forbidden = normalised_404(portal.client, f"{path_a}/files/{file_b}")
    missing = normalised_404(portal.client, f"{path_a}/files/999999")
    assert forbidden[0] == missing[0] == 404
    assert forbidden == missing
    # ... and as a token that does not exist at all.
    unknown_token = normalised_404(portal.client, "/t/" + "C" * 43 + f"/files/{file_b}")
    assert unknown_token == missing
    for bad_id in ("0", "-1", str(2**31), str(2**63), "abc", "1.5"):
        assert normalised_404(portal.client, f"{path_a}/files/{bad_id}") == missing


def test_files_of_internal_notes_are_never_served(portal, filed, agent, app):
    reference, path = filed
    note = tickets.add_note(ticket_of(reference).id, agent, "scan", version=None)
    public = db.session.scalars(select(Attachment)).one()
    # A note with a file (the desk may add them one day): not downloadable by the customer.
    secret = Attachment(
        message_id=note.id,
        storage_key=public.storage_key[::-1],
        filename="internal.png",
        size=public.size,
        content_type="image/png",
        sha256=public.sha256,
    )
    db.session.add(secret)
    db.session.commit()
    assert normalised_404(portal.client, f"{path}/files/{secret.id}") == normalised_404(
        portal.client, f"{path}/files/999999"
    )
    assert "internal.png" not in page_of(portal.client, path)


def test_a_reply_racing_an_agents_change_asks_to_send_again(portal, filed, monkeypatch):
    _reference, path = filed

    def racing(*args, **kwargs):
        raise Conflict("changed", current_version=2)

    monkeypatch.setattr(tickets, "add_customer_message", racing)
    response = portal.reply(path, body="Any news?")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Your request was just updated. Please send again." in page
    assert ">Any news?</textarea>" in page
