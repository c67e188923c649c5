"""The centre as seeded (domain.md), references, tracking tokens and customers."""

from __future__ import annotations

import hashlib
import itertools
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Contact, Customer, Department, Route, Ticket
from servicedesk.policy import CustomerActor
from servicedesk.services import tickets
from servicedesk.services.errors import NotFound, ValidationError
from servicedesk.state import app_state
from servicedesk.workflow import graph
from servicedesk.workflow.seed import seed_workflow

# --------------------------------------------------------------------------
# Departments and routes
# --------------------------------------------------------------------------

# domain.md, "The service-centre workflow" and the glossary, in display order.
DEPARTMENTS = [
    ("intake", "Intake", "客户咨询部"),
    ("sales", "Sales", "销售部"),
    ("information", "Information", "信息部"),
    ("follow_up", "Follow-up", "跟进部"),
    ("after_sales", "After-sales service", "售后服务部"),
    ("claims", "Claims", "理赔部"),
    ("training", "Training", "培训部"),
    ("general_affairs", "General affairs", "综合部"),
    ("key_accounts", "Key accounts", "大客户部"),
]
ALL = {code for code, _, _ in DEPARTMENTS}
EVERYWHERE = {"general_affairs", "key_accounts"}  # any -> general affairs, any <-> key accounts

# Where a ticket in each department may be routed (without supervisor override).
TARGETS = {
    "intake": {"sales"} | EVERYWHERE,
    "sales": {"follow_up", "information"} | EVERYWHERE,
    "information": EVERYWHERE,
    "follow_up": {"after_sales"} | EVERYWHERE,
    "after_sales": {"follow_up", "claims"} | EVERYWHERE,
    "claims": EVERYWHERE,
    "training": EVERYWHERE,
    "general_affairs": ALL - {"general_affairs"},
    "key_accounts": ALL - {"key_accounts"},
}


def department(code: str) -> Department:
    found = db.session.scalar(select(Department).where(Department.code == code))
    assert found is not None, code
    return found


def targets(code: str) -> set[str]:
    return {d.code for d in graph.allowed_targets(department(code))}


def test_seeded_departments(app):
    rows = db.session.execute(
        select(Department.code, Department.name_en, Department.name_zh, Department.active).order_by(
            Department.position
        )
    ).all()
    assert [tuple(r) for r in rows] == [(*d, True) for d in DEPARTMENTS]
    intake = department("intake")
    assert intake.name("zh_Hans_CN") == "客户咨询部"
    assert intake.name("zh") == "客户咨询部"
    assert intake.name("en") == intake.name(None) == "Intake"


@pytest.mark.parametrize("code", TARGETS)
def test_allowed_targets(app, code):
    assert targets(code) == TARGETS[code]


def test_allowed_targets_come_in_display_order(app):
    assert [d.code for d in graph.allowed_targets(department("general_affairs"))] == [
        code for code, _, _ in DEPARTMENTS if code != "general_affairs"
    ]


def test_core_route_is_connected(app):
    """intake -> sales -> follow_up -> after_sales -> claims, with the complaint loop."""
    path = ["intake", "sales", "follow_up", "after_sales", "follow_up", "after_sales", "claims"]
    for source, target in itertools.pairwise(path):
        assert target in targets(source), (source, target)


def _table_counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Department)),
        db.session.scalar(select(func.count()).select_from(Route)),
    )


def test_seed_is_idempotent_and_keeps_admin_edits(app):
    assert _table_counts() == (9, 10)
    assert seed_workflow() == 0
    assert _table_counts() == (9, 10)

    sales = department("sales")
    sales.name_en = "Sales & orders"
    sales.active = False
    db.session.commit()
    assert seed_workflow() == 0
    db.session.expire_all()
    assert (department("sales").name_en, department("sales").active) == ("Sales & orders", False)

    # A deleted department and route come back; nothing else is added.
    db.session.execute(
        delete(Route).where(
            Route.from_department_id == department("after_sales").id,
            Route.to_department_id == department("claims").id,
        )
    )
    db.session.delete(department("training"))
    db.session.commit()
    assert _table_counts() == (8, 9)
    assert seed_workflow() == 2
    assert _table_counts() == (9, 10)
    assert "claims" in targets("after_sales")
    assert seed_workflow() == 0


