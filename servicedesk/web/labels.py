"""Translated labels for the values stored in the database.

The database keeps stable codes (``open``, ``2``, ``claims``); people read
these labels. They are lazy strings so they translate in the locale of the
request that renders them, not the one that imported this module.
"""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, dates
from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from servicedesk.labels import (
    channel_label,
    kind_label,
    message_kind_label,
    priority_code,
    priority_label,
    role_label,
    status_label,
)

# One line per core kind of request for the public home page; kinds that
# plugins add are shown with their label only.
KIND_HINTS: dict[str, object] = {
    "enquiry": _l("Questions about products, specifications, delivery or documents."),
    "sales": _l("Quotes, orders, order changes and delivery dates."),
    "feedback": _l("Tell us what works well and what we should improve."),
    "repair": _l("Breakdowns, maintenance and technical support for equipment you bought."),
    "complaint": _l("Something went wrong with a product or our service: we will put it right."),
    "claim": _l("Compensation for a product problem that could not be solved."),
    "training": _l("Training for your own staff on our products."),
}

# What each seeded department does, for the home page; departments an
# administrator adds later are listed by name only.
DEPARTMENT_HINTS: dict[str, object] = {
    "intake": _l("Receives every request and answers first questions."),
    "sales": _l("Quotes, orders and existing customer accounts."),
    "information": _l("Customer records and satisfaction surveys."),
    "follow_up": _l("Asks how our products and service worked for you."),
    "after_sales": _l("Repairs, technical support and on-site experts."),
    "claims": _l("Compensation for problems that could not be solved."),
    "training": _l("Training for our staff and for yours."),
    "general_affairs": _l("Coordinates departments and handles exceptions."),
    "key_accounts": _l("One-to-one service for our key accounts."),
}


def short_datetime(moment: datetime) -> str:
    """``moment`` in the centre's time zone, in the reader's short date-time format.

    What Flask-Babel's ``datetimeformat("short")`` gives, several times faster:
    a queue shows dozens of these and builds the pattern once per locale.
    """
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return dates.format_datetime(moment, _short_pattern(str(locale)), tzinfo=zone, locale=locale)


@functools.cache
def _short_pattern(locale: str) -> str:
    parsed = Locale.parse(locale)
    return str(parsed.datetime_formats["short"]).format(
        parsed.time_formats["short"].pattern, parsed.date_formats["short"].pattern
    )


def init_app(app: Flask) -> None:
    """Make the labels available to every template as filters."""
    app.jinja_env.filters.update(
        short_datetime=short_datetime,
        status_label=status_label,
        priority_label=priority_label,
        priority_code=priority_code,
        role_label=role_label,
        message_kind_label=message_kind_label,
        channel_label=channel_label,
        kind_label=kind_label,
    )
