"""The service layer behind the portal: one transaction, bounded plugin data, no stray files."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from servicedesk.extensions import db
from servicedesk.models import Attachment, Ticket
from servicedesk.services import tickets
from servicedesk.services.attachments import Upload
from servicedesk.services.errors import ValidationError
from servicedesk.services.tokens import hash_token


def files_on_disk(app) -> list[Path]:
    folder = Path(app.config["ATTACHMENT_DIR"])
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def new_request(png: bytes, **fields):
    values = {
        "subject": "Gearbox noise",
        "body": "Loud noise since Monday.",
        "email": "li.lei@gears.example.com",
        "name": "Li Lei",
        "kind": "repair",
    } | fields
    return tickets.create_ticket(attachments=[Upload("noise.png", io.BytesIO(png))], **values)


def test_create_ticket_stores_product_reference_extra_and_files(app, png):
    new = new_request(png, product_ref="GB-9 / order 7781", extra={"units": 2, "note": "说明"})
    db.session.expire_all()
    ticket = db.session.get(Ticket, new.ticket.id)
    assert ticket.product_ref == "GB-9 / order 7781"
    assert ticket.extra == {"units": 2, "note": "说明"}
    (attachment,) = ticket.messages[0].attachments
    assert attachment.filename == "noise.png"
    assert files_on_disk(app) == [
        Path(app.config["ATTACHMENT_DIR"]) / attachment.storage_key[:2] / attachment.storage_key[2:]
    ]


def test_files_are_removed_when_the_transaction_fails(app, png, monkeypatch, state):
    before = state()

    def failing(moment):
        raise RuntimeError("counter table locked")

    monkeypatch.setattr(tickets, "next_reference", failing)
    with pytest.raises(RuntimeError):
        new_request(png)
    assert files_on_disk(app) == []
    assert state() == before


def test_files_are_removed_when_the_commit_fails(app, png, monkeypatch, state, make_ticket):
    taken = make_ticket()
    token = "x" * 43
    db.session.execute(
        db.update(Ticket)
        .where(Ticket.id == taken.ticket.id)
        .values(access_token_hash=hash_token(token))
    )
    db.session.commit()
    before = state()
    # The same token hash twice: the database refuses the row at commit time.
    monkeypatch.setattr(tickets, "new_token", lambda: (token, hash_token(token)))
    with pytest.raises(IntegrityError):
        new_request(png)
    db.session.rollback()
    assert files_on_disk(app) == []
    assert state() == before


def test_customer_message_with_files(app, png, make_ticket):
    new = make_ticket()
    _ticket, customer = tickets.open_with_token(new.token)
    message = tickets.add_customer_message(
        new.ticket.id, customer, "Photo attached", attachments=[Upload("p.png", io.BytesIO(png))]
    )
    assert [a.filename for a in message.attachments] == ["p.png"]
    assert len(files_on_disk(app)) == 1


def test_customer_message_refused_on_a_closed_ticket_leaves_no_file(
    app, png, make_ticket, make_user
):
    new = make_ticket()
    tickets.close(new.ticket.id, make_user(role="admin"), version=None)
    _ticket, customer = tickets.open_with_token(new.token)
    with pytest.raises(ValidationError):
        tickets.add_customer_message(
            new.ticket.id, customer, "Hello", attachments=[Upload("p.png", io.BytesIO(png))]
        )
    assert files_on_disk(app) == []
    assert db.session.scalars(select(Attachment)).all() == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("not a dict", "extra"),
        ({"Bad Name": "x"}, "extra"),
        ({"subject": "clash with a core field"}, "extra"),
        ({1: "x"}, "extra"),
        ({"note": "nul\x00byte"}, "note"),
        ({"note": "\ud800"}, "note"),
        ({"ratio": math.nan}, "ratio"),
        ({"big": 2**60}, "big"),
        ({"obj": object()}, "obj"),
        ({"deep": [[[["too deep"]]]]}, "deep"),
        ({f"f{i}": i for i in range(31)}, "extra"),
        ({"long": "x" * 10_001}, "extra"),
    ],
)
def test_extra_must_be_bounded_json(app, make_ticket, state, extra, field):
    before = state()
    with pytest.raises(ValidationError) as refused:
        make_ticket(extra=extra)
    assert field in refused.value.errors
    assert state() == before


def test_extra_takes_json_values(app, make_ticket):
    extra = {"serial": "AB-1234", "units": 3, "ok": True, "none": None, "tags": ["a", {"b": 1.5}]}
    assert make_ticket(extra=extra).ticket.extra == extra


def test_reissue_links_for_an_unknown_address_does_nothing(app, state):
    before = state()
    assert tickets.reissue_links("nobody@example.com", locale="en") == 0
    assert state() == before


def test_reissue_links_refuses_a_malformed_address(app):
    with pytest.raises(ValidationError):
        tickets.reissue_links("nobody\r\n@example.com", locale="en")
