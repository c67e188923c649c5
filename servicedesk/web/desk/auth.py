"""Staff sign-in and sign-out, and what happens to anonymous visitors of the desk."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from servicedesk import catalogue
from servicedesk.extensions import db, htmx, limiter, login_manager
from servicedesk.i18n import SESSION_KEY
from servicedesk.i18n import gettext as _
from servicedesk.i18n import lazy_gettext as _l
from servicedesk.models import User
from servicedesk.services import users
from servicedesk.web.desk import bp
from servicedesk.web.urls import safe_next

# The longest address the form echoes back after a failed sign-in.
_EMAIL_ECHO_MAX = 254
# Failed sign-ins allowed per address and email before the form says "wait".
LOGIN_ATTEMPTS = "5 per minute"


def init_app(app: Flask) -> None:
    login_manager.login_view = "desk.login"
    login_manager.login_message = _l("Please sign in to open the desk.")
    login_manager.login_message_category = "info"
    # A session cookie replayed from another browser or address is dropped.
    login_manager.session_protection = "strong"
    login_manager.unauthorized_handler(_unauthorized)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is not None:
        # Every desk page asks the policy which departments the user works in;
        # the catalogue knows, as of this request, without loading them.
        known = catalogue.current().staff.get(user.id)
        if known is not None:
            user.catalogued_department_ids = known.department_ids
    return user


def _unauthorized() -> BaseResponse:
    target = url_for("desk.login", next=_return_path())
    if htmx:
        # A redirect would be followed by the XHR and its login page swapped
        # into a fragment; HX-Redirect makes htmx load the page instead.
        response = Response(status=401)
        response.headers["HX-Redirect"] = target
        return response
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(target)


def _return_path() -> str:
    """Where to come back to after signing in: the page, not an HTMX fragment."""
    if htmx and htmx.current_url:
        parts = urlsplit(htmx.current_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    else:
        path = request.full_path.rstrip("?")
    return safe_next(path, default=url_for("desk.index"))


def _login_key() -> str:
    # Per IP *and* address: one guesser cannot lock a colleague out from
    # elsewhere, and trying many addresses from one IP is limited per address.
    email = request.form.get("email", "")[:_EMAIL_ECHO_MAX].strip().lower()
    return f"{request.remote_addr}|{email}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    LOGIN_ATTEMPTS,
    key_func=_login_key,
    methods=["POST"],
    # Only failures count: a successful sign-in redirects.
    deduct_when=lambda response: response.status_code == 200,
)
def login() -> str | BaseResponse:
    next_url = safe_next(request.values.get("next"), default="")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(next_url or url_for("desk.index"))
    email = ""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")[:_EMAIL_ECHO_MAX]
        user = users.authenticate(email, request.form.get("password", ""))
        if user is not None:
            _start_session(user)
            return redirect(next_url or url_for("desk.index"))
        # One message for unknown address and wrong password alike, so the
        # form does not tell strangers which addresses have accounts.
        error = _("Wrong email or password.")
    return render_template("pages/desk/login.html", email=email, error=error, next_url=next_url)


@bp.post("/logout")
def logout() -> BaseResponse:
    locale = _chosen_locale()
    logout_user()
    session.clear()
    if locale:
        session[SESSION_KEY] = locale
    flash(_("You have signed out."), "success")
    return redirect(url_for("public.home"))


def _start_session(user: User) -> None:
    # A fresh session on sign-in, so a session id (or CSRF token) planted
    # before it is worth nothing afterwards; the language choice survives.
    locale = session.get(SESSION_KEY)
    session.clear()
    if locale:
        session[SESSION_KEY] = locale
    login_user(user)


def _chosen_locale() -> str | None:
    if current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return session.get(SESSION_KEY)
