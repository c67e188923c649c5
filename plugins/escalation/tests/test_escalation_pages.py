"""What supervisors see: the list of escalated tickets, the menu, the dashboard, the data."""

from __future__ import annotations

import pytest
from escalation_helpers import shanghai

from servicedesk import clock
from servicedesk.services import tickets
from servicedesk_plugins.escalation import records, scan

CREATED = shanghai(2026, 11, 23, 9)
BREACH = shanghai(2026, 11, 23, 17)


@pytest.fixture
def desk(sla, make_ticket, make_user):
    """Intake: one ticket escalated at breach, one by hand, one escalated and resolved.
    Claims: one escalated at breach, then by hand (through the service directly,
    as another plugin would)."""
    people = {
        "supervisor": make_user(role="supervisor", departments=("intake",)),
        "agent": make_user(role="agent", departments=("intake",)),
        "claims": make_user(role="supervisor", departments=("claims",)),
        "admin": make_user(role="admin", departments=()),
    }
    with clock.at(CREATED):
        late = make_ticket(kind="enquiry", subject="Spindle motor overheats").ticket
        done = make_ticket(kind="enquiry", subject="Manual in Chinese").ticket
        other = make_ticket(kind="claim", subject="Refund for the broken gearbox").ticket
        tickets.route(other.id, people["admin"], "claims", version=None, reason="A claim.")
    with clock.at(BREACH):
        scan.run(None)
    with clock.at(shanghai(2026, 11, 24, 10)):
        tickets.resolve(done.id, people["supervisor"], version=None)
        tickets.escalate(other.id, people["claims"], level="manual", reason="Lawyer involved.")
    with clock.at(shanghai(2026, 11, 24, 11)):
        manual = make_ticket(kind="complaint", subject="Rude driver").ticket
        tickets.escalate(manual.id, people["agent"], level="manual", reason="Third complaint.")
    return people, {"late": late, "done": done, "other": other, "manual": manual}


def rows(html):
    """The references listed on /escalation/, in order."""
    import re

    return re.findall(r'<tr data-ticket="([^"]+)"', html)


def test_a_supervisor_sees_the_open_escalations_of_their_departments(client, auth, desk):
    people, found = desk
    auth.login(people["supervisor"])
    queue = client.get("/desk/").get_data(as_text=True)
    assert 'href="/escalation/"' in queue  # the menu link

    with clock.at(shanghai(2026, 11, 24, 12)):
        page = client.get("/escalation/").get_data(as_text=True)
    # Newest first; the resolved ticket and the claims department's are not listed.
    assert rows(page) == [found["manual"].reference, found["late"].reference]
    assert "Spindle motor overheats" in page and "SLA breach" in page
    assert "SLA breached: the first response was due 2026-11-23 17:00" in page
    assert "Breached" in page and "Intake" in page and "High" in page
    assert "Third complaint." in page and "By hand" in page


def test_an_administrator_sees_every_department(client, auth, desk):
    people, found = desk
    auth.login(people["admin"])
    page = client.get("/escalation/").get_data(as_text=True)
    assert rows(page) == [
        found["manual"].reference,
        found["other"].reference,
        found["late"].reference,
    ]
    assert "Claims" in page


def test_agents_have_neither_the_page_nor_the_link(client, auth, desk):
    people, _found = desk
    auth.login(people["agent"])
    assert 'href="/escalation/"' not in client.get("/desk/").get_data(as_text=True)
    assert client.get("/escalation/").status_code == 403


def test_the_list_pages(client, auth, desk, monkeypatch):
    people, found = desk
    monkeypatch.setattr("servicedesk_plugins.escalation.views.PER_PAGE", 1)
    auth.login(people["supervisor"])
    first = client.get("/escalation/").get_data(as_text=True)
    assert rows(first) == [found["manual"].reference]
    assert 'href="/escalation/?page=2"' in first
    second = client.get("/escalation/?page=2").get_data(as_text=True)
    assert rows(second) == [found["late"].reference]
    assert "page=3" not in second
    assert rows(client.get("/escalation/?page=abc").get_data(as_text=True)) == rows(first)


def test_the_dashboard_counts_open_tickets_escalated_at_breach(client, auth, desk):
    people, _found = desk
    auth.login(people["supervisor"])
    page = client.get("/desk/").get_data(as_text=True)
    assert (
        '<span class="sd-metric-value">1</span>'
        '<span class="sd-metric-label">Open tickets escalated at breach</span>'
    ) in page
    assert records.breached_open_count(people["claims"]) == 1
    assert records.breached_open_count(people["admin"]) == 2


def test_the_ticket_data_lists_its_escalations(client, auth, desk):
    people, found = desk
    auth.login(people["supervisor"])
    data = client.get(f"/desk/tickets/{found['late'].reference}.json").get_json()
    (escalation,) = data["plugins"]["escalation"]["escalations"]
    assert escalation["level"] == "breach"
    assert escalation["actor"] == "system"
    assert escalation["reason"].startswith("SLA breached")
    assert escalation["at"].startswith("2026-11-23T09:00:00")  # 17:00 in Shanghai, in UTC
