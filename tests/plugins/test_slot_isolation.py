"""A plugin that raises while filling a page costs its own items, never the page."""

from __future__ import annotations

import pytest

from servicedesk import hookimpl
from servicedesk.slots import MenuLink, Metric, Panel, TicketAction


class Broken:
    name = "broken"

    @hookimpl
    def menu_links(self):
        raise RuntimeError("menu service offline")

    @hookimpl
    def dashboard_metrics(self):
        raise RuntimeError("metrics table missing")

    @hookimpl
    def ticket_panels(self):
        raise RuntimeError("panel service offline")

    @hookimpl
    def ticket_actions(self):
        raise RuntimeError("action service offline")


class Working:
    name = "working"

    @hookimpl
    def menu_links(self):
        return [MenuLink(key="reports", label="Quality reports", url="/reports")]

    @hookimpl
    def dashboard_metrics(self):
        return [Metric(key="returns", label="Returns this week", value=7)]

    @hookimpl
    def ticket_panels(self):
        return [Panel(key="no-template", title="Gone", template="working/missing.html")]

    @hookimpl
    def ticket_actions(self, ticket):
        return [TicketAction(key="inspect", label="Request inspection", url="/inspect")]


@pytest.fixture
def app_plugins():
    return [Broken(), Working()]


def test_desk_pages_survive_a_failing_plugin(client, auth, make_user, make_ticket, caplog):
    auth.login(make_user(departments=("intake",)))
    ticket = make_ticket().ticket
    queue = client.get("/desk/")
    assert queue.status_code == 200
    assert "Quality reports" in queue.text and "Returns this week" in queue.text
    page = client.get(f"/desk/tickets/{ticket.reference}")
    assert page.status_code == 200
    assert ticket.subject in page.text and "Request inspection" in page.text
    for message in ("menu service offline", "metrics table missing", "panel service offline"):
        assert message in caplog.text
    assert "'no-template' failed to render" in caplog.text
