"""What the training forms accept: the customer's request fields and the desk's forms.

Every check reports a message fit for the person who typed the value, keyed by
the form field it belongs beside, and all of them at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import ValidationError as SchemaError
from marshmallow import fields, validate

from servicedesk.services import validation as check
from servicedesk.services.errors import ValidationError
from servicedesk.slots import FormField
from servicedesk_plugins.training.models import Mode

REQUEST_KIND = "training"
ATTENDEES_MIN, ATTENDEES_MAX = 1, 200
PREFERENCES_MAX = 300
DURATION_MIN, DURATION_MAX = 15, 12 * 60
TOPIC_MAX, PLACE_MAX, LINK_MAX, NAME_MAX, EMAIL_MAX, REASON_MAX = 200, 300, 500, 100, 254, 500
# Room for the most attendees with a name and an address each.
ATTENDEES_TEXT_MAX = ATTENDEES_MAX * (NAME_MAX + EMAIL_MAX + 4)
# Far enough for any real plan; a typo in the year ("2062") is caught.
SCHEDULE_HORIZON = timedelta(days=2 * 366)

# Line breaks and other control characters have no place in a one-line field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# "Name <email>", or a name and an email separated by a comma, semicolon or tab.
_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*$")
_SEPARATED = re.compile(r"^(?P<name>.*?)\s*[,;\t]\s*(?P<email>[^,;\t]*@[^,;\t]*)$")


# --------------------------------------------------------------------------
# The customer's request form
# --------------------------------------------------------------------------


def request_fields() -> list[FormField]:
    """The training request's own fields, in the language of the request."""
    return list(_request_fields(str(get_locale())))


@functools.lru_cache(maxsize=8)
def _request_fields(locale: str) -> tuple[FormField, ...]:
    # Built once per language (the messages are translated as they are built);
    # marshmallow copies a field into every schema that uses it.
    return (
        FormField(
            name="training_attendees",
            label=_("Number of attendees"),
            field=fields.Integer(
                required=True,
                strict=False,
                validate=validate.Range(
                    min=ATTENDEES_MIN,
                    max=ATTENDEES_MAX,
                    error=_(
                        "Enter a number of attendees from %(min)d to %(max)d.",
                        min=ATTENDEES_MIN,
                        max=ATTENDEES_MAX,
                    ),
                ),
                error_messages={"invalid": _("Enter the number of attendees as a whole number.")},
            ),
            help=_("How many of your staff should take part (1 to 200)."),
            kinds=(REQUEST_KIND,),
            position=10,
        ),
        FormField(
            name="training_preferences",
            label=_("Preferred dates and topics"),
            field=fields.String(
                validate=[
                    validate.Length(
                        max=PREFERENCES_MAX,
                        error=_("At most %(max)d characters.", max=PREFERENCES_MAX),
                    ),
                    _single_line,
                ],
                error_messages={"invalid": _("Must be text.")},
            ),
            help=_("For example: “week of 12 May, mornings; PX-200 maintenance”."),
            kinds=(REQUEST_KIND,),
            position=20,
        ),
    )


def _single_line(value: str) -> None:
    if _CONTROL.search(value):
        raise SchemaError(_("Must be a single line of text."))


# --------------------------------------------------------------------------
# Scheduling a session on the desk
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAttendee:
    name: str
    email: str | None = None


@dataclass(frozen=True)
class SessionInput:
    """A checked scheduling form; ``starts_at`` is timezone-aware UTC."""

    starts_at: datetime
    duration_minutes: int
    mode: str
    topic: str
    place: str | None = None
    online_link: str | None = None
    trainer_id: int | None = None
    attendees: tuple[NewAttendee, ...] = field(default_factory=tuple)


def parse_session(
    form: Mapping[str, str], *, zone: ZoneInfo, now: datetime, trainer_ids: Collection[int]
) -> SessionInput:
    """The scheduling form, checked; date and time are read in the centre's time zone."""
    errors = check.Errors()
    starts_at = errors.run(lambda: _starts_at(form, zone, now))
    duration = errors.run(lambda: _duration(form.get("duration_minutes")))
    mode = errors.run(lambda: _mode(form.get("mode")))
    topic = errors.run(
        lambda: _line(form.get("topic"), "topic", TOPIC_MAX, _("Say what the session covers."))
    )
    place = link = None
    if mode == Mode.ONSITE:
        place = errors.run(
            lambda: _line(
                form.get("place"), "place", PLACE_MAX, _("Say where the session takes place.")
            )
        )
    elif mode == Mode.ONLINE:
        link = errors.run(lambda: _link(form.get("online_link")))
    trainer = errors.run(lambda: _trainer(form.get("trainer"), trainer_ids))
    attendees = errors.run(lambda: _attendees(form.get("attendees")))
    errors.raise_if_any()
    return SessionInput(
        starts_at=starts_at,
        duration_minutes=duration,
        mode=mode,
        topic=topic,
        place=place,
        online_link=link,
        trainer_id=trainer,
        attendees=attendees,
    )


def _starts_at(form: Mapping[str, str], zone: ZoneInfo, now: datetime) -> datetime:
    errors = check.Errors()
    day = errors.run(lambda: _date(form.get("date")))
    moment = errors.run(lambda: _time(form.get("time")))
    errors.raise_if_any()
    local = datetime.combine(day, moment)
    aware = local.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise ValidationError.single(
            "time", _("This time does not exist in the centre's time zone (the clocks change).")
        )
    starts_at = aware.astimezone(UTC)
    if starts_at <= now:
        raise ValidationError.single("date", _("This date and time has passed."))
    if starts_at > now + SCHEDULE_HORIZON:
        raise ValidationError.single("date", _("Choose a date within the next two years."))
    return starts_at