def test_inactive_department_is_no_target(app, make_user, make_ticket, ticket_row):
    sales = department("sales")
    sales.active = False
    db.session.commit()
    assert targets("intake") == EVERYWHERE
    assert "sales" not in targets("general_affairs")
    assert "sales" not in targets("key_accounts")

    agent = make_user(departments=("intake",))
    tid = make_ticket().ticket.id
    before = ticket_row(tid)
    with pytest.raises(ValidationError) as refused:
        tickets.route(tid, agent, "sales", version=1)
    assert list(refused.value.errors) == ["department"]
    assert ticket_row(tid) == before
    with pytest.raises(ValidationError) as refused:
        make_ticket(department="sales")
    assert list(refused.value.errors) == ["department"]


def test_department_added_later_joins_the_any_routes(app):
    db.session.add(Department(code="quality", name_en="Quality", name_zh="质量部", position=95))
    db.session.commit()
    assert targets("quality") == EVERYWHERE
    assert "quality" in targets("general_affairs")
    assert "quality" in targets("key_accounts")
    assert "quality" not in targets("intake")


def test_core_kinds(app):
    assert set(app_state().kinds) == {
        "enquiry",
        "sales",
        "feedback",
        "repair",
        "complaint",
        "claim",
        "training",
    }


@pytest.mark.parametrize("kind", ["enquiry", "sales", "feedback", "repair", "claim", "training"])
def test_every_kind_can_be_filed(make_ticket, kind):
    ticket = make_ticket(kind=kind).ticket
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).kind == kind


# --------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------

REFERENCE = re.compile(r"^SD-(\d{4})-(\d{6})$")


def test_references_are_unique_and_formatted(make_ticket):
    moment = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    with clock.at(moment):
        references = [make_ticket().ticket.reference for _ in range(12)]
    assert len(set(references)) == 12
    matches = [REFERENCE.match(r) for r in references]
    assert all(matches), references
    assert {m.group(1) for m in matches} == {"2026"}
    assert [int(m.group(2)) for m in matches] == list(range(1, 13))


def test_each_year_has_its_own_counter(make_ticket):
    with clock.at(datetime(2026, 6, 1, tzinfo=UTC)):
        assert make_ticket().ticket.reference == "SD-2026-000001"
    with clock.at(datetime(2027, 6, 1, tzinfo=UTC)):
        assert make_ticket().ticket.reference == "SD-2027-000001"
    with clock.at(datetime(2026, 7, 1, tzinfo=UTC)):
        assert make_ticket().ticket.reference == "SD-2026-000002"


def test_the_year_is_the_centres_year(make_ticket):
    """Shanghai is UTC+8: 16:30 UTC on 31 December is already New Year there."""
    with clock.at(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)):
        assert make_ticket().ticket.reference == "SD-2026-000001"
    with clock.at(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)):
        assert make_ticket().ticket.reference == "SD-2027-000001"


def test_find_by_reference(make_user, make_ticket):
    agent = make_user(departments=("intake",))
    ticket = make_ticket().ticket
    assert tickets.find_by_reference(ticket.reference, agent).id == ticket.id
    assert tickets.find_by_reference(f"  {ticket.reference.lower()} ", agent).id == ticket.id
    for wrong in ("SD-1999-000001", "x" * 24):
        with pytest.raises(NotFound):
            tickets.find_by_reference(wrong, agent)
    for bad in ("", None, "SD\x00", "x" * 25, "SD-\n1"):
        with pytest.raises(ValidationError):
            tickets.find_by_reference(bad, agent)


# --------------------------------------------------------------------------
# Tracking tokens
# --------------------------------------------------------------------------


def test_token_opens_only_its_own_ticket(make_ticket):
    first, second = make_ticket(name="Wang Wei"), make_ticket()
    assert first.token != second.token
    ticket, customer = tickets.open_with_token(first.token)
    assert ticket.id == first.ticket.id
    assert customer == CustomerActor(ticket_id=first.ticket.id, name="Wang Wei")
    assert tickets.open_with_token(second.token)[0].id == second.ticket.id
    assert tickets.get_ticket(first.ticket.id, customer).id == first.ticket.id
    with pytest.raises(NotFound):
        tickets.get_ticket(second.ticket.id, customer)


