"""Administration: staff accounts, departments and the routes between them.

Only administrators may call these; each call validates its input, refuses
what would lock the centre out (the last admin demoting or disabling
themselves) and commits on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select

from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import Department, Role, Route, User
from servicedesk.policy import Action, Actor, can
from servicedesk.services import users
from servicedesk.services import validation as check
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,31}")
DEPARTMENT_NAME_MAX = 100


def require_admin(actor: Actor | None) -> None:
    if not can(actor, Action.ADMINISTER):
        raise PermissionDenied(_("Only administrators may do this."))


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------


def create_user(
    actor: Actor,
    *,
    email: object,
    name: object,
    password: object,
    role: object,
    departments: Iterable[str],
) -> User:
    require_admin(actor)
    return users.create_user(
        email=email, name=name, password=password, role=role, departments=departments
    )


def update_user(
    actor: Actor,
    user_id: object,
    *,
    name: object,
    role: object,
    departments: Iterable[str],
    active: bool,
) -> User:
    """Change a member of staff's name, role, departments and whether they may sign in."""
    require_admin(actor)
    user = _user(user_id)
    errors = check.Errors()
    values = errors.collect(
        {
            "name": lambda: check.line(name, "name", max_length=check.NAME_MAX),
            "role": lambda: check.choice(role, "role", [r.value for r in Role]),
            # (users.py's own parser, so both forms refuse the same input alike)
            "departments": lambda: users.departments_by_code(departments),
        }
    )
    losing_admin = user.role == Role.ADMIN and (values.get("role") != Role.ADMIN or not active)
    if losing_admin and _other_active_admins(user) == 0:
        errors.add("role", _("The centre needs at least one active administrator."))
    errors.raise_if_any()
    user.name, user.role, user.departments = values["name"], values["role"], values["departments"]
    user.active = bool(active)
    db.session.commit()
    return user


def reset_password(actor: Actor, user_id: object, password: object) -> User:
    require_admin(actor)
    user = _user(user_id)
    users.set_password(user, password)
    return user


def _user(user_id: object) -> User:
    user = db.session.get(User, check.record_id(user_id, "user"))
    if user is None:
        raise NotFound(_("No such user."))
    return user


def _other_active_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.active, User.id != user.id)
    )


# --------------------------------------------------------------------------
# Departments
# --------------------------------------------------------------------------


def create_department(
    actor: Actor, *, code: object, name_en: object, name_zh: object
) -> Department:
    require_admin(actor)
    errors = check.Errors()
    values = errors.collect(
        {
            "code": lambda: _code(code),
            **_name_parsers(name_en, name_zh),
        }
    )
    if "code" in values and db.session.scalar(
        select(Department.id).where(Department.code == values["code"])
    ):
        errors.add("code", _("A department with this code already exists."))
    errors.raise_if_any()
    last = db.session.scalar(select(func.max(Department.position))) or 0
    department = Department(**values, active=True, position=last + 10)
    db.session.add(department)
    db.session.commit()
    return department


def rename_department(
    actor: Actor, department_id: object, *, name_en: object, name_zh: object
) -> Department:
    require_admin(actor)
    department = _department(department_id)
    errors = check.Errors()
    values = errors.collect(_name_parsers(name_en, name_zh))
    errors.raise_if_any()
    department.name_en, department.name_zh = values["name_en"], values["name_zh"]
    db.session.commit()
    return department


def set_department_active(actor: Actor, department_id: object, active: bool) -> Department:
    """Open or close a department to new tickets; its tickets stay where they are."""
    require_admin(actor)
    department = _department(department_id)
    department.active = bool(active)
    db.session.commit()
    return department


def _name_parsers(name_en: object, name_zh: object) -> dict[str, object]:
    return {
        "name_en": lambda: check.line(name_en, "name_en", max_length=DEPARTMENT_NAME_MAX),
        "name_zh": lambda: check.line(name_zh, "name_zh", max_length=DEPARTMENT_NAME_MAX),
    }


def _code(value: object) -> str:
    text = check.line(value, "code", max_length=32)
    if not CODE_PATTERN.fullmatch(text):
        raise ValidationError.single(
            "code",
            _("Use 2 to 32 lower-case letters, digits or underscores, starting with a letter."),
        )
    return text


def _department(department_id: object) -> Department:
    department = db.session.get(Department, check.record_id(department_id, "department"))
    if department is None:
        raise NotFound(_("No such department."))
    return department


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------


def add_route(actor: Actor, *, source: object, target: object) -> Route:
    """Allow tickets to move from ``source`` to ``target`` (department codes; "" = any)."""
    require_admin(actor)
    errors = check.Errors()
    ends = errors.collect(
        {"source": lambda: _end(source, "source"), "target": lambda: _end(target, "target")}
    )
    errors.raise_if_any()
    start, end = ends["source"], ends["target"]
    if start is None and end is None:
        raise ValidationError.single("target", _("Choose a department for at least one end."))
    if start is not None and start is end:
        raise ValidationError.single("target", _("A route must lead to another department."))
    pair = (start.id if start else None, end.id if end else None)
    exists = select(Route.id).where(
        Route.from_department_id.is_(None)
        if pair[0] is None
        else Route.from_department_id == pair[0],
        Route.to_department_id.is_(None) if pair[1] is None else Route.to_department_id == pair[1],
    )
    if db.session.scalar(exists):
        raise ValidationError.single("target", _("This route already exists."))
    route = Route(from_department_id=pair[0], to_department_id=pair[1])
    db.session.add(route)
    db.session.commit()
    return route


def remove_route(actor: Actor, route_id: object) -> None:
    require_admin(actor)
    route = db.session.get(Route, check.record_id(route_id, "route"))
    if route is None:
        raise NotFound(_("No such route."))
    db.session.delete(route)
    db.session.commit()


def _end(value: object, field: str) -> Department | None:
    if value in (None, ""):
        return None
    code = check.line(value, field, max_length=32)
    department = db.session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise ValidationError.single(field, _("No such department: %(code)s.", code=code))
    return department
