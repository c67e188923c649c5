"""Service tests: canned responses, bulk actions, administration, own password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Department, Role, Route, Status
from servicedesk.services import admin, bulk, canned, profile, tickets, users
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError
from servicedesk.testing import PASSWORD

# -- canned responses -------------------------------------------------------


def test_placeholders_are_filled_for_the_ticket(make_user, make_ticket):
    agent = make_user(name="Wang Fang")
    ticket = make_ticket(name="Liu Yang", company="Jinghua Pumps", subject="Seal leaks").ticket
    text = "{customer_name} / {company} / {reference} / {subject} / {department} / {agent_name}"
    assert canned.fill(text, ticket, agent) == (
        f"Liu Yang / Jinghua Pumps / {ticket.reference} / Seal leaks / Intake / Wang Fang"
    )


def test_unknown_braces_stay_and_nothing_reaches_python(make_user, make_ticket):
    agent = make_user()
    ticket = make_ticket(company=None).ticket
    text = "{company}{0.__class__} {agent_name.__class__} {{reference}} {nope}"
    assert canned.fill(text, ticket, agent) == (
        "{0.__class__} {agent_name.__class__} {" + ticket.reference + "} {nope}"
    )


def test_creating_checks_the_text(make_user):
    agent = make_user()
    with pytest.raises(ValidationError) as refused:
        canned.create(agent, title="", body="Dear {customer}")
    assert set(refused.value.errors) == {"title", "body"}
    assert "{customer}" in refused.value.errors["body"][0]


def test_shared_responses_are_for_admins_personal_ones_for_their_owner(make_user):
    agent, other, boss = make_user(), make_user(), make_user(role=Role.ADMIN, departments=())
    with pytest.raises(PermissionDenied):
        canned.create(agent, title="Shared", body="x", shared=True)
    shared = canned.create(boss, title="Shared", body="Hello {customer_name}", shared=True)
    mine = canned.create(agent, title="Mine", body="My text")
    assert [r.title for r in canned.visible_to(agent)] == ["Shared", "Mine"]
    assert [r.title for r in canned.visible_to(other)] == ["Shared"]
    with pytest.raises(NotFound):
        canned.get(mine.id, other)
    with pytest.raises(NotFound):
        canned.delete(other, mine.id)
    with pytest.raises(PermissionDenied):
        canned.update(agent, shared.id, title="Mine now", body="x")
    canned.update(agent, mine.id, title="Mine", body="Better text")
    canned.delete(agent, mine.id)
    assert [r.title for r in canned.visible_to(agent)] == ["Shared"]


# -- bulk actions -----------------------------------------------------------


def test_bulk_reports_each_ticket_and_goes_on_after_a_failure(make_user, make_ticket):
    agent = make_user(departments=("intake",))
    first, second = make_ticket().ticket, make_ticket().ticket
    elsewhere = make_ticket(department="claims").ticket
    tickets.set_status(second.id, agent, "closed", version=None)
    picked = bulk.selection([f"{first.id}:{first.version}", f"{second.id}", f"{elsewhere.id}:1"])
    results = bulk.set_status(agent, picked, "pending")
    assert [(r.reference, r.ok) for r in results] == [
        (first.reference, True),
        (second.reference, False),
        (None, False),  # not the agent's to know about
    ]
    assert "cannot become" in results[1].message
    assert results[2].message == "No such ticket."
    assert tickets.get_ticket(first.id, agent).status == Status.PENDING


def test_bulk_route_and_assign(make_user, make_ticket):
    agent = make_user(departments=("intake",))
    colleague = make_user(departments=("intake",))
    one, two = make_ticket().ticket, make_ticket().ticket
    results = bulk.assign(agent, bulk.selection([str(one.id), str(two.id)]), colleague.id)
    assert all(r.ok for r in results)
    results = bulk.route(agent, bulk.selection([str(one.id), str(two.id)]), "sales", "Quotes")
    # Routed out of the agent's reach, and still reported by reference.
    assert [(r.reference, r.ok) for r in results] == [(one.reference, True), (two.reference, True)]


@pytest.mark.parametrize(
    "values", [[], ["abc"], ["1:x"], ["0"], [str(2**31)], [None], [f"{n}" for n in range(1, 150)]]
)
def test_bulk_selection_is_checked(app, values):
    with pytest.raises(ValidationError):
        bulk.selection(values)


# -- administration -----------------------------------------------------------


@pytest.fixture
def boss(make_user):
    return make_user(role=Role.ADMIN, departments=(), name="Boss")


def test_only_admins_administer(make_user):
    agent = make_user(role=Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        admin.create_department(agent, code="quality", name_en="Quality", name_zh="质量部")
    with pytest.raises(PermissionDenied):
        admin.reset_password(agent, agent.id, "new password 1")


def test_departments(boss):
    department = admin.create_department(boss, code="quality", name_en="Quality", name_zh="质量部")
    assert department.active and department.position > 90
    with pytest.raises(ValidationError) as refused:
        admin.create_department(boss, code="Quality Dept", name_en="", name_zh="x\ny")
    assert set(refused.value.errors) == {"code", "name_en", "name_zh"}
    with pytest.raises(ValidationError) as refused:
        admin.create_department(boss, code="quality", name_en="Q", name_zh="Q")
    assert "already exists" in refused.value.errors["code"][0]
    admin.rename_department(boss, department.id, name_en="Quality control", name_zh="质量控制部")
    admin.set_department_active(boss, department.id, False)
    assert (department.name_en, department.active) == ("Quality control", False)
    with pytest.raises(NotFound):
        admin.rename_department(boss, 999999, name_en="x", name_zh="y")


def test_routes_including_any_department_ends(boss):
    route = admin.add_route(boss, source="claims", target="")
    assert route.from_department.code == "claims" and route.to_department_id is None
    for source, target, field in (
        ("", "", "target"),
        ("claims", "claims", "target"),
        ("claims", "", "target"),  # already there
        ("nowhere", "sales", "source"),
        (None, "x" * 40, "target"),
    ):
        with pytest.raises(ValidationError) as refused:
            admin.add_route(boss, source=source, target=target)
        assert field in refused.value.errors
    admin.remove_route(boss, route.id)
    assert db.session.get(Route, route.id) is None
    with pytest.raises(NotFound):
        admin.remove_route(boss, route.id)


def test_users(boss):
    user = admin.create_user(
        boss,
        email="Zhou.Min@Desk.example.com",
        name="Zhou Min",
        password="long enough",
        role="agent",
        departments=["intake"],
    )
    admin.update_user(
        boss,
        user.id,
        name="Zhou Min",
        role="supervisor",
        departments=["intake", "claims"],
        active=True,
    )
    assert user.role == Role.SUPERVISOR and user.department_ids == {
        d.id
        for d in db.session.scalars(
            select(Department).where(Department.code.in_(["intake", "claims"]))
        )
    }
    with pytest.raises(ValidationError) as refused:
        admin.update_user(boss, user.id, name="", role="boss", departments=["mars"], active=True)
    assert set(refused.value.errors) == {"name", "role", "departments"}
    admin.reset_password(boss, user.id, "another password")
    assert users.authenticate("zhou.min@desk.example.com", "another password") is user
    with pytest.raises(ValidationError):
        admin.reset_password(boss, user.id, "short")


def test_the_last_admin_cannot_lock_the_centre_out(boss, make_user):
    for changes in ({"role": "agent", "active": True}, {"role": "admin", "active": False}):
        with pytest.raises(ValidationError) as refused:
            admin.update_user(boss, boss.id, name="Boss", departments=[], **changes)
        assert "at least one active administrator" in refused.value.errors["role"][0]
    make_user(role=Role.ADMIN, departments=())
    admin.update_user(boss, boss.id, name="Boss", role="agent", departments=[], active=True)
    assert boss.role == Role.AGENT


# -- own password -------------------------------------------------------------


def test_changing_ones_password_needs_the_current_one(make_user):
    user = make_user()
    with pytest.raises(ValidationError) as refused:
        profile.change_password(
            user, current="wrong", new="new password 1", confirm="new password 1"
        )
    assert list(refused.value.errors) == ["current_password"]
    with pytest.raises(ValidationError) as refused:
        profile.change_password(user, current=PASSWORD, new="new password 1", confirm="other")
    assert list(refused.value.errors) == ["confirm_password"]
    with pytest.raises(ValidationError) as refused:
        profile.change_password(user, current=PASSWORD, new="short", confirm="short")
    assert list(refused.value.errors) == ["new_password"]
    profile.change_password(user, current=PASSWORD, new="new password 1", confirm="new password 1")
    assert users.authenticate(user.email, "new password 1") is user
