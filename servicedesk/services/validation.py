"""Checks applied to every value before it reaches the database.

PostgreSQL refuses NUL bytes in text and integers of 2**31 and above; both
would otherwise surface as database errors, so they are refused here first.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from email_validator import EmailNotValidError, validate_email

from servicedesk.i18n import gettext as _
from servicedesk.services.errors import ValidationError

MAX_ID = 2**31 - 1
SUBJECT_MAX = 200
NAME_MAX = 100
BODY_MAX = 50_000
REASON_MAX = 2_000
PHONE_MAX = 40

# Line breaks and other control characters, which have no place in a one-line
# field (and would let a name or subject inject mail headers).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class Errors:
    """Collects field errors so one response can report all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def collect(self, parsers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
        """Run each field's parser; keep the values, gather every error."""
        values: dict[str, Any] = {}
        for field, parse in parsers.items():
            try:
                values[field] = parse()
            except ValidationError as error:
                for name, messages in error.errors.items():
                    for message in messages:
                        self.add(name, message)
        return values

    def run(self, parse: Callable[[], Any]) -> Any:
        """One parser's value; on a refusal its messages are kept and None stands
        in (``raise_if_any`` then stops before the None is used)."""
        return self.collect({"value": parse}).get("value")

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def line(value: object, field: str, *, max_length: int, required: bool = True) -> str:
    """A one-line text: trimmed, no control characters, within ``max_length``."""
    text = _text(value, field, max_length=max_length, required=required)
    if _CONTROL.search(text):
        raise ValidationError.single(field, _("Must be a single line of text."))
    return text


def body(
    value: object, field: str = "body", *, max_length: int = BODY_MAX, required: bool = True
) -> str:
    """A multi-line text (message body, reason); line breaks kept, NUL refused."""
    text = _text(value, field, max_length=max_length, required=required)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def optional_line(value: object, field: str, *, max_length: int) -> str | None:
    return line(value, field, max_length=max_length, required=False) or None


def email(value: object, field: str = "email") -> str:
    """A deliverable-looking address, normalised to lower case."""
    text = line(value, field, max_length=254)
    normalised = _normalised_email(text)
    if normalised is None:
        raise ValidationError.single(field, _("Enter a valid email address."))
    return normalised


@functools.lru_cache(maxsize=1024)
def _normalised_email(text: str) -> str | None:
    # A request checks one address several times (form, service, outbox);
    # the answer depends on the text alone.
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def record_id(value: object, field: str = "id") -> int:
    """A database id: a positive integer the databases can hold."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError.single(field, _("Must be a whole number."))
    try:
        number = int(value)
    except ValueError:
        raise ValidationError.single(field, _("Must be a whole number.")) from None
    if not 1 <= number <= MAX_ID:
        raise ValidationError.single(field, _("No such record."))
    return number


def choice(value: object, field: str, allowed: Iterable[str]) -> str:
    options = list(allowed)
    if not isinstance(value, str) or value not in options:
        raise ValidationError.single(
            field, _("Choose one of: %(options)s.", options=", ".join(options))
        )
    return value


def is_encodable(text: str) -> bool:
    """Whether ``text`` can be stored: lone surrogates (``"\\ud800"``, which JSON
    escapes can produce) cannot be encoded as UTF-8, so no database driver takes them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: object, field: str, *, max_length: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError.single(field, _("Must be text."))
    if "\x00" in value:
        raise ValidationError.single(field, _("Must not contain NUL characters."))
    if not is_encodable(value):
        raise ValidationError.single(field, _("Must be valid Unicode text."))
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise ValidationError.single(field, _("This field is required."))
    if len(text) > max_length:
        raise ValidationError.single(
            field, _("At most %(max)d characters (got %(count)d).", max=max_length, count=len(text))
        )
    return text
