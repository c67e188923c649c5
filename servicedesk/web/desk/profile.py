"""The signed-in user's own page: language, password and personal canned responses."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from servicedesk.i18n import SESSION_KEY
from servicedesk.i18n import gettext as _
from servicedesk.services import canned, profile, users
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError
from servicedesk.web.desk import bp


@bp.get("/profile")
@login_required
def profile_page() -> str:
    return _render()


@bp.post("/profile/language")
@login_required
def change_language() -> Response | tuple[str, int]:
    locale = request.form.get("locale")
    try:
        users.set_locale(current_user, locale)
    except ValidationError as error:
        return _render(form_name="language", errors=error.errors), 422
    session[SESSION_KEY] = locale
    flash(_("Language saved."), "success")
    return redirect(url_for("desk.profile_page"), code=303)


@bp.post("/profile/password")
@login_required
def change_password() -> Response | tuple[str, int]:
    form = request.form
    try:
        profile.change_password(
            current_user,
            current=form.get("current_password"),
            new=form.get("new_password"),
            confirm=form.get("confirm_password"),
        )
    except ValidationError as error:
        # Passwords are never echoed back into the form.
        return _render(form_name="password", errors=error.errors), 422
    flash(_("Your password was changed."), "success")
    return redirect(url_for("desk.profile_page"), code=303)


@bp.post("/profile/canned")
@login_required
def add_canned() -> Response | tuple[str, int]:
    form = request.form
    try:
        canned.create(current_user, title=form.get("title"), body=form.get("body"))
    except ValidationError as error:
        return _render(form_name="canned", form=form.to_dict(), errors=error.errors), 422
    flash(_("Canned response saved."), "success")
    return redirect(url_for("desk.profile_page"), code=303)


@bp.post("/profile/canned/<int:response_id>/delete")
@login_required
def delete_canned(response_id: int) -> Response | tuple[str, int]:
    try:
        canned.delete(current_user, response_id)
    except (NotFound, PermissionDenied, ValidationError):
        flash(_("No such canned response."), "warning")
        return redirect(url_for("desk.profile_page"), code=303)
    flash(_("Canned response deleted."), "success")
    return redirect(url_for("desk.profile_page"), code=303)


def _render(**context: Any) -> str:
    context.setdefault("form", {})
    context.setdefault("errors", {})
    context.setdefault("form_name", None)
    personal = [r for r in canned.visible_to(current_user) if r.owner_id is not None]
    return render_template(
        "pages/desk/profile.html",
        personal=personal,
        placeholders=canned.PLACEHOLDERS,
        **context,
    )
