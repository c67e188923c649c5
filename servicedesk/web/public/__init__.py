"""The customer's side: the request form, the confirmation, tracking and lost links."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from servicedesk.web.public import pages, tracking, views  # noqa: E402,F401
