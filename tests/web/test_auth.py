"""Staff sign-in and sign-out."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from servicedesk.testing import PASSWORD


def test_login_page_has_a_labelled_form(client):
    page = client.get("/desk/login").get_data(as_text=True)
    assert "<h1" in page and "Staff sign-in</h1>" in page
    assert '<label for="email" class="form-label">Email</label>' in page
    assert '<label for="password" class="form-label">Password</label>' in page
    assert 'autocomplete="current-password"' in page


def test_sign_in_goes_to_the_desk(client, auth, make_user):
    user = make_user(name="Wang Fang")
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/"
    page = client.get("/desk/").get_data(as_text=True)
    assert "Signed in as <strong>Wang Fang</strong> (Agent)" in page
    assert "Sign out</button>" in page


def test_wrong_password_shows_the_form_again_with_the_email_kept(client, auth, make_user):
    user = make_user()
    response = auth.login(user, "not the password")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'role="alert" id="login-error">Wrong email or password.</div>' in page
    assert f'value="{user.email}"' in page
    assert client.get("/desk/").status_code == 302


def test_unknown_email_gets_the_same_message(auth):
    page = auth.login("nobody@desk.example.com").get_data(as_text=True)
    assert "Wrong email or password." in page


def test_inactive_user_cannot_sign_in(app, auth, make_user):
    from servicedesk.extensions import db

    user = make_user()
    user.active = False
    db.session.commit()
    assert "Wrong email or password." in auth.login(user).get_data(as_text=True)


def test_sign_in_starts_a_fresh_session(client, auth, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["locale"] = "zh_Hans_CN"
    auth.login(user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(user.id)
        # The reader's language choice is not a secret and survives.
        assert session["locale"] == "zh_Hans_CN"


def test_sign_in_returns_to_a_local_next_page(client, make_user):
    user = make_user()
    response = client.post(
        "/desk/login", data={"email": user.email, "password": PASSWORD, "next": "/desk/?q=1"}
    )
    assert response.headers["Location"] == "/desk/?q=1"


def test_sign_in_ignores_a_foreign_next_page(client, make_user):
    user = make_user()
    response = client.post(
        "/desk/login",
        data={"email": user.email, "password": PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/desk/"


def test_signed_in_user_visiting_login_goes_to_the_desk(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/desk/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/"


def test_sign_out_needs_post(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/desk/logout")
    assert response.status_code == 405
    assert client.get("/desk/").status_code == 200


def test_sign_out_ends_the_session(client, auth, make_user):
    auth.login(make_user())
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert 'role="alert">You have signed out.</div>' in page
    assert client.get("/desk/").status_code == 302


def test_anonymous_desk_visit_redirects_to_sign_in(client):
    response = client.get("/desk/?view=mine")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/desk/login"
    assert parse_qs(location.query)["next"] == ["/desk/?view=mine"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="alert">Please sign in to open the desk.</div>' in page
    assert 'name="next" value="/desk/?view=mine"' in page


def test_anonymous_htmx_request_gets_401_and_hx_redirect(client):
    response = client.get(
        "/desk/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/desk/?view=mine"},
    )
    assert response.status_code == 401
    location = urlsplit(response.headers["HX-Redirect"])
    assert location.path == "/desk/login"
    # Back to the page the fragment was on, not to the fragment.
    assert parse_qs(location.query)["next"] == ["/desk/?view=mine"]


def test_session_cookie_is_httponly_and_samesite_lax(auth, make_user):
    response = auth.login(make_user())
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