def test_only_a_hash_of_the_token_is_stored(make_ticket, ticket_row):
    new = make_ticket()
    row = ticket_row(new.ticket.id)
    assert row["access_token_hash"] == hashlib.sha256(new.token.encode()).hexdigest()
    assert row["access_token_hash"] != new.token
    assert all(new.token not in str(value) for value in row.values())
    assert len(new.token) >= 40  # 256 random bits, URL-safe


def _wrong_tokens(token: str) -> list[object]:
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    return [
        flipped,
        token[:-1],
        token + "x",
        token.upper() if token.upper() != token else token.lower(),
        "",
        "short",
        "x" * 19,
        "x" * 101,
        "x" * 100_000,
        "\x00" * 43,
        "\ud800" * 43,
        " " * 43,
        None,
        12345,
        b"bytes" * 9,
        ["token"],
    ]


def test_wrong_tokens_open_nothing(make_ticket, counts):
    token = make_ticket().token
    before = counts()
    for wrong in _wrong_tokens(token):
        with pytest.raises(NotFound):
            tickets.open_with_token(wrong)
    assert counts() == before


# --------------------------------------------------------------------------
# Contacts and customers
# --------------------------------------------------------------------------


def test_contact_email_is_case_insensitive(make_ticket, counts):
    first = make_ticket(email="Foo@X.com", name="Foo Bar").ticket
    second = make_ticket(email="foo@x.com", name="Someone Else", phone="010-1234").ticket
    assert counts()["contacts"] == 1
    db.session.expire_all()
    contact = db.session.scalars(select(Contact)).one()
    assert contact.email == "foo@x.com"
    assert contact.name == "Foo Bar"  # a known contact keeps its name ...
    assert contact.phone == "010-1234"  # ... and gains a missing phone
    first, second = db.session.get(Ticket, first.id), db.session.get(Ticket, second.id)
    assert first.contact_id == second.contact_id == contact.id


@pytest.mark.parametrize(
    "names",
    [
        ("Acme Industrial", "ACME INDUSTRIAL", "acme industrial"),
        ("Électricité Lyon SA", "Électricité Lyon SA"),
        ("上海重工机械有限公司", "上海重工机械有限公司"),
    ],
    ids=["ascii-case", "accented", "chinese"],
)
def test_company_name_links_one_customer(make_ticket, counts, names):
    created = [make_ticket(company=name).ticket for name in names]
    assert counts()["customers"] == 1
    db.session.expire_all()
    customer = db.session.scalars(select(Customer)).one()
    assert customer.name == names[0]
    for ticket in created:
        ticket = db.session.get(Ticket, ticket.id)
        assert ticket.customer_id == customer.id
        assert ticket.contact.customer_id == customer.id
    assert len(customer.contacts) == len(names)


def test_no_company_means_no_customer_until_one_is_given(make_ticket, counts):
    first = make_ticket(email="li@plant.example.com").ticket
    assert first.customer_id is None
    assert counts()["customers"] == 0
    second = make_ticket(email="li@plant.example.com", company="Plant Co").ticket
    db.session.expire_all()
    second = db.session.get(Ticket, second.id)
    assert second.customer.name == "Plant Co"
    assert second.contact.customer_id == second.customer_id
    # A contact already linked keeps its customer.
    third = make_ticket(email="li@plant.example.com", company="Other Co").ticket
    assert db.session.get(Ticket, third.id).customer.name == "Plant Co"
    assert counts()["customers"] == 1


def test_failed_creation_leaves_no_contact_or_customer(make_ticket, counts, monkeypatch):
    """The new contact and customer are part of the ticket's transaction."""

    def broken_counter(moment):
        raise RuntimeError("counter unavailable")

    monkeypatch.setattr(tickets, "next_reference", broken_counter)
    before = counts()
    with pytest.raises(RuntimeError):
        make_ticket(email="new@plant.example.com", company="New Plant Co")
    assert counts() == before
    assert before["contacts"] == before["customers"] == 0
