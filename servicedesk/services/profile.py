"""What staff change about their own account (the language is ``users.set_locale``)."""

from __future__ import annotations

from servicedesk.i18n import gettext as _
from servicedesk.models import User
from servicedesk.services import users
from servicedesk.services.errors import ValidationError


def change_password(user: User, *, current: object, new: object, confirm: object) -> None:
    """Set a new password after proving the current one (a walked-away session is not enough)."""
    errors: dict[str, list[str]] = {}
    if not users.verify_password(user, current):
        errors["current_password"] = [_("Your current password is not correct.")]
    if new != confirm:
        errors["confirm_password"] = [_("The two new passwords are not the same.")]
    if errors:
        raise ValidationError(errors)
    try:
        users.set_password(user, new)
    except ValidationError as error:
        raise ValidationError({"new_password": error.errors["password"]}) from None
