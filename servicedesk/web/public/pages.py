"""What every public page shares: private-page headers and the 413 page."""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from flask import current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from servicedesk.i18n import gettext as _
from servicedesk.services.attachments import human_size
from servicedesk.web.labels import centre_zone, compile_pattern
from servicedesk.web.public import bp

# Pages whose URL holds a tracking token, or that show one.
PRIVATE_ENDPOINTS = frozenset(
    {"public.track", "public.reply", "public.download", "public.submitted"}
)


@bp.after_request
def _keep_private(response: Response) -> Response:
    # The token in the URL must not leave in a Referer header, nor stay in a
    # shared computer's cache; error pages on those URLs are covered too.
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


bp.add_app_template_filter(human_size, "human_size")


# One unambiguous shape for both languages (digits only, so any locale's rules do).
_PORTAL_FORMAT = compile_pattern("yyyy-MM-dd HH:mm", Locale("en"))


@bp.app_template_filter("portal_datetime")
def portal_datetime(moment: datetime) -> str:
    """A date and time in the centre's time zone, one unambiguous shape for both languages."""
    return _PORTAL_FORMAT(moment.astimezone(centre_zone()))


@bp.app_errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    config = current_app.config
    message = _(
        "What you sent is larger than we accept. Each file may be at most %(each)s, "
        "and all files together at most %(total)s. Please go back, attach smaller "
        "files and send the form again.",
        each=human_size(config["ATTACHMENT_MAX_BYTES"]),
        total=human_size(config["ATTACHMENT_TOTAL_MAX_BYTES"]),
    )
    page = render_template(
        "pages/errors/error.html", code=413, title=_("Files too large"), message=message
    )
    return page, 413
