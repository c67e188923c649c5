"""The agents' desk: sign-in, queues, the ticket page and the profile."""

from flask import Blueprint

bp = Blueprint("desk", __name__)

from servicedesk.web.desk import auth, profile, ticket, views  # noqa: E402,F401


@bp.before_request
def _mark_available() -> None:
    # Auto-assignment only picks agents seen in the last minutes.
    from flask_login import current_user

    from servicedesk.services import assignment

    if current_user.is_authenticated:
        assignment.touch_last_seen(current_user)
