"""The queues page: scopes, filters, sorting, keyset paging, counts, live updates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from servicedesk import clock
from servicedesk.models import Role
from servicedesk.services import tickets
from servicedesk.testing import counting_queries
from servicedesk.web.desk import queries


def references(page: str) -> list[str]:
    return re.findall(r'<td class="sd-ref"><a href="[^"]+">(SD-\d{4}-\d{6})</a>', page)


def count_badge(page: str, queue: str) -> str:
    return re.search(rf'data-queue-count="{queue}">([^<]+)<', page).group(1)


@pytest.fixture
def desk(make_user, make_ticket):
    """An intake agent, a colleague, and tickets in several states and departments."""
    agent = make_user(name="Wang Fang", departments=("intake",))
    colleague = make_user(name="Zhou Min", departments=("intake",))
    made = {}
    for subject, fields in {
        "new": {},
        "mine": {"priority": "urgent"},
        "theirs": {"kind": "repair"},
        "pending": {},
        "claims": {"department": "claims"},
        "closed": {},
    }.items():
        made[subject] = make_ticket(subject=f"Ticket {subject}", **fields).ticket
    tickets.assign(made["mine"].id, agent, agent.id, version=None)
    tickets.assign(made["theirs"].id, agent, colleague.id, version=None)
    tickets.set_status(made["pending"].id, agent, "pending", version=None)
    tickets.set_status(made["closed"].id, agent, "closed", version=None)
    return agent, colleague, made


def subjects(page: str) -> set[str]:
    return set(re.findall(r'class="sd-subject-link" href="[^"]+">Ticket (\w+)</a>', page))


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("mine", {"mine"}),
        ("department", {"new", "mine", "theirs", "pending"}),
        ("unassigned", {"new", "pending"}),
        ("pending", {"pending"}),
    ],
)
def test_queues_show_their_tickets(client, auth, desk, queue, expected):
    auth.login(desk[0])
    page = client.get(f"/desk/?queue={queue}").get_data(as_text=True)
    assert subjects(page) == expected
    assert count_badge(page, queue) == str(len(expected))


def test_all_queue_is_for_supervisors_and_admins(client, auth, desk, make_user):
    auth.login(desk[0])
    page = client.get("/desk/?queue=all").get_data(as_text=True)
    assert 'data-queue-count="all"' not in page
    assert subjects(page) == {"new", "mine", "theirs", "pending"}  # falls back to the default
    auth.logout()
    auth.login(make_user(role=Role.SUPERVISOR, departments=("intake",)))
    page = client.get("/desk/?queue=all").get_data(as_text=True)
    assert subjects(page) == {"new", "mine", "theirs", "pending", "closed"}
    auth.logout()
    auth.login(make_user(role=Role.ADMIN, departments=()))
    page = client.get("/desk/?queue=all").get_data(as_text=True)
    assert subjects(page) == {"new", "mine", "theirs", "pending", "closed", "claims"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("status=closed", {"closed"}),
        ("priority=3", {"mine"}),
        ("kind=repair", {"theirs"}),
        ("assignee=me", {"mine"}),
        ("assignee=none", {"new", "pending"}),
        ("q=Ticket+theirs", {"theirs"}),
        ("department=intake&priority=1", {"new", "theirs", "pending"}),
        # Values off the whitelist are dropped, never passed on.
        (
            "status=bogus&priority=9&kind=x&department=claims&assignee=abc",
            {"new", "mine", "theirs", "pending"},
        ),
    ],
)
def test_filters(client, auth, desk, args, expected):
    auth.login(desk[0])
    assert (
        subjects(client.get(f"/desk/?queue=department&{args}").get_data(as_text=True)) == expected
    )


def test_filter_by_colleague(client, auth, desk):
    agent, colleague, _made = desk
    auth.login(agent)
    page = client.get(f"/desk/?assignee={colleague.id}").get_data(as_text=True)
    assert subjects(page) == {"theirs"}


def test_keyset_pages_cover_every_ticket_once(app, client, auth, make_user, make_ticket):
    agent = make_user(departments=("intake",))
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    made = []
    for number in range(57):
        # Some share an update time: the id breaks the tie.
        with clock.at(start + timedelta(minutes=number // 3)):
            made.append(make_ticket(subject=f"Ticket {number}").ticket.reference)
    auth.login(agent)
    for sort, direction in (
        ("updated", "desc"),
        ("reference", "asc"),
        ("priority", "desc"),
        ("created", "asc"),
    ):
        seen, url = [], f"/desk/?sort={sort}&dir={direction}"
        pages = 0
        while url and pages < 5:
            page = client.get(url).get_data(as_text=True)
            seen.extend(references(page))
            pages += 1
            match = re.search(r'rel="next" href="([^"]+)"', page)
            url = match.group(1).replace("&amp;", "&") if match else None
        assert pages == 3
        assert sorted(seen) == sorted(made) and len(seen) == len(set(seen)) == 57
        if sort == "reference":
            assert seen == sorted(made)
        # And back again from the last page.
        previous = re.search(r'rel="prev" href="([^"]+)"', page).group(1).replace("&amp;", "&")
        assert references(client.get(previous).get_data(as_text=True)) == seen[25:50]


@pytest.mark.parametrize(
    "args",
    [
        "sort=updated_at;+DROP+TABLE+tickets",
        "sort=id&dir=sideways",
        "after=' OR 1=1 --",
        "after=WyIyMDI2LTAxLTAxIiwgMV0",  # a cursor with a naive time
        "before=bm90IGpzb24",
        "after=WzEsMiwzLDRd",
        "sort=priority&after=WyJ4IiwiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsMV0",
        "queue=' OR 1=1 --",
        "priority=1 OR 1=1",
        "assignee=1 OR 1=1",
        "assignee=99999999999999999999",
        "q=' OR 1=1 --",
        "q=NEAR(Ticket",
        'q="',
        "q=*",
        "q=-",
        "q=^Ticket",
        "q=Ticket OR x",
        "q=%25",
    ],
)
def test_hostile_parameters_are_harmless(client, auth, desk, args):
    auth.login(desk[0])
    response = client.get(f"/desk/?{args}")
    assert response.status_code == 200
    # Never more than the agent's own queue holds.
    assert subjects(response.get_data(as_text=True)) <= {"new", "mine", "theirs", "pending"}


def test_counts_are_capped(app, monkeypatch, make_user, make_ticket):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    agent = make_user(departments=("intake",))
    for _ in range(5):
        make_ticket()
    assert queries.queue_summary(agent)[0]["department"] == 3


def test_htmx_request_gets_the_list_only(client, auth, desk, htmx_headers):
    auth.login(desk[0])
    response = client.get("/desk/?queue=mine", headers=htmx_headers)
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="queue-list"')
    assert "<html" not in page
    assert re.search(r'<nav id="queue-nav" [^>]*hx-swap-oob="true"', page)
    assert "HX-Request" in response.headers["Vary"]
    full = client.get("/desk/?queue=mine")
    assert "HX-Request" in full.headers["Vary"]
    assert "<html" in full.get_data(as_text=True)


def test_filter_form_pushes_a_shareable_url(client, auth, desk):
    auth.login(desk[0])
    page = client.get("/desk/").get_data(as_text=True)
    assert 'hx-push-url="true"' in page
    assert 'hx-trigger="every 10s"' in page


def test_poll_answers_204_until_something_changes(client, auth, desk, make_ticket, htmx_headers):
    auth.login(desk[0])
    page = client.get("/desk/").get_data(as_text=True)
    poll = re.search(r'hx-get="(/desk/poll[^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(poll, headers=htmx_headers).status_code == 204
    make_ticket(subject="Ticket fresh")
    response = client.get(poll, headers=htmx_headers)
    assert response.status_code == 200
    assert "fresh" in subjects(response.get_data(as_text=True))


def test_a_change_elsewhere_does_not_wake_the_poll(client, auth, desk, make_ticket, htmx_headers):
    auth.login(desk[0])
    page = client.get("/desk/").get_data(as_text=True)
    poll = re.search(r'hx-get="(/desk/poll[^"]+)"', page).group(1).replace("&amp;", "&")
    make_ticket(subject="Ticket elsewhere", department="claims")
    assert client.get(poll, headers=htmx_headers).status_code == 204


def test_queue_page_query_count_does_not_grow(client, auth, make_user, make_ticket):
    agents = [make_user(departments=("intake",)) for _ in range(3)]
    auth.login(agents[0])

    def queries_for_page() -> int:
        with counting_queries() as statements:
            assert client.get("/desk/").status_code == 200
        return len(statements)

    first = make_ticket(company="Acme").ticket
    tickets.assign(first.id, agents[0], agents[0].id, version=None)
    queries_for_page()  # the first page of a visit also records "last seen"
    few = queries_for_page()
    for agent in agents[1:]:
        for _ in range(3):
            ticket = make_ticket(company=f"Company of {agent.name}").ticket
            tickets.assign(ticket.id, agent, agent.id, version=None)
    assert queries_for_page() == few


def test_bulk_actions_report_each_ticket(client, auth, desk, htmx_headers):
    agent, colleague, made = desk
    auth.login(agent)
    picked = [f"{made[name].id}:{made[name].version}" for name in ("new", "pending")]
    stale = f"{made['theirs'].id}:1"  # changed since (it was assigned)
    response = client.post(
        "/desk/bulk?queue=department",
        data={"action": "assign", "assignee": str(colleague.id), "ticket": [*picked, stale]},
        headers=htmx_headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    results = re.findall(
        r'<li class="(sd-ok|sd-failed)">.*?<strong>([^<]+)</strong>(.*?)</li>', page, re.S
    )
    outcome = {reference: (kind, " ".join(text.split())) for kind, reference, text in results}
    assert outcome[made["new"].reference][0] == "sd-ok"
    assert outcome[made["pending"].reference][0] == "sd-ok"
    assert outcome[made["theirs"].reference][0] == "sd-failed"
    assert "changed by someone else" in outcome[made["theirs"].reference][1]


def test_bulk_without_selection_says_so(client, auth, desk):
    auth.login(desk[0])
    response = client.post("/desk/bulk", data={"action": "status", "status": "open"})
    assert response.status_code == 422
    assert "Select at least one ticket." in response.get_data(as_text=True)


def test_kept_rows_follow_what_they_show(app, client, auth, make_user, make_ticket):
    """Queue rows are kept once rendered (web/desk/rows.py): a change of the
    ticket, of its SLA state or of the language shows at once."""
    from zoneinfo import ZoneInfo

    from servicedesk import tiers
    from servicedesk.sla.policies import seed_sla

    seed_sla()
    tiers.init_app(app)
    shanghai = ZoneInfo("Asia/Shanghai")
    agent = make_user(name="Wang Fang", departments=("intake",))
    with clock.at(datetime(2026, 11, 23, 9, tzinfo=shanghai)):
        ticket = make_ticket(subject="Pump leaks", kind="enquiry").ticket
    auth.login(agent)

    def row_at(moment: datetime) -> str:
        with clock.at(moment):
            page = client.get("/desk/?queue=department").get_data(as_text=True)
        return re.search(r"<tr data-sd-row.*?</tr>", page, re.S).group(0)

    morning = datetime(2026, 11, 23, 10, tzinfo=shanghai)
    first = row_at(morning)
    assert "Pump leaks" in first and "SLA on track" in first and "Unassigned" in first
    assert row_at(morning) == first

    tickets.assign(ticket.id, agent, agent.id, version=None)
    assigned = row_at(morning)
    assert "Wang Fang" in assigned and "Unassigned" not in assigned

    # The first response was due at 17:00: the same row, now breached.
    assert "SLA breached" in row_at(datetime(2026, 11, 24, 10, tzinfo=shanghai))

    client.post("/desk/profile/language", data={"locale": "zh_Hans_CN"})
    chinese = row_at(morning)
    assert "Wang Fang" in chinese and "SLA on track" not in chinese