def _date(value: str | None) -> date:
    text = (value or "").strip()
    if not text:
        raise ValidationError.single("date", _("Choose the date of the session."))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError.single(
            "date", _("Enter the date as year-month-day, e.g. 2025-05-12.")
        ) from None


def _time(value: str | None) -> time:
    text = (value or "").strip()
    if not text:
        raise ValidationError.single("time", _("Choose the time the session starts."))
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is not None:
        raise ValidationError.single("time", _("Enter the time as hours:minutes, e.g. 09:30."))
    return parsed.replace(second=0, microsecond=0)


def _duration(value: str | None) -> int:
    text = (value or "").strip()
    message = _(
        "Enter the length in minutes, from %(min)d to %(max)d.", min=DURATION_MIN, max=DURATION_MAX
    )
    if not text.isdigit() or not DURATION_MIN <= int(text) <= DURATION_MAX:
        raise ValidationError.single("duration_minutes", message)
    return int(text)


def _mode(value: str | None) -> str:
    if value not in (Mode.ONSITE, Mode.ONLINE):
        raise ValidationError.single("mode", _("Choose on site or online."))
    return Mode(value).value


def _link(value: str | None) -> str:
    text = _line(value, "online_link", LINK_MAX, _("Give the link to the online meeting."))
    # The customer clicks this link: only web addresses, never "javascript:".
    try:
        validate.URL(schemes={"http", "https"}, require_tld=False)(text)
    except SchemaError:
        raise ValidationError.single(
            "online_link", _("Enter a full web address starting with https://.")
        ) from None
    return text


def _trainer(value: str | None, allowed: Collection[int]) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) not in allowed:
        raise ValidationError.single(
            "trainer", _("Choose a trainer from the training department, or nobody yet.")
        )
    return int(text)


def _attendees(value: str | None) -> tuple[NewAttendee, ...]:
    text = check.body(value, "attendees", max_length=ATTENDEES_TEXT_MAX, required=False)
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(number, line) for number, line in lines if line]
    if len(lines) > ATTENDEES_MAX:
        raise ValidationError.single(
            "attendees",
            _(
                "At most %(max)d attendees per session (got %(count)d).",
                max=ATTENDEES_MAX,
                count=len(lines),
            ),
        )
    errors: list[str] = []
    attendees = []
    for number, line in lines:
        try:
            attendees.append(_attendee(line))
        except ValueError as problem:
            errors.append(_("Line %(line)d: %(problem)s", line=number, problem=str(problem)))
    if errors:
        raise ValidationError({"attendees": errors})
    return tuple(attendees)


def _attendee(line: str) -> NewAttendee:
    match = _ANGLE.match(line) or _SEPARATED.match(line)
    if match:
        name, email = match.group("name").strip(" ,;\t\"'"), match.group("email").strip()
    elif "@" in line and " " not in line:
        name, email = line, line
    else:
        name, email = line, None
    if email is not None:
        try:
            validate.Email()(email)
        except SchemaError:
            raise ValueError(_("“%(email)s” is not a valid email address.", email=email)) from None
        if len(email) > EMAIL_MAX:
            raise ValueError(_("the email address is too long."))
        email = email.lower()
    name = name or (email or "")
    if len(name) > NAME_MAX:
        raise ValueError(_("the name is longer than %(max)d characters.", max=NAME_MAX))
    return NewAttendee(name=name, email=email)


# --------------------------------------------------------------------------
# Attendance, completion and cancellation
# --------------------------------------------------------------------------

ATTENDED_CHOICES = {"": None, "yes": True, "no": False}


@dataclass(frozen=True)
class Mark:
    """What the desk recorded for one attendee."""

    attended: bool | None
    completed: bool


def attendee_field(attendee_id: int) -> str:
    """The form field (and error key) of one attendee's row."""
    return f"attendee-{attendee_id}"


def parse_attendance(
    form: Mapping[str, str], attendee_ids: Collection[int], *, completing: bool
) -> dict[int, Mark]:
    """Each attendee's presence and completion; completing needs everyone's presence."""
    marks: dict[int, Mark] = {}
    errors = check.Errors()
    for attendee_id in attendee_ids:
        key = attendee_field(attendee_id)
        raw = form.get(f"attended-{attendee_id}", "")
        if raw not in ATTENDED_CHOICES:
            errors.add(key, _("Choose present, absent or not recorded."))
            continue
        attended = ATTENDED_CHOICES[raw]
        completed = form.get(f"completed-{attendee_id}") == "1"
        if completed and attended is False:
            errors.add(key, _("Someone who was absent cannot have completed the training."))
        elif completing and attended is None:
            errors.add(key, _("Record whether this person was present."))
        else:
            marks[attendee_id] = Mark(attended=attended, completed=completed)
    errors.raise_if_any()
    return marks


def parse_reason(value: str | None) -> str | None:
    return check.optional_line(value, "reason", max_length=REASON_MAX)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _line(value: str | None, key: str, max_length: int, missing: str) -> str:
    """A required one-line text, with this form's own message when it is missing."""
    text = check.optional_line(value, key, max_length=max_length)
    if text is None:
        raise ValidationError.single(key, missing)
    return text
