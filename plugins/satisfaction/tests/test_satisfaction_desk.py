"""The desk's side: the ticket panel, the report, the menu, the dashboard and the data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from satisfaction_support import T0, at, send
from sqlalchemy import select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Customer, Role, Ticket
from servicedesk.policy import SYSTEM
from servicedesk.services import tickets
from servicedesk.testing import counting_queries
from servicedesk_plugins.satisfaction import services
from servicedesk_plugins.satisfaction.models import Channel, SatisfactionSurvey


def test_the_panel_follows_the_survey(client, auth, agent, resolved):
    auth.login(agent)
    url = f"/desk/tickets/{resolved.reference}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-panel="satisfaction.survey"' in page
    assert 'data-state="scheduled"' in page

    send(61)
    assert 'data-state="sent"' in client.get(url).get_data(as_text=True)

    survey_id = db.session.scalar(select(SatisfactionSurvey.id))
    with at(90):
        services.answer(survey_id, rating=4, comment="Good & <quick>", via=Channel.EMAIL)
    page = client.get(url).get_data(as_text=True)
    assert 'data-state="answered"' in page
    assert "4 / 5" in page and "Satisfied" in page
    assert "Good &amp; &lt;quick&gt;" in page
    assert "through the survey email" in page


def test_no_panel_before_resolution(client, auth, agent, make_ticket):
    new = make_ticket()
    auth.login(agent)
    page = client.get(f"/desk/tickets/{new.reference}").get_data(as_text=True)
    assert "satisfaction.survey" not in page


def test_a_cancelled_survey_says_why(client, auth, agent, resolved):
    with at(5):
        tickets.reopen(resolved.ticket.id, agent, version=None)
    auth.login(agent)
    page = client.get(f"/desk/tickets/{resolved.reference}").get_data(as_text=True)
    assert 'data-state="cancelled"' in page
    assert "the ticket was reopened first" in page


def test_ticket_data_carries_the_answer(client, auth, agent, resolved):
    auth.login(agent)
    url = f"/desk/tickets/{resolved.reference}.json"
    assert client.get(url).json["plugins"]["satisfaction"] == {
        "state": "scheduled",
        "rating": None,
        "comment": None,
        "answered_at": None,
    }
    survey_id = db.session.scalar(select(SatisfactionSurvey.id))
    with at(30):
        services.answer(survey_id, rating=5, comment="Perfect", via=Channel.TRACKING)
    assert client.get(url).json["plugins"]["satisfaction"] == {
        "state": "answered",
        "rating": 5,
        "comment": "Perfect",
        "answered_at": (T0 + timedelta(minutes=30)).isoformat(),
    }


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


@pytest.fixture
def answers(make_user, make_ticket):
    """Eight answers across departments, agents and tiers (and one outside the period).

    intake, Ada:        5 (key account), 4 (A), 2 (A)       -> avg 3.67, 1 low
    after_sales, Bo:    1 (B), 3 (no company: unknown)      -> avg 2.00, 1 low
    after_sales, none:  4 (C)                               -> avg 4.00
    claims, Bo:         5 (no class: unknown)               -> avg 5.00
    """
    ada = make_user(role="agent", departments=("intake",), name="Ada")
    bo = make_user(role="agent", departments=("after_sales", "claims"), name="Bo")
    for name, key, abc in [
        ("Keyco", True, "C"),  # a key account counts as such whatever its class
        ("Alpha", False, "A"),
        ("Beta", False, "B"),
        ("Gamma", False, "C"),
        ("Nil", False, None),
    ]:
        db.session.add(Customer(name=name, key_account=key, abc_class=abc))
    db.session.commit()
    plan = [
        ("intake", ada, "Keyco", 5, 10),
        ("intake", ada, "Alpha", 4, 10),
        ("intake", ada, "Alpha", 2, 10),
        ("after_sales", bo, "Beta", 1, 10),
        ("after_sales", bo, None, 3, 10),
        ("after_sales", None, "Gamma", 4, 10),
        ("claims", bo, "Nil", 5, 10),
        ("intake", ada, "Beta", 1, 200),  # answered 200 days ago: outside the default period
    ]
    for department, user, company, rating, days_ago in plan:
        moment = T0 - timedelta(days=days_ago)
        with clock.at(moment):
            new = make_ticket(department=department, company=company)
            if user is not None:
                tickets.assign(new.ticket.id, SYSTEM, user.id, version=None)
            tickets.resolve(new.ticket.id, SYSTEM, version=None)
        with clock.at(moment + timedelta(hours=2)):
            survey = services.survey_for(new.ticket.id)
            services.answer(survey.id, rating=rating, comment=None, via=Channel.EMAIL)
    return plan


def rows(page: str, table: str) -> dict[str, tuple[str, ...]]:
    """``{label: (count, average, low share)}`` of one of the report's tables."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        found[cells[0]] = tuple(cells[1:])
    return found


