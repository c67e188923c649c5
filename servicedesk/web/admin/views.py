"""Administration pages. Each form posts to one service function in services/admin.py
(or canned.py); a refusal shows the page again with the input and the messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import CannedResponse, Department, Role, Route, User
from servicedesk.plugins import describe
from servicedesk.policy import Action, can
from servicedesk.services import admin, canned
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError
from servicedesk.state import app_state
from servicedesk.web.admin import bp

Page = Callable[..., str]


@bp.before_request
@login_required
def _administrators_only() -> None:
    # Supervisors may look up customers; the customer views check edit rights.
    if (request.endpoint or "").startswith("admin.customer") and current_user.role in (
        "admin",
        "supervisor",
    ):
        return
    if not can(current_user, Action.ADMINISTER):
        abort(403)


@bp.get("/")
def index() -> str:
    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    return render_template(
        "pages/admin/index.html",
        users=count(User),
        departments=count(Department),
        routes=count(Route),
        shared=db.session.scalar(
            select(func.count())
            .select_from(CannedResponse)
            .where(CannedResponse.owner_id.is_(None))
        ),
    )


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------


@bp.get("/users")
def users_page(**context: Any) -> str:
    staff = db.session.scalars(
        select(User).options(selectinload(User.departments)).order_by(User.name)
    ).all()
    return _page(
        "pages/admin/users.html", staff=staff, roles=list(Role), departments=_all(), **context
    )


@bp.post("/users")
def create_user() -> Response | tuple[str, int]:
    form = request.form
    return _submit(
        lambda: admin.create_user(
            current_user,
            email=form.get("email"),
            name=form.get("name"),
            password=form.get("password"),
            role=form.get("role"),
            departments=form.getlist("departments"),
        ),
        _("User created."),
        users_page,
        "create",
        keep=("email", "name", "role"),
    )


@bp.get("/users/<int:user_id>")
def user_page(user_id: int, **context: Any) -> str:
    user = db.session.get(User, user_id) or abort(404)
    return _page(
        "pages/admin/user.html", user=user, roles=list(Role), departments=_all(), **context
    )


@bp.post("/users/<int:user_id>")
def update_user(user_id: int) -> Response | tuple[str, int]:
    form = request.form
    return _submit(
        lambda: admin.update_user(
            current_user,
            user_id,
            name=form.get("name"),
            role=form.get("role"),
            departments=form.getlist("departments"),
            active=form.get("active") == "on",
        ),
        _("User saved."),
        user_page,
        "edit",
        keep=("name", "role"),
        user_id=user_id,
    )


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int) -> Response | tuple[str, int]:
    return _submit(
        lambda: admin.reset_password(current_user, user_id, request.form.get("password")),
        _("Password set. Tell the user their new password by a safe channel."),
        user_page,
        "password",
        user_id=user_id,
    )


# --------------------------------------------------------------------------
# Departments
# --------------------------------------------------------------------------


@bp.get("/departments")
def departments_page(**context: Any) -> str:
    return _page("pages/admin/departments.html", departments=_all(), **context)


@bp.post("/departments")
def create_department() -> Response | tuple[str, int]:
    form = request.form
    return _submit(
        lambda: admin.create_department(
            current_user,
            code=form.get("code"),
            name_en=form.get("name_en"),
            name_zh=form.get("name_zh"),
        ),
        _("Department created."),
        departments_page,
        "create",
        keep=("code", "name_en", "name_zh"),
    )


@bp.post("/departments/<int:department_id>")
def rename_department(department_id: int) -> Response | tuple[str, int]:
    form = request.form
    return _submit(
        lambda: admin.rename_department(
            current_user, department_id, name_en=form.get("name_en"), name_zh=form.get("name_zh")
        ),
        _("Department renamed."),
        departments_page,
        f"rename-{department_id}",
        keep=("name_en", "name_zh"),
    )


@bp.post("/departments/<int:department_id>/active")
def set_department_active(department_id: int) -> Response | tuple[str, int]:
    active = request.form.get("active") == "1"
    return _submit(
        lambda: admin.set_department_active(current_user, department_id, active),
        _("Department opened to new tickets.")
        if active
        else _("Department closed to new tickets."),
        departments_page,
        f"rename-{department_id}",
    )


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------


@bp.get("/routes")
def routes_page(**context: Any) -> str:
    routes = db.session.scalars(
        select(Route).options(
            selectinload(Route.from_department), selectinload(Route.to_department)
        )
    ).all()

    def order(route: Route) -> tuple[int, int]:
        ends = (route.from_department, route.to_department)
        return tuple(d.position if d else -1 for d in ends)  # "any" first

    return _page(
        "pages/admin/routes.html",
        routes=sorted(routes, key=order),
        departments=_all(),
        **context,
    )


@bp.post("/routes")
def add_route() -> Response | tuple[str, int]:
    form = request.form
    return _submit(
        lambda: admin.add_route(current_user, source=form.get("source"), target=form.get("target")),
        _("Route added."),
        routes_page,
        "create",
        keep=("source", "target"),
    )


@bp.post("/routes/<int:route_id>/delete")
def remove_route(route_id: int) -> Response | tuple[str, int]:
    return _submit(
        lambda: admin.remove_route(current_user, route_id),
        _("Route removed."),
        routes_page,
        "remove",
    )


# --------------------------------------------------------------------------
# Shared canned responses
# --------------------------------------------------------------------------


@bp.get("/canned")
def canned_page(**context: Any) -> str:
    return _page(
        "pages/admin/canned.html",
        responses=canned.shared(),
        placeholders=canned.PLACEHOLDERS,
        **context,
    )


@bp.post("/canned")
def create_canned() -> Response | tuple[str, int]:
    form = request.form
    return _submit(
        lambda: canned.create(
            current_user, title=form.get("title"), body=form.get("body"), shared=True
        ),
        _("Canned response saved."),
        canned_page,
        "create",
        keep=("title", "body"),
    )


@bp.post("/canned/<int:response_id>")
def update_canned(response_id: int) -> Response | tuple[str, int]:
    form = request.form
    return _submit(
        lambda: canned.update(
            current_user, response_id, title=form.get("title"), body=form.get("body")
        ),
        _("Canned response saved."),
        canned_page,
        f"edit-{response_id}",
        keep=("title", "body"),
    )


@bp.post("/canned/<int:response_id>/delete")
def delete_canned(response_id: int) -> Response | tuple[str, int]:
    return _submit(
        lambda: canned.delete(current_user, response_id),
        _("Canned response deleted."),
        canned_page,
        "remove",
    )


# --------------------------------------------------------------------------
# Plumbing
# --------------------------------------------------------------------------


def _all() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.position)))


def _page(template: str, **context: Any) -> str:
    context.setdefault("form_name", None)
    context.setdefault("form", {})
    context.setdefault("errors", {})
    return render_template(template, **context)


def _submit(
    operation: Callable[[], object],
    done: str,
    page: Page,
    form_name: str,
    keep: tuple[str, ...] = (),
    **page_args: Any,
) -> Response | tuple[str, int]:
    """Run one service call; on refusal show ``page`` again with the input and messages."""
    try:
        operation()
    except ValidationError as error:
        form = {key: request.form.get(key, "") for key in keep}
        form["departments"] = request.form.getlist("departments")
        return page(**page_args, form_name=form_name, form=form, errors=error.errors), 422
    except (NotFound, PermissionDenied) as error:
        flash(error.message, "warning")
    else:
        flash(done, "success")
    return redirect(url_for(f"admin.{page.__name__}", **page_args), code=303)


# --------------------------------------------------------------------------
# Plugins (read-only: plugins are installed and disabled in the settings)
# --------------------------------------------------------------------------


@bp.get("/plugins")
def plugins_page() -> str:
    return _page(
        "pages/admin/plugins.html",
        plugins=describe(app_state().plugin_manager),
        disabled=sorted(current_app.config["DISABLED_PLUGINS"]),
        plugin_sources={
            "core": _("core"),
            "built-in": _("built-in"),
            "installed": _("installed"),
            "registered": _("registered"),
        },
    )
