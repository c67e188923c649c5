"""Sign-in throttling, the profile page and the administration pages, over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Department, Role, Route, User
from servicedesk.testing import PASSWORD


def test_failed_sign_ins_are_throttled_per_address(client, auth, make_user):
    user, other = make_user(), make_user()
    for _ in range(5):
        assert auth.login(user, "wrong password").status_code == 200
    response = auth.login(user, PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many failed sign-in attempts. Please wait a minute and try again." in page
    assert f'value="{user.email}"' in page  # the form again, address kept
    assert "Retry-After" in response.headers
    # Another address from the same browser is not locked out.
    assert auth.login(other).status_code == 302


def test_successful_sign_ins_do_not_count(client, auth, make_user):
    user = make_user()
    for _ in range(7):
        assert auth.login(user).status_code == 302
        auth.logout()


def test_profile_changes_language_and_password(client, auth, make_user):
    user = make_user()
    auth.login(user)
    page = client.get("/desk/profile").get_data(as_text=True)
    assert (
        '<label for="password-current_password" class="form-label">Current password</label>' in page
    )
    response = client.post("/desk/profile/language", data={"locale": "zh_Hans_CN"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.locale == "zh_Hans_CN"
    response = client.post("/desk/profile/language", data={"locale": "xx"})
    assert response.status_code == 422

    refused = client.post(
        "/desk/profile/password",
        data={
            "current_password": "not it",
            "new_password": "brand new pass",
            "confirm_password": "brand new pass",
        },
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "brand new pass" not in page  # passwords are never echoed
    assert 'aria-invalid="true" aria-describedby="password-current_password-error"' in page
    done = client.post(
        "/desk/profile/password",
        data={
            "current_password": PASSWORD,
            "new_password": "brand new pass",
            "confirm_password": "brand new pass",
        },
    )
    assert done.status_code == 303
    auth.logout()
    assert auth.login(user, "brand new pass").status_code == 302


def test_personal_canned_responses_from_the_profile(client, auth, make_user):
    auth.login(make_user())
    response = client.post(
        "/desk/profile/canned", data={"title": "Thanks", "body": "Thank you, {customer_name}!"}
    )
    assert response.status_code == 303
    page = client.get("/desk/profile").get_data(as_text=True)
    assert "Thank you, {customer_name}!" in page
    refused = client.post("/desk/profile/canned", data={"title": "Bad", "body": "Hi {nobody}"})
    assert refused.status_code == 422
    assert "Unknown placeholder: {nobody}" in refused.get_data(as_text=True)


@pytest.fixture
def boss(client, auth, make_user):
    user = make_user(role=Role.ADMIN, departments=(), name="Boss")
    auth.login(user)
    return user


@pytest.mark.parametrize(
    "path",
    [
        "/desk/admin/",
        "/desk/admin/users",
        "/desk/admin/departments",
        "/desk/admin/routes",
        "/desk/admin/canned",
    ],
)
def test_admin_pages_render(client, boss, path):
    assert client.get(path).status_code == 200


def test_admin_creates_and_edits_a_user(client, boss):
    response = client.post(
        "/desk/admin/users",
        data={
            "name": "Zhou Min",
            "email": "zhou@desk.example.com",
            "password": "long enough pw",
            "role": "agent",
            "departments": ["intake", "sales"],
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "zhou@desk.example.com"))
    assert {d.code for d in user.departments} == {"intake", "sales"}
    response = client.post(
        f"/desk/admin/users/{user.id}",
        data={"name": "Zhou Min", "role": "supervisor", "departments": ["claims"]},
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert (user.role, user.active, [d.code for d in user.departments]) == (
        "supervisor",
        False,
        ["claims"],
    )


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        (
            "/desk/admin/users",
            {
                "name": "",
                "email": "not an email",
                "password": "x",
                "role": "root",
                "departments": ["mars"],
            },
            "Enter a valid email address.",
        ),
        (
            "/desk/admin/departments",
            {"code": "Bad Code!", "name_en": "x", "name_zh": "y"},
            "lower-case letters",
        ),
        (
            "/desk/admin/departments",
            {"code": "intake", "name_en": "x", "name_zh": "y"},
            "already exists",
        ),
        ("/desk/admin/routes", {"source": "", "target": ""}, "at least one end"),
        ("/desk/admin/routes", {"source": "intake", "target": "sales"}, "already exists"),
        ("/desk/admin/canned", {"title": "", "body": "{oops}"}, "Unknown placeholder"),
        ("/desk/admin/users/1/password", {"password": "short"}, "Use 8 to"),
    ],
)
def test_admin_refusals_are_messages_not_errors(client, boss, path, data, message):
    if "/users/1/" in path:
        path = path.replace("/1/", f"/{boss.id}/")
    response = client.post(path, data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_admin_manages_departments_and_routes(client, boss):
    assert (
        client.post(
            "/desk/admin/departments",
            data={"code": "quality", "name_en": "Quality", "name_zh": "质量部"},
        ).status_code
        == 303
    )
    quality = db.session.scalar(select(Department).where(Department.code == "quality"))
    client.post(
        f"/desk/admin/departments/{quality.id}", data={"name_en": "QA", "name_zh": "质检部"}
    )
    client.post(f"/desk/admin/departments/{quality.id}/active", data={"active": "0"})
    db.session.refresh(quality)
    assert (quality.name_en, quality.name_zh, quality.active) == ("QA", "质检部", False)
    assert (
        client.post("/desk/admin/routes", data={"source": "quality", "target": ""}).status_code
        == 303
    )
    route = db.session.scalar(select(Route).where(Route.from_department_id == quality.id))
    assert route.to_department_id is None
    page = client.get("/desk/admin/routes").get_data(as_text=True)
    assert "Remove the route from QA to Any department" in page
    route_id = route.id
    assert client.post(f"/desk/admin/routes/{route_id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Route, route_id) is None
    assert client.post("/desk/admin/routes/999999/delete").status_code == 303  # flashed, not a 500
