"""Translated labels for the values stored in the database.

The database keeps stable codes (``open``, ``2``, ``claims``); people read
these labels. They are lazy strings so they translate in the locale of the
request that renders them, not the one that imported this module.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, dates
from flask import Flask, current_app

from servicedesk.i18n import current_locale
from servicedesk.i18n import lazy_gettext as _l
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
    a queue shows dozens of these, and the pattern is compiled once per locale.
    """
    return _short_format(current_locale())(moment.astimezone(centre_zone()))


def centre_zone() -> ZoneInfo:
    """The centre's time zone (``TIMEZONE``), in which every date is shown."""
    return _zone(current_app.config["TIMEZONE"])


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.cache
def _short_format(locale: str) -> Callable[[datetime], str]:
    parsed = Locale.parse(locale)
    pattern = str(parsed.datetime_formats["short"]).format(
        parsed.time_formats["short"].pattern, parsed.date_formats["short"].pattern
    )
    return compile_pattern(pattern, parsed)


# The fields of CLDR date patterns a queue's dates use, computed directly;
# anything else is left to Babel.
_FIELDS: dict[str, Callable[[datetime], str]] = {
    "y": lambda d: str(d.year),
    "yyyy": lambda d: f"{d.year:04d}",
    "yy": lambda d: f"{d.year % 100:02d}",
    "M": lambda d: str(d.month),
    "MM": lambda d: f"{d.month:02d}",
    "d": lambda d: str(d.day),
    "dd": lambda d: f"{d.day:02d}",
    "H": lambda d: str(d.hour),
    "HH": lambda d: f"{d.hour:02d}",
    "h": lambda d: str(d.hour % 12 or 12),
    "hh": lambda d: f"{d.hour % 12 or 12:02d}",
    "mm": lambda d: f"{d.minute:02d}",
    "ss": lambda d: f"{d.second:02d}",
}


def compile_pattern(pattern: str, locale: Locale) -> Callable[[datetime], str]:
    """A function that formats an aware datetime as Babel would with ``pattern``."""
    template = dates.parse_pattern(pattern).format
    keys = re.findall(r"%\((\w+)\)s", template)
    noon = {
        "a": [dates.DateTimeFormat(datetime(2000, 1, 1, hour), locale)["a"] for hour in (0, 12)]
    }
    fields: dict[str, Callable[[datetime], str]] = {}
    for key in keys:
        if key in _FIELDS:
            fields[key] = _FIELDS[key]
        elif key in noon:
            fields[key] = lambda d, names=noon[key]: names[d.hour >= 12]
        else:
            fields[key] = lambda d, key=key: dates.DateTimeFormat(d, locale)[key]

    def format_moment(moment: datetime) -> str:
        return template % {key: field(moment) for key, field in fields.items()}

    return format_moment


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
