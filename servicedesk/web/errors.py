"""Friendly, translated error pages in the site's layout."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from servicedesk.extensions import db
from servicedesk.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

PAGES: dict[int, tuple[object, object]] = {
    400: (
        _l("Bad request"),
        _l("We could not understand that request. Please go back and try again."),
    ),
    403: (
        _l("Access denied"),
        _l("You do not have permission to see this page."),
    ),
    404: (
        _l("Page not found"),
        _l("The page you asked for does not exist or has moved."),
    ),
    405: (
        _l("Not allowed"),
        _l("This page cannot be used that way. Please use the links and buttons on the site."),
    ),
    429: (
        _l("Too many requests"),
        _l("You have made too many requests in a short time. Please wait a moment and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred on our side. It has been logged; please try again later."),
    ),
}

CSRF_PAGE = (
    _l("Your form expired"),
    _l("Your form expired, please try again. Reload the page and submit it once more."),
)


def register_error_handlers(app: Flask) -> None:
    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(InternalServerError, _server_error)


def _http_error(error: HTTPException) -> tuple[str, int, list[tuple[str, str]]]:
    code = error.code or 500
    if code == 429 and request.endpoint == "desk.login":
        # Throttled sign-in: the form again, with what to do about it.
        page = render_template(
            "pages/desk/login.html",
            email=request.form.get("email", "")[:254],
            error=_l("Too many failed sign-in attempts. Please wait a minute and try again."),
            next_url="",
        )
        return page, code, _headers(error)
    title, message = PAGES.get(code, PAGES[500])
    return _render(code, title, message), code, _headers(error)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    title, message = CSRF_PAGE
    return _render(400, title, message), 400


def _server_error(error: InternalServerError) -> tuple[str, int]:
    # The failed request may have left the session mid-transaction; the page
    # loads the signed-in user, which needs a usable session.
    db.session.rollback()
    title, message = PAGES[500]
    try:
        return _render(500, title, message), 500
    except Exception:
        # The layout itself may be what is broken; never answer a 500 with a 500.
        log.exception("error page failed to render")
        return str(message), 500


def _render(code: int, title: object, message: object) -> str:
    return render_template("pages/errors/error.html", code=code, title=title, message=message)


def _headers(error: HTTPException) -> list[tuple[str, str]]:
    # Keep Allow (405) and Retry-After (429); the body is ours, so is its type.
    return [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
