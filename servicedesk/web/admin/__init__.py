"""Administration pages under /desk/admin: staff, departments, routes, shared responses."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

import servicedesk.web.admin.customers  # noqa: E402,F401
from servicedesk.web.admin import views  # noqa: E402,F401
