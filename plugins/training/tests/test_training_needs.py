"""Staff training needs: who finished tickets that came back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from training_testkit import Desk

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Role
from servicedesk.policy import SYSTEM, CustomerActor
from servicedesk.services import tickets
from servicedesk.testing import counting_queries


@pytest.fixture
def bounce(make_ticket: Callable[..., Any]) -> Callable[..., Any]:
    """``bounce(agent, times, subject)``: a ticket the agent resolves and that reopens ``times``."""

    def make(
        agent: Any, times: int, subject: str = "Pump leaks", department: str = "after_sales"
    ) -> Any:
        ticket = make_ticket(subject=subject, kind="repair", department=department).ticket
        for round_ in range(times):
            tickets.resolve(ticket.id, agent, version=None)
            if round_ % 2:
                # A low rating: the satisfaction survey reopens it.
                tickets.reopen(ticket.id, SYSTEM, version=None, reason="Rated 1 of 5")
            else:
                customer = CustomerActor(ticket_id=ticket.id)
                tickets.add_customer_message(ticket.id, customer, "It leaks again.")
        return ticket

    return make


def test_staff_with_reopened_tickets_are_listed_with_links(
    desk: Desk, make_user: Callable[..., Any], bounce: Callable[..., Any]
) -> None:
    wang = make_user(name="Wang Fang", departments=("after_sales",))
    li = make_user(name="Li Qiang", departments=("after_sales",))
    careful = make_user(name="Careful Chen", departments=("after_sales",))
    first = bounce(wang, 2, "Seal leaks again")
    second = bounce(wang, 1, "Noise after repair")
    bounce(li, 2, "Motor overheats")
    bounce(careful, 1, "Display flickers")
    supervisor = make_user(role=Role.SUPERVISOR, departments=("training",))
    desk.login(supervisor)
    page = desk.page("/training/needs")
    assert "at least 2 times in the last 90 days" in page
    rows = page[page.index("<tbody>") :]
    assert rows.index("Wang Fang") < rows.index("Li Qiang")  # most reopened first
    assert "Careful Chen" not in page  # once is below the threshold
    wang_row = rows[rows.index("Wang Fang") : rows.index("Li Qiang")]
    assert '<td class="text-end fw-semibold">3</td>' in wang_row
    assert f'<a href="/desk/tickets/{first.reference}" class="sd-ref">' in wang_row
    assert "Seal leaks again" in wang_row and "(reopened 2 times)" in wang_row
    assert f'<a href="/desk/tickets/{second.reference}" class="sd-ref">' in wang_row
    assert "Motor overheats" in rows[rows.index("Li Qiang") :]


def test_the_reopening_counts_against_who_finished_the_work(
    desk: Desk, make_user: Callable[..., Any], make_ticket: Callable[..., Any]
) -> None:
    agent = make_user(name="Resolving Agent", departments=("after_sales",))
    supervisor = make_user(name="Closing Boss", role=Role.SUPERVISOR, departments=("after_sales",))
    for _ in range(2):
        ticket = make_ticket(kind="repair", department="after_sales").ticket
        tickets.resolve(ticket.id, agent, version=None)
        tickets.close(ticket.id, supervisor, version=None)  # resolved -> closed: paperwork
        tickets.reopen(ticket.id, supervisor, version=None)
    desk.login(supervisor)
    page = desk.page("/training/needs")
    assert f'<tr data-user="{agent.id}">' in page
    assert f'<tr data-user="{supervisor.id}">' not in page


def test_old_reopenings_and_the_threshold(
    app: Flask, desk: Desk, make_user: Callable[..., Any], bounce: Callable[..., Any]
) -> None:
    agent = make_user(name="Old Mistakes", departments=("after_sales",))
    with clock.at(datetime.now(UTC) - timedelta(days=120)):
        bounce(agent, 3)
    bounce(agent, 1)
    admin = make_user(role=Role.ADMIN, departments=())
    desk.login(admin)
    assert "Old Mistakes" not in desk.page("/training/needs")  # 1 in the last 90 days
    app.config["TRAINING_NEEDS_THRESHOLD"] = 1
    page = desk.page("/training/needs")
    assert "Old Mistakes" in page
    assert "at least 1 time in the last 90 days" in page


def test_the_page_costs_the_same_few_queries_however_many_rows(
    app: Flask, desk: Desk, make_user: Callable[..., Any], bounce: Callable[..., Any]
) -> None:
    from servicedesk_plugins.training.needs import training_needs

    viewer = make_user(role=Role.ADMIN, departments=())

    def queries() -> tuple[int, int]:
        db.session.expire_all()
        assert viewer.role == Role.ADMIN  # loaded before counting
        with counting_queries() as statements:
            found = training_needs(viewer, threshold=2)
            for need in found:
                _ = [d.code for d in need.user.departments]
        return len(statements), len(found)

    bounce(make_user(departments=("after_sales",)), 2)
    few, one = queries()
    for _ in range(4):
        bounce(make_user(departments=("sales",)), 3, department="sales")
    many, five = queries()
    assert (one, five) == (1, 5)
    assert many == few <= 4


def test_who_may_see_the_page_and_its_menu_link(desk: Desk, make_user: Callable[..., Any]) -> None:
    link = '<a class="nav-link" href="/training/needs">Training needs</a>'
    for user, allowed in (
        (make_user(departments=("after_sales",)), False),
        (make_user(departments=("training",)), True),
        (make_user(role=Role.SUPERVISOR, departments=("sales",)), True),
        (make_user(role=Role.ADMIN, departments=()), True),
    ):
        desk.login(user)
        assert (link in desk.page("/desk/")) is allowed, user
        assert desk.client.get("/training/needs").status_code == (200 if allowed else 403)
        desk.logout()
    assert desk.client.get("/training/needs").status_code == 302  # to the sign-in page


def test_a_supervisor_sees_the_people_of_their_own_departments(
    desk: Desk, make_user: Callable[..., Any], bounce: Callable[..., Any]
) -> None:
    bounce(make_user(name="Sales Person", departments=("sales",)), 2, department="sales")
    bounce(make_user(name="Repair Person", departments=("after_sales",)), 2)
    desk.login(make_user(role=Role.SUPERVISOR, departments=("sales",)))
    page = desk.page("/training/needs")
    assert "Sales Person" in page and "Repair Person" not in page
    desk.logout()
    desk.login(make_user(departments=("training",)))
    page = desk.page("/training/needs")
    assert "Sales Person" in page and "Repair Person" in page
