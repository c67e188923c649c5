"""Staff accounts: creation, passwords and sign-in."""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from servicedesk import catalogue, clock
from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import Department, Role, User
from servicedesk.services import validation as check
from servicedesk.services.errors import ValidationError

PASSWORD_MIN = 8
PASSWORD_MAX = 1024

# Argon2id with the library's current recommended parameters.
_hasher = PasswordHasher()
# Verifying against this keeps the time of an unknown-email sign-in the same
# as a wrong-password one, so timing does not reveal which addresses exist.
# A precomputed hash of a random password: hashing one at import would cost
# every web worker 64 MB of Argon2 memory at start-up.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$60Q6UxtxU+EV158yI5xTGg$"
    "S6RDpCALLNUYayAzFz6qoGU3Y6gFYrjYNV1CJb+a0J4"
)


def create_user(
    *,
    email: object,
    name: object,
    password: object,
    role: object = Role.AGENT,
    departments: Iterable[str] = (),
    locale: object = None,
) -> User:
    """A new staff account in the given departments (by code)."""
    errors = check.Errors()
    values = errors.collect(
        {
            "email": lambda: check.email(email),
            "name": lambda: check.line(name, "name", max_length=check.NAME_MAX),
            "password": lambda: _password(password),
            "role": lambda: check.choice(role, "role", [r.value for r in Role]),
            "departments": lambda: departments_by_code(departments),
            "locale": lambda: None if locale is None else _locale(locale),
        }
    )
    taken = select(User.id).where(User.email == values.get("email"))
    if "email" in values and db.session.scalar(taken):
        errors.add("email", _("A user with this email already exists."))
    errors.raise_if_any()
    user = User(
        email=values["email"],
        name=values["name"],
        role=values["role"],
        password_hash=_hasher.hash(values["password"]),
        departments=values["departments"],
        locale=values["locale"],
        active=True,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request created the same address after our check above.
        db.session.rollback()
        raise ValidationError.single("email", _("A user with this email already exists.")) from None
    return user


def authenticate(email: object, password: object) -> User | None:
    """The active user with these credentials, or None."""
    if not isinstance(email, str) or not isinstance(password, str) or len(password) > PASSWORD_MAX:
        return None
    if len(email) > 254 or "\x00" in email + password:
        return None
    if not (check.is_encodable(email) and check.is_encodable(password)):
        return None  # lone surrogates: neither the database nor argon2 can encode them
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if not _matches(user.password_hash if user else _DUMMY_HASH, password):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = clock.now()
    db.session.commit()
    return user


def verify_password(user: User, password: object) -> bool:
    """Whether ``password`` is the user's (no sign-in is recorded)."""
    if not isinstance(password, str) or len(password) > PASSWORD_MAX:
        return False
    if "\x00" in password or not check.is_encodable(password):
        return False
    return _matches(user.password_hash, password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: object) -> None:
    user.password_hash = _hasher.hash(_password(password))
    db.session.commit()


def set_locale(user: User, locale: object) -> None:
    """Remember the user's language; it must be one the centre offers."""
    user.locale = _locale(locale)
    db.session.commit()


def _locale(value: object) -> str:
    return check.choice(value, "locale", current_app.config["LANGUAGES"])


def _password(value: object) -> str:
    if not isinstance(value, str) or "\x00" in value or not check.is_encodable(value):
        raise ValidationError.single("password", _("Must be text."))
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise ValidationError.single(
            "password",
            _("Use %(min)d to %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
        )
    return value


def works_in(user: User, code: str) -> bool:
    """Whether ``user`` is a member of the department ``code`` (from the catalogue, no query)."""
    department = catalogue.current().by_code.get(code)
    return department is not None and department.id in user.department_ids


def departments_by_code(codes: Iterable[str]) -> list[Department]:
    # A bare string would be read letter by letter; anything else unchecked
    # (None, numbers, NUL bytes) would reach the database as a query error.
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        raise ValidationError.single("departments", _("Give a list of department codes."))
    wanted = list(dict.fromkeys(check.line(c, "departments", max_length=32) for c in codes))
    found = list(db.session.scalars(select(Department).where(Department.code.in_(wanted))))
    missing = set(wanted) - {d.code for d in found}
    if missing:
        raise ValidationError.single(
            "departments", _("No such department: %(code)s.", code=", ".join(sorted(missing)))
        )
    return found
