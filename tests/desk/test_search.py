"""Search finds tickets by subject, any message, and the customer behind them,
for Chinese words of any length and for English words, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Contact, Customer, Ticket
from servicedesk.services import search, tickets
from servicedesk.testing import counting_queries


def found(query: str) -> set[str]:
    clauses = search.conditions(query)
    return set(db.session.scalars(select(Ticket.subject).where(*clauses)))


@pytest.fixture
def sample(make_ticket, make_user):
    agent = make_user(departments=("intake",))
    make_ticket(
        subject="液压泵漏油", body="泵体有裂纹。", name="王建国", company="苏州精工机械有限公司"
    )
    make_ticket(
        subject="打印机卡纸", body="工业标签打印机每天卡纸三次。", email="li@huada.example.com"
    )
    make_ticket(
        subject="Printer jams",
        body="The label printer jams twice a day.",
        name="Sarah Thompson",
        company="Northbridge Packaging Ltd.",
    )
    quiet = make_ticket(subject="Gearbox noise", body="Loud noise at 1500 rpm.").ticket
    tickets.add_note(quiet.id, agent, "Customer mentioned the 打印 menu of the HMI.", version=None)
    return agent


@pytest.mark.parametrize(
    ("query", "subjects"),
    [
        ("泵", {"液压泵漏油"}),  # one character
        ("打印", {"打印机卡纸", "Gearbox noise"}),  # two characters, also found in a note
        ("打印机", {"打印机卡纸"}),  # three and more: the trigram index
        ("标签打印机", {"打印机卡纸"}),  # only in a message body
        ("printer", {"Printer jams"}),  # English, any case
        ("PRINTER jams", {"Printer jams"}),  # every word must match
        ("noise rpm", {"Gearbox noise"}),
        ("1500", {"Gearbox noise"}),  # no letter case: LIKE, not ILIKE
        ("泵 PUMP", set()),
        ("sarah", {"Printer jams"}),
        ("Northbridge", {"Printer jams"}),  # the company
        ("Sarah Thompson", {"Printer jams"}),  # the contact's name
        ("王建国", {"液压泵漏油"}),  # a Chinese contact name
        ("li@huada", {"打印机卡纸"}),  # the contact's email
        ("苏州精工", {"液压泵漏油"}),
        ("jams 打印机", set()),  # no ticket has both
        ("", {"液压泵漏油", "打印机卡纸", "Printer jams", "Gearbox noise"}),  # no filter
    ],
)
def test_finds(sample, query, subjects):
    assert found(query) == subjects


@pytest.mark.parametrize("query", ["打印机", "标签打印机", "printer", "PRINTER jams", "noise rpm"])
def test_common_words_are_read_in_queue_order_and_find_the_same(sample, query, monkeypatch, app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the trigram FTS index is SQLite's")
    rare = found(query)
    # Every word counts as common now: the ids are kept as a set of matches
    # while the queue is read in its own order (``tickets.id + ?``).
    monkeypatch.setattr(search, "COMMON", 1)
    with counting_queries() as statements:
        common = found(query)
    assert common == rare and common
    assert any("tickets.id + ?" in statement for statement in statements)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "printer*",
        "NEAR(printer jams)",
        "printer OR noise",
        "-printer",
        "^printer",
        "printer AND NOT jams",
        "subject:printer",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "打印%",
        "\x00printer",
        "\ud800",
        "printer\u2028",
        "x" * 500,
    ],
)
def test_operators_and_sql_in_queries_are_plain_text(sample, query):
    # Nothing raises, and nothing matches that does not contain the text literally.
    result = found(query)
    assert result <= {"Printer jams", "打印机卡纸", "Gearbox noise", "液压泵漏油"}
    if query in ("printer OR noise", "NEAR(printer jams)", "%", "_", "' OR 1=1 --", '"'):
        assert result == set()


def test_wildcards_are_literal(make_ticket):
    make_ticket(subject="Discount 50% on seals")
    make_ticket(subject="Discount 50 on seals")
    assert found("50%") == {"Discount 50% on seals"}
    assert found("0%") == {"Discount 50% on seals"}


def test_index_follows_new_messages_and_renamed_customers(sample, make_ticket):
    ticket = make_ticket(subject="Valve question", company="Old Name Ltd").ticket
    assert found("Old Name") == {"Valve question"}
    tickets.add_note(ticket.id, sample, "Ask about the DN50 flange 法兰.", version=None)
    assert found("flange") == {"Valve question"}
    assert found("法兰") == {"Valve question"}
    customer = db.session.get(Customer, ticket.customer_id)
    customer.name = "Renamed Valves Co"
    db.session.commit()
    assert found("Renamed Valves") == {"Valve question"}
    assert found("Old Name") == set()
    contact = db.session.get(Contact, ticket.contact_id)
    contact.name = "赵永刚"
    db.session.commit()
    assert found("赵永刚") == {"Valve question"}


def test_deleted_ticket_leaves_the_index(sample):
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Printer jams"))
    db.session.delete(ticket)
    db.session.commit()
    assert found("printer") == set()


def test_terms_are_cleaned_and_capped():
    assert search.terms("  pump\tseal\npump ") == ["pump", "seal"]
    assert search.terms(None) == []
    assert search.terms("a\x00b") == ["a", "b"]
    assert len(search.terms(" ".join(str(n) for n in range(50)))) == search.TERMS_MAX


def test_words_without_letter_case_skip_case_folding(app):
    """ILIKE folds every row it reads; 泵 and 15 have no case to fold (LIKE), Ab has."""
    assert search.plan("泵 Ab 15").shape[3] == (False, True, False)
