"""The satisfaction survey in a real browser: the customer rates the service on
the tracking page (a low rating sends the request back to follow-up), and
through the survey mail's no-login link on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

import servicedesk_plugins.satisfaction as satisfaction
from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import OutboxMessage, Status, Ticket
from servicedesk.services import tickets
from servicedesk_plugins.satisfaction import jobs
from servicedesk_plugins.satisfaction.models import SatisfactionSurvey

pytestmark = pytest.mark.slow


@pytest.fixture
def app_plugins():
    return [satisfaction]


@pytest.fixture
def resolved(make_ticket, make_user):
    """A repair request, answered and resolved by an after-sales agent."""
    agent = make_user(role="agent", departments=("after_sales",), name="Li Wei")
    new = make_ticket(
        subject="Pump PX-200 leaks at the shaft seal",
        name="Wang Fang",
        company="Shanghai Pumps Co.",
        department="after_sales",
    )
    tickets.reply(new.ticket.id, agent, "We replaced the seal on site today.", version=None)
    tickets.resolve(new.ticket.id, agent, version=None)
    return new


def test_rate_on_the_tracking_page(app, page, live_server, screenshot, resolved):
    page.goto(f"{live_server}/t/{resolved.token}")
    panel = page.get_by_role("region", name="How did we do?")
    expect(panel).to_be_visible()
    rating = panel.get_by_role("group", name="How satisfied are you")

    # Sent without a choice: the message appears in place (htmx), announced.
    panel.get_by_role("button", name="Send my rating").click()
    expect(panel.get_by_role("alert")).to_contain_text("Choose a rating from 1")
    expect(rating.get_by_role("radio").first).to_have_attribute("aria-invalid", "true")

    rating.get_by_role("radio", name="2 – Dissatisfied").check()
    panel.get_by_label("Comment").fill("It leaks again <since> yesterday & the noise is back.")
    panel.scroll_into_view_if_needed()
    screenshot("satisfaction-tracking-form")
    panel.get_by_role("button", name="Send my rating").click()

    # The low rating reopened the request, so the whole page comes back fresh.
    expect(page.get_by_text("We are working on it")).to_be_visible()
    expect(page.get_by_text("Follow-up", exact=True)).to_be_visible()  # handled by
    expect(panel.get_by_text("Thank you for your rating.")).to_be_visible()
    expect(panel).to_contain_text("You rated our service 2 of 5 (Dissatisfied).")
    expect(panel).to_contain_text("It leaks again <since> yesterday & the noise is back.")
    expect(panel).to_contain_text("gone back to our follow-up team")
    expect(page.get_by_role("button", name="Send my rating")).to_have_count(0)
    screenshot("satisfaction-tracking-thanks")

    db.session.expire_all()
    ticket = db.session.get(Ticket, resolved.ticket.id)
    assert (ticket.status, ticket.department.code) == (Status.OPEN, "follow_up")
    survey = db.session.scalar(select(SatisfactionSurvey))
    assert (survey.rating, survey.answered_via) == (2, "tracking")


def test_rate_through_the_mailed_link_on_a_phone(app, page, live_server, screenshot, resolved):
    with clock.at(clock.now() + timedelta(hours=2)):
        assert jobs.send_due() == 1
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == jobs.MAIL_KIND))
    link = re.search(r"http://\S+/satisfaction/s/\S+", mail.body_text).group(0)
    assert link.startswith(live_server)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("How did we do?")
    expect(page.get_by_text(resolved.reference)).to_be_visible()
    page.get_by_role("radio", name="5 – Very satisfied").check()
    page.get_by_label("Comment").fill("Fast and friendly, thank you Li Wei!")
    page.get_by_role("button", name="Send my rating").click()
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("satisfaction-link-phone")

    # The link again, later: the answer is kept, no second form.
    page.goto(link)
    expect(page.get_by_text("You rated our service 5 of 5 (Very satisfied).")).to_be_visible()
    expect(page.get_by_role("button", name="Send my rating")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(Ticket, resolved.ticket.id).status == Status.RESOLVED


def test_the_supervisor_sees_the_answer_and_the_report(
    app, page, live_server, screenshot, resolved, make_user
):
    from servicedesk.testing import PASSWORD
    from servicedesk_plugins.satisfaction import services
    from servicedesk_plugins.satisfaction.models import Channel

    survey = services.survey_for(resolved.ticket.id)
    services.answer(
        survey.id, rating=1, comment="Nobody called back.\nSecond line.", via=Channel.EMAIL
    )
    boss = make_user(role="supervisor", departments=("follow_up", "after_sales"), name="Zhao Min")

    page.goto(f"{live_server}/desk/login")
    page.get_by_label("Email").fill(boss.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Average satisfaction, last 30 days (1 answer)")).to_be_visible()

    page.goto(f"{live_server}/desk/tickets/{resolved.reference}")
    panel = page.get_by_role("region", name="Satisfaction survey")
    expect(panel).to_contain_text("1 / 5")
    expect(panel).to_contain_text("Nobody called back.")
    expect(panel).to_contain_text("Reopened and sent to follow-up automatically.")
    panel.scroll_into_view_if_needed()
    screenshot("satisfaction-desk-panel")

    page.get_by_role("link", name="Satisfaction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Satisfaction report")
    department = page.get_by_role("table").first
    expect(department.get_by_role("row", name="After-sales service")).to_contain_text("1.00")
    screenshot("satisfaction-report")
