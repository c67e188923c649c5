"""A queue's rows, kept once rendered.

Rows are most of what rendering a queue costs, and the same rows come back
again and again: paging back, another filter, the list fetched anew when one
of its tickets changed. A row is kept under everything it shows (its columns,
its SLA state now, the language, the date column, the link prefix), so a
changed ticket, an SLA state that moved on or another language renders anew.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import Row

from servicedesk.i18n import current_locale
from servicedesk.sla.clock import sla_state
from servicedesk.web import fragments

# About 1 KB each: a few MB per web process at most.
ROWS_KEPT = 2048
_TEMPLATE = "partials/desk/_queue_row.html"


def queue_row(ticket: Row[Any], sort: str, url_prefix: str) -> Markup:
    """The table row of a queue row (``queries.queue_page``), sorted by ``sort``."""
    by_created = sort == "created"
    key = (current_locale(), by_created, url_prefix, tuple(ticket), sla_state(ticket))

    def render(_csrf_token: Any) -> str:
        macro = current_app.jinja_env.get_template(_TEMPLATE).module.queue_row
        return str(macro(ticket, by_created, url_prefix))

    return fragments.kept("queue rows", ROWS_KEPT).render(key, render)
