"""Who may reach what on the desk, and how: sign-in, POST with CSRF, departments."""

from __future__ import annotations

import re

import pytest

from servicedesk.models import Role
from servicedesk.services import canned

DESK_PAGES = [
    "/desk/",
    "/desk/?queue=mine",
    "/desk/poll",
    "/desk/profile",
    "/desk/tickets/SD-2026-000001",
    "/desk/attachments/1",
    "/desk/admin/",
    "/desk/admin/users",
    "/desk/admin/routes",
]
ACTIONS = ["messages", "canned", "assign", "route", "status", "priority"]


@pytest.mark.parametrize("path", DESK_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/desk/login?next=")


@pytest.mark.parametrize("path", DESK_PAGES)
def test_anonymous_htmx_requests_get_401_with_hx_redirect(client, path):
    response = client.get(path, headers={"HX-Request": "true", "HX-Current-URL": "http://x/desk/"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/desk/login?next=")


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_are_post_only(client, auth, make_user, make_ticket, action):
    ticket = make_ticket().ticket
    auth.login(make_user())
    response = client.get(f"/desk/tickets/{ticket.reference}/{action}")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_bulk_and_admin_writes_are_post_only(client, auth, make_user):
    auth.login(make_user(role=Role.ADMIN, departments=()))
    for path in (
        "/desk/bulk",
        "/desk/profile/password",
        "/desk/admin/routes/1/delete",
        "/desk/admin/departments/1/active",
    ):
        assert client.get(path).status_code == 405, path


def test_agent_cannot_see_or_act_on_another_departments_ticket(
    client, auth, make_user, make_ticket
):
    ticket = make_ticket(subject="Claim for the gearbox", department="claims").ticket
    auth.login(make_user(departments=("intake",)))
    assert client.get(f"/desk/tickets/{ticket.reference}").status_code == 404
    for action, data in {
        "messages": {"kind": "reply", "body": "hi"},
        "assign": {"assignee": "me"},
        "route": {"department": "intake"},
        "status": {"status": "resolved"},
        "priority": {"priority": "3"},
        "canned": {"canned": "1"},
    }.items():
        response = client.post(
            f"/desk/tickets/{ticket.reference}/{action}", data={**data, "version": "1"}
        )
        assert response.status_code == 404, action
    assert "Claim for the gearbox" not in client.get("/desk/?q=gearbox").get_data(as_text=True)
    # A bulk action names the ticket by id only: it is refused without revealing it.
    page = client.post(
        "/desk/bulk", data={"action": "status", "status": "resolved", "ticket": f"{ticket.id}:1"}
    ).get_data(as_text=True)
    assert ticket.reference not in page and "No such ticket." in page


def test_supervisor_of_the_department_and_admin_may(client, auth, make_user, make_ticket):
    ticket = make_ticket(department="claims").ticket
    for user in (
        make_user(role=Role.SUPERVISOR, departments=("claims",)),
        make_user(role=Role.ADMIN, departments=()),
    ):
        auth.login(user)
        assert client.get(f"/desk/tickets/{ticket.reference}").status_code == 200
        auth.logout()


def test_agents_and_supervisors_may_not_administer(client, auth, make_user):
    for role in (Role.AGENT, Role.SUPERVISOR):
        auth.login(make_user(role=role))
        assert client.get("/desk/admin/").status_code == 403
        assert (
            client.post(
                "/desk/admin/departments", data={"code": "x1", "name_en": "X", "name_zh": "X"}
            ).status_code
            == 403
        )
        auth.logout()


def test_someone_elses_canned_response_is_not_offered(client, auth, make_user, make_ticket):
    owner, other = make_user(), make_user()
    private = canned.create(owner, title="Mine", body="Secret text")
    ticket = make_ticket().ticket
    auth.login(other)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/canned", data={"canned": str(private.id), "body": ""}
    )
    assert response.status_code == 422
    assert "Secret text" not in response.get_data(as_text=True)


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_posts_without_the_token_are_refused(self, client, make_user, make_ticket):
        user = make_user()
        ticket = make_ticket().ticket
        page = client.get("/desk/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post(
            "/desk/login",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        )
        for path, data in (
            (
                f"/desk/tickets/{ticket.reference}/messages",
                {"kind": "reply", "body": "hi", "version": "1"},
            ),
            (f"/desk/tickets/{ticket.reference}/assign", {"assignee": "me", "version": "1"}),
            ("/desk/bulk", {"action": "status", "status": "open", "ticket": f"{ticket.id}:1"}),
            ("/desk/profile/language", {"locale": "en"}),
        ):
            response = client.post(path, data=data)
            assert response.status_code == 400, path
            assert "Your form expired" in response.get_data(as_text=True)
        page = client.get(f"/desk/tickets/{ticket.reference}").get_data(as_text=True)
        token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)
        response = client.post(
            f"/desk/tickets/{ticket.reference}/assign",
            data={"assignee": "me", "version": str(ticket.version)},
            headers={"X-CSRFToken": token, "HX-Request": "true"},
        )
        assert response.status_code == 200