def test_the_report_groups_by_department_agent_and_tier(client, auth, make_user, answers):
    auth.login(make_user(role=Role.SUPERVISOR, departments=("intake",)))
    with clock.at(T0):
        response = client.get("/satisfaction/report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    assert rows(page, "by-department") == {
        "Intake": ("3", "3.67", "33 % (1)"),
        "After-sales service": ("3", "2.67", "33 % (1)"),
        "Claims": ("1", "5.00", "0 % (0)"),
    }
    assert rows(page, "by-agent") == {
        "Ada": ("3", "3.67", "33 % (1)"),
        "Bo": ("3", "3.00", "33 % (1)"),
        "Nobody": ("1", "4.00", "0 % (0)"),
    }
    assert rows(page, "by-tier") == {
        "Key accounts": ("1", "5.00", "0 % (0)"),
        "A customers": ("2", "3.00", "50 % (1)"),
        "B customers": ("1", "1.00", "100 % (1)"),
        "C customers": ("1", "4.00", "0 % (0)"),
        "Unknown tier": ("2", "4.00", "0 % (0)"),
    }
    assert re.search(r'id="total-count">7<', page)
    assert re.search(r'id="total-average">3.43<', page)


def test_the_report_period_can_be_chosen(client, auth, make_user, answers):
    auth.login(make_user(role=Role.ADMIN, departments=()))
    day = (T0 - timedelta(days=200)).date().isoformat()
    with clock.at(T0):
        page = client.get(f"/satisfaction/report?from={day}&to={day}").get_data(as_text=True)
    assert rows(page, "by-agent") == {"Ada": ("1", "1.00", "100 % (1)")}
    assert rows(page, "by-tier")["B customers"] == ("1", "1.00", "100 % (1)")
    assert rows(page, "by-tier")["A customers"] == ("0", "—", "—")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "Enter a date as YYYY-MM-DD."),
        ("to=2026-13-01", "Enter a date as YYYY-MM-DD."),
        ("from=1900-01-01", "Choose a date between 2000 and 2100."),
        ("from=2026-05-01&to=2026-04-01", "The start must not be after the end."),
        ("from=%00", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_a_bad_period_gets_a_message(client, auth, make_user, query, message):
    auth.login(make_user(role=Role.SUPERVISOR))
    response = client.get(f"/satisfaction/report?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_the_report_runs_a_fixed_number_of_queries(app, client, auth, make_user, answers):

    auth.login(make_user(role=Role.ADMIN, departments=()))
    with counting_queries() as statements, clock.at(T0):
        client.get("/satisfaction/report")
    statements = [s for s in statements if "satisfaction_surveys" in s]
    assert len(statements) == 5  # totals, sent, departments, agents, tiers


def test_only_supervisors_and_admins_see_the_report_and_its_link(client, auth, make_user):
    assert client.get("/satisfaction/report").status_code == 302  # to the sign-in page

    auth.login(make_user(role=Role.AGENT))
    assert client.get("/satisfaction/report").status_code == 403
    assert 'href="/satisfaction/report"' not in client.get("/desk/").get_data(as_text=True)
    auth.logout()

    auth.login(make_user(role=Role.SUPERVISOR))
    assert 'href="/satisfaction/report"' in client.get("/desk/").get_data(as_text=True)


def test_the_dashboard_shows_the_average_of_the_last_30_days(client, auth, make_user, answers):
    auth.login(make_user(role=Role.AGENT))
    with clock.at(T0):
        page = client.get("/desk/").get_data(as_text=True)
    assert "3.4 / 5" in page
    assert "Average satisfaction, last 30 days (7 answers)" in page


def test_the_dashboard_without_answers(client, auth, make_user):
    auth.login(make_user(role=Role.AGENT))
    page = client.get("/desk/").get_data(as_text=True)
    assert "Average satisfaction, last 30 days (0 answers)" in page


def test_resolving_without_an_assignee_credits_the_resolver(make_ticket, make_user):
    agent = make_user(role="agent", departments=("intake",))
    new = make_ticket()
    tickets.resolve(new.ticket.id, agent, version=None)
    survey = services.survey_for(new.ticket.id)
    assert survey.agent_id == agent.id
    assert db.session.get(Ticket, new.ticket.id).assignee_id is None
