"""The survey form and the report's period, validated with marshmallow.

Messages are built when a form is checked (not at import), so they come out
in the language of the request that sent it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema

from servicedesk_plugins.satisfaction.models import COMMENT_MAX

DEFAULT_PERIOD_DAYS = 90


class Rating(fields.Field):
    """A whole number from 1 to 5, whatever shape it was sent in."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, int) and not isinstance(text, bool):
            number = text
        elif isinstance(text, str) and text.isascii() and text.isdigit() and len(text) < 4:
            number = int(text)
        else:
            number = 0
        if not 1 <= number <= 5:
            raise ValidationError(rating_message())
        return number


class Comment(fields.Field):
    """Optional text: line breaks kept, NUL and broken Unicode refused, at most 2000."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValidationError(_("Your comment must be text."))
        if "\x00" in value:
            raise ValidationError(_("Your comment contains a character we cannot store."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(_("Your comment contains a character we cannot store.")) from None
        text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip()
        if len(text) > COMMENT_MAX:
            raise ValidationError(
                _(
                    "Please shorten your comment to at most %(max)d characters (it has %(count)d).",
                    max=COMMENT_MAX,
                    count=len(text),
                )
            )
        return text


class Day(fields.Field):
    """A calendar day written YYYY-MM-DD (what a date input sends), 2000 to 2100."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        try:
            day = date.fromisoformat(value.strip()) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None or len(value.strip()) != 10:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        if not 2000 <= day.year <= 2100:
            raise ValidationError(_("Choose a date between 2000 and 2100."))
        return day


def rating_message() -> str:
    return _("Choose a rating from 1 (very dissatisfied) to 5 (very satisfied).")


class AnswerSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    rating = Rating(required=True)
    comment = Comment(load_default="")

    def handle_error(self, error: ValidationError, data: Any, **kwargs: Any) -> None:
        # marshmallow's own "required" message is English and generic.
        messages = error.messages if isinstance(error.messages, dict) else {}
        if "rating" in messages:
            messages["rating"] = [rating_message()]
        raise error


class PeriodSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    start = Day(data_key="from", load_default=None)
    end = Day(data_key="to", load_default=None)

    @validates_schema
    def _order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The start must not be after the end."), "from")


def parse_answer(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean values, or the messages of each field that failed."""
    values = {key: form.get(key) for key in ("rating", "comment") if form.get(key) is not None}
    try:
        return AnswerSchema().load(values), {}
    except ValidationError as error:
        return {}, _messages(error)


def parse_period(args: Mapping[str, Any], today: date) -> tuple[date, date, dict[str, list[str]]]:
    """The report's first and last day (inclusive); the last 90 days by default.

    A date that does not parse is reported and the default period shown.
    """
    values = {key: args.get(key) for key in ("from", "to") if args.get(key)}
    try:
        loaded = PeriodSchema().load(values)
        errors: dict[str, list[str]] = {}
    except ValidationError as error:
        loaded, errors = {}, _messages(error)
    end = loaded.get("end") or today
    start = loaded.get("start") or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:  # only "from" given, and after today
        start = end
    return start, end, errors


def _messages(error: ValidationError) -> dict[str, list[str]]:
    raw = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    result: dict[str, list[str]] = {}
    for key, messages in raw.items():
        items = messages if isinstance(messages, list) else [messages]
        result[str(key)] = [str(message) for message in items]
    return result
