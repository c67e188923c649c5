"""Every service function, given bad input, refuses it cleanly and writes nothing.

"Cleanly" means a ``ValidationError`` naming the offending field (or ``NotFound``
for an id that could exist but does not), never a database error: PostgreSQL
rejects NUL bytes, lone surrogates and integers of 2**31 and above, SQLite
would store them, so only checks in the service layer keep both databases alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Department, Ticket, User
from servicedesk.policy import CustomerActor
from servicedesk.services import tickets, users
from servicedesk.services.errors import NotFound, ValidationError
from servicedesk.testing import PASSWORD

LONG_BODY = "x" * 100_000
BAD_IDS = [2**31, 2**63, -1, 0, "abc", "", " ", "1.5", "\x00", None, True, False, 1.5, [1], {}]
UNKNOWN_ID = 2**31 - 1  # a valid id no ticket or user has


@dataclass
class World:
    agent: User
    sales_agent: User
    inactive: User
    ticket_id: int  # new, in intake
    closed_id: int  # closed, in intake
    customer: CustomerActor
    closed_customer: CustomerActor


@pytest.fixture
def w(make_user, make_ticket) -> World:
    agent = make_user(departments=("intake",), email="agent@desk.example.com")
    sales_agent = make_user(departments=("sales",))
    inactive = make_user(departments=("intake",))
    inactive.active = False
    db.session.add(
        Department(code="old_desk", name_en="Old desk", name_zh="旧部门", active=False, position=99)
    )
    db.session.commit()
    new = make_ticket()
    closed = make_ticket()
    tickets.close(closed.ticket.id, agent, version=1)
    _, customer = tickets.open_with_token(new.token)
    _, closed_customer = tickets.open_with_token(closed.token)
    db.session.expire_all()
    return World(
        agent=agent,
        sales_agent=sales_agent,
        inactive=inactive,
        ticket_id=new.ticket.id,
        closed_id=closed.ticket.id,
        customer=customer,
        closed_customer=closed_customer,
    )


@pytest.fixture
def refused(w, counts, ticket_row, session_clean) -> Callable[..., Any]:
    """``refused(call, error, *fields)``: ``call(w)`` raises exactly ``error`` with
    exactly these fields and leaves every table and both tickets as they were."""

    def check(call: Callable[[World], Any], error: type[Exception], *fields: str) -> Any:
        before = counts()
        rows = [ticket_row(w.ticket_id), ticket_row(w.closed_id)]
        with pytest.raises(error) as info:
            call(w)
        assert type(info.value) is error
        assert str(info.value)  # a message fit to show
        if error is ValidationError:
            assert sorted(info.value.errors) == sorted(fields), info.value.errors
            assert all(info.value.errors[f] for f in fields)
        assert counts() == before
        assert [ticket_row(w.ticket_id), ticket_row(w.closed_id)] == rows
        session_clean()
        return info.value

    return check


# --------------------------------------------------------------------------
# create_ticket
# --------------------------------------------------------------------------

VALID_TICKET = {
    "subject": "Hydraulic press leaks oil",
    "body": "The HP-40 press leaks oil from the main cylinder.",
    "email": "engineer@plant.example.com",
    "name": "Sun Li",
    "kind": "repair",
}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text)} chars)"


def create(**changes: Any) -> Callable[[World], Any]:
    return lambda w: tickets.create_ticket(**(VALID_TICKET | changes))


CREATE_BAD: dict[str, tuple[Any, ...]] = {
    "department": ("nowhere", "claims\x00", "x" * 40, "old_desk", 5, "sal\nes", "\ud800"),
    "subject": (
        "",
        "   ",
        "\t\n ",
        "a\x00b",
        "line one\nline two",
        "line one\rline two",
        "Re: x\r\nBcc: victim@example.com",
        "tab\there",
        "para\u2029graph",
        "x" * 201,
        LONG_BODY,
        None,
        42,
        b"bytes",
        "lone \ud800 surrogate",
    ),
    "body": ("", "  \n\t ", "a\x00b", LONG_BODY, "x" * 50_001, None, 42, "\udfff"),
    "email": (
        "not-an-email",
        "a@",
        "@plant.example.com",
        "a b@plant.example.com",
        "buyer@plant.example.com\r\nBcc: victim@example.com",
        "buy\ner@plant.example.com",
        "buyer\x00@plant.example.com",
        "x" * 250 + "@plant.example.com",
        "",
        None,
        42,
    ),
    "name": ("", "   ", "Sun\r\nLi", "Sun\x00Li", "x" * 101, None, 42, "\ud83d"),
    "kind": ("unknown", "", None, 5, "Complaint", "complaint\x00"),
    "channel": ("fax", "", None, 1, "WEB"),
    "priority": ("extreme", 7, -1, 2**31, True, 1.5, "1", ""),
    "company": ("Acme\nIndustrial", "x" * 201, "Acme\x00"),
    "phone": ("010\n1234", "1" * 41, "\x00"),
    "locale": ("x" * 17, "e\nn", "en\x00"),
}


@pytest.mark.parametrize("field", CREATE_BAD)
def test_create_ticket_refuses(refused, subtests, field):
    for value in CREATE_BAD[field]:
        with subtests.test(value=_show(value)):
            refused(create(**{field: value}), ValidationError, field)


def test_create_ticket_reports_every_bad_field_at_once(refused):
    refused(
        create(subject="", email="nobody", body="\x00", kind="spam"),
        ValidationError,
        "subject",
        "email",
        "body",
        "kind",
    )


def test_create_ticket_positive_control(w, counts):
    """The base input is fine, so each refusal above is down to its one bad field."""
    before = counts()
    tickets.create_ticket(**VALID_TICKET)
    after = counts()
    assert after["tickets"] == before["tickets"] + 1
    assert after["messages"] == before["messages"] + 1
    assert after["ticket_events"] == before["ticket_events"] + 1


# --------------------------------------------------------------------------
# Ticket ids, for every function that takes one
# --------------------------------------------------------------------------

TICKET_CALLS: dict[str, Callable[[World, Any], Any]] = {
    "get_ticket": lambda w, i: tickets.get_ticket(i, w.agent),
    "add_customer_message": lambda w, i: tickets.add_customer_message(i, w.customer, "Hi"),
    "reply": lambda w, i: tickets.reply(i, w.agent, "Hello", version=None),
    "add_note": lambda w, i: tickets.add_note(i, w.agent, "Note", version=None),
    "route": lambda w, i: tickets.route(i, w.agent, "sales", version=None),
    "assign": lambda w, i: tickets.assign(i, w.agent, w.agent.id, version=None),
    "set_status": lambda w, i: tickets.set_status(i, w.agent, "pending", version=None),
    "set_priority": lambda w, i: tickets.set_priority(i, w.agent, "high", version=None),
    "resolve": lambda w, i: tickets.resolve(i, w.agent, version=None),
    "reopen": lambda w, i: tickets.reopen(i, w.agent, version=None),
    "close": lambda w, i: tickets.close(i, w.agent, version=None),
}


@pytest.mark.parametrize("function", TICKET_CALLS)
def test_bad_ticket_id(refused, subtests, function):
    for bad_id in BAD_IDS:
        with subtests.test(ticket_id=_show(bad_id)):
            refused(lambda w, i=bad_id: TICKET_CALLS[function](w, i), ValidationError, "ticket")


@pytest.mark.parametrize("function", TICKET_CALLS)
def test_unknown_ticket_id(refused, function):
    refused(lambda w: TICKET_CALLS[function](w, UNKNOWN_ID), NotFound)


@pytest.mark.parametrize("function", [f for f in TICKET_CALLS if f != "reopen"])
def test_ticket_id_as_digits_is_accepted(w, ticket_row, function):
    """A form posts ids as text; " 12" is ticket 12, not an error."""
    result = TICKET_CALLS[function](w, f" {w.ticket_id}")
    if function == "get_ticket":
        assert result.id == w.ticket_id
    else:
        assert ticket_row(w.ticket_id)["version"] == 2


# --------------------------------------------------------------------------
# The other arguments of each ticket function
# --------------------------------------------------------------------------


def _customer_message(w, v):
    return tickets.add_customer_message(w.ticket_id, w.customer, v)


def _reply(w, v):
    return tickets.reply(w.ticket_id, w.agent, v, version=None)


def _reply_status(w, v):
    return tickets.reply(w.ticket_id, w.agent, "Answer", version=None, status=v)


def _note(w, v):
    return tickets.add_note(w.ticket_id, w.agent, v, version=None)


def _route(w, v):
    return tickets.route(w.ticket_id, w.agent, v, version=None)


def _route_reason(w, v):
    return tickets.route(w.ticket_id, w.agent, "sales", version=None, reason=v)


def _assign(w, v):
    return tickets.assign(w.ticket_id, w.agent, v, version=None)


def _status(w, v):
    return tickets.set_status(w.ticket_id, w.agent, v, version=None)


def _status_reason(w, v):
    return tickets.set_status(w.ticket_id, w.agent, "pending", version=None, reason=v)


def _priority(w, v):
    return tickets.set_priority(w.ticket_id, w.agent, v, version=None)


def _priority_reason(w, v):
    return tickets.set_priority(w.ticket_id, w.agent, "high", version=None, reason=v)


def _resolve_reason(w, v):
    return tickets.resolve(w.ticket_id, w.agent, version=None, reason=v)


def _reopen_reason(w, v):
    return tickets.reopen(w.closed_id, w.agent, version=None, reason=v)


def _close_reason(w, v):
    return tickets.close(w.ticket_id, w.agent, version=None, reason=v)


BAD_TEXT = ("", "   ", "a\x00b", LONG_BODY, None, 42, "\ud800")
BAD_REASONS = ("a\x00b", "x" * 2001, 42, ["why"], "\ud800")

# (function, its argument, the field it must blame) -> bad values
FIELD_CASES: dict[str, tuple[Callable[[World, Any], Any], str, tuple[Any, ...]]] = {
    "add_customer_message(body)": (_customer_message, "body", BAD_TEXT),
    "reply(body)": (_reply, "body", BAD_TEXT),
    "reply(status)": (_reply_status, "status", ("bogus", "new", "NEW", 5, "open\x00", "")),
    "add_note(body)": (_note, "body", BAD_TEXT),
    "route(department)": (
        _route,
        "department",
        ("nowhere", "sales\x00", None, 5, "", "old_desk", "intake", "\ud800"),
    ),
    "route(reason)": (_route_reason, "reason", BAD_REASONS),
    "assign(assignee)": (
        _assign,
        "assignee",
        (*[i for i in BAD_IDS if i not in (None, "")], UNKNOWN_ID),
    ),
    "set_status(status)": (
        _status,
        "status",
        ("bogus", "new", "NEW", None, 5, "open\x00", "", "\ud800"),
    ),
    "set_status(reason)": (_status_reason, "reason", BAD_REASONS),
    "set_priority(priority)": (
        _priority,
        "priority",
        ("extreme", 7, -1, 2**31, True, None, 1.5, "normal", ""),
    ),
    "set_priority(reason)": (_priority_reason, "reason", BAD_REASONS),
    "resolve(reason)": (_resolve_reason, "reason", BAD_REASONS),
    "reopen(reason)": (_reopen_reason, "reason", BAD_REASONS),
    "close(reason)": (_close_reason, "reason", BAD_REASONS),
}


@pytest.mark.parametrize("case", FIELD_CASES)
def test_ticket_function_refuses(refused, subtests, case):
    call, field, values = FIELD_CASES[case]
    for value in values:
        with subtests.test(value=_show(value)):
            refused(lambda w, v=value: call(w, v), ValidationError, field)


IMPOSSIBLE = [
    pytest.param(lambda w: _closed_message(w), "body", id="customer writes to a closed ticket"),
    pytest.param(lambda w: _closed_reply(w), "body", id="reply to a closed ticket"),
    pytest.param(lambda w: _assign(w, w.inactive.id), "assignee", id="assign an inactive user"),
    pytest.param(lambda w: _assign(w, w.sales_agent.id), "assignee", id="assign a non-member"),
    pytest.param(lambda w: _assign(w, None), "assignee", id="unassign an unassigned ticket"),
    pytest.param(
        lambda w: tickets.reopen(w.ticket_id, w.agent, version=None), "status", id="reopen new"
    ),
    pytest.param(
        lambda w: tickets.close(w.closed_id, w.agent, version=None), "status", id="close closed"
    ),
]


@pytest.mark.parametrize(("call", "field"), IMPOSSIBLE)
def test_impossible_changes_are_refused(refused, call, field):
    refused(call, ValidationError, field)


def _closed_message(w):
    return tickets.add_customer_message(w.closed_id, w.closed_customer, "Hello again")


def _closed_reply(w):
    return tickets.reply(w.closed_id, w.agent, "Hello again", version=None)


@pytest.mark.parametrize("version", ["2", "abc", 2**31, -1, None], ids=repr)
def test_any_version_value_is_safe(w, version, counts):
    """A stale or garbage version is a conflict or ignored, never a database error."""
    from servicedesk.services.errors import Conflict

    before = counts()
    try:
        tickets.add_note(w.ticket_id, w.agent, "Checked the logs.", version=version)
    except Conflict:
        assert counts() == before
    else:
        assert version is None


# --------------------------------------------------------------------------
# Staff accounts
# --------------------------------------------------------------------------

VALID_USER = {
    "email": "new.agent@desk.example.com",
    "name": "New Agent",
    "password": PASSWORD,
    "departments": ("intake",),
}

USER_BAD: dict[str, tuple[Any, ...]] = {
    "email": (
        "agent@desk.example.com",  # taken
        "AGENT@Desk.Example.com",  # taken, other case
        "not-an-email",
        "new@desk.example.com\r\nBcc: x@example.com",
        "new\x00@desk.example.com",
        "",
        None,
        "\ud800@desk.example.com",
    ),
    "name": ("", "New\r\nAgent", "New\x00", "x" * 101, None),
    "password": ("short", "x" * 1025, None, 12345678, "pass\x00word1", "\ud800" * 10),
    "role": ("god", None, "", "Admin", 1),
    "departments": (
        ("nowhere",),
        "intake",  # a string, not a list of codes
        None,
        42,
        (None,),
        ("intake\x00",),
        (5,),
        ("x" * 40,),
        ("intake", "nowhere"),
    ),
    "locale": ("x" * 17, "e\nn", "\x00"),
}


@pytest.mark.parametrize("field", USER_BAD)
def test_create_user_refuses(refused, subtests, field):
    for value in USER_BAD[field]:
        with subtests.test(value=_show(value)):
            refused(
                lambda w, v=value: users.create_user(**(VALID_USER | {field: v})),
                ValidationError,
                field,
            )


def test_create_user_positive_control(w, counts):
    before = counts()
    user = users.create_user(**VALID_USER)
    assert counts()["users"] == before["users"] + 1
    assert [d.code for d in user.departments] == ["intake"]
    assert user.email == "new.agent@desk.example.com"
    assert user.password_hash != PASSWORD


def _users_table() -> list[dict[str, Any]]:
    table = db.metadata.tables["users"]
    with db.engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(table).order_by(table.c.id)).mappings()]


BAD_SIGN_INS = [
    ("agent@desk.example.com", "wrong password"),
    ("nobody@desk.example.com", PASSWORD),
    (None, PASSWORD),
    ("agent@desk.example.com", None),
    (42, PASSWORD),
    ("", ""),
    ("agent@desk.example.com\x00", PASSWORD),
    ("agent@desk.example.com", PASSWORD + "\x00"),
    ("agent@desk.example.com\r\nX: y", PASSWORD),
    ("\ud800@desk.example.com", PASSWORD),
    ("agent@desk.example.com", "\ud800" * 12),
    ("x" * 100_000 + "@desk.example.com", PASSWORD),
    ("agent@desk.example.com", "x" * 100_000),
]


def test_authenticate_refuses_quietly(w, counts, subtests):
    """Sign-in never says why: bad input is just "no such account", and no write."""
    for email, password in BAD_SIGN_INS:
        with subtests.test(email=_show(email), password=_show(password)):
            before, table = counts(), _users_table()
            assert users.authenticate(email, password) is None
            assert counts() == before
            assert _users_table() == table


def test_authenticate_refuses_inactive_user(w):
    assert users.authenticate(w.inactive.email, PASSWORD) is None


def test_authenticate_positive_control(w):
    user = users.authenticate("  Agent@Desk.Example.com ", PASSWORD)
    assert user is not None and user.id == w.agent.id
    assert next(r for r in _users_table() if r["id"] == w.agent.id)["last_login_at"] is not None


# --------------------------------------------------------------------------
# Properties over any text (Hypothesis)
# --------------------------------------------------------------------------

_CONTROL = {chr(c) for c in range(0x20)} | {"\x7f", "\u2028", "\u2029"}
_FIXTURES_ARE_STATIC = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@_FIXTURES_ARE_STATIC
@given(
    before=st.text(max_size=30),
    after=st.text(max_size=30),
    field=st.sampled_from(["subject", "body", "name", "company", "phone"]),
)
def test_any_text_with_nul_is_refused(w, counts, before, after, field):
    start = counts()
    with pytest.raises(ValidationError) as info:
        tickets.create_ticket(**(VALID_TICKET | {field: before + "\x00" + after}))
    assert field in info.value.errors
    assert counts() == start


@_FIXTURES_ARE_STATIC
@given(subject=st.text(max_size=220))
@example(subject="  Ångström \u00c5\u030a  ")  # NFC and trimming
@example(subject="泵体漏油 / pump leaks 🛢️")
@example(subject="x" * 200)
@example(subject="x" * 201)
@example(subject="\ud800")
def test_any_subject_is_refused_or_round_trips(w, subject):
    cleaned = unicodedata.normalize("NFC", subject).strip() if _encodable(subject) else None
    acceptable = (
        cleaned is not None
        and "\x00" not in subject
        and 0 < len(cleaned) <= 200
        and not _CONTROL & set(cleaned)
    )
    try:
        new = tickets.create_ticket(**(VALID_TICKET | {"subject": subject}))
    except ValidationError as error:
        assert not acceptable, error
        assert list(error.errors) == ["subject"]
        return
    assert acceptable
    db.session.expire_all()
    assert db.session.get(Ticket, new.ticket.id).subject == cleaned


@_FIXTURES_ARE_STATIC
@given(body=st.text(min_size=1, max_size=300))
def test_any_accepted_body_round_trips_with_unix_newlines(w, body):
    try:
        message = tickets.reply(w.ticket_id, w.agent, body, version=None)
    except ValidationError as error:
        assert list(error.errors) == ["body"]
        assert (
            "\x00" in body or not _encodable(body) or not unicodedata.normalize("NFC", body).strip()
        )
        return
    expected = unicodedata.normalize("NFC", body).strip().replace("\r\n", "\n").replace("\r", "\n")
    db.session.expire_all()
    assert db.session.get(type(message), message.id).body == expected


@_FIXTURES_ARE_STATIC
@given(value=st.one_of(st.integers(), st.text(max_size=12), st.none(), st.booleans(), st.floats()))
def test_any_ticket_id_is_found_refused_or_missing(w, value):
    try:
        ticket = tickets.get_ticket(value, w.agent)
    except ValidationError as error:
        assert list(error.errors) == ["ticket"]
    except NotFound:
        pass
    else:
        assert ticket.id in (w.ticket_id, w.closed_id)
