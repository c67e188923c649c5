"""Schemas of the customer's forms: the request form, a reply, the lost-link form.

Every rule is the service layer's (``tickets.CUSTOMER_FIELDS``, which applies
``servicedesk.services.validation``): a form reports, field by field and before
anything is written, exactly what the service would refuse. Plugins' extra
fields bring their own marshmallow field, and their values pass the service's
``check_extra`` too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, missing
from marshmallow import ValidationError as SchemaError

from servicedesk.i18n import lazy_gettext as _l
from servicedesk.services import validation as check
from servicedesk.services.attachments import FIELD as FILES
from servicedesk.services.attachments import Upload, check_uploads
from servicedesk.services.errors import ValidationError
from servicedesk.services.tickets import CUSTOMER_FIELDS, check_extra
from servicedesk.slots import FormField

REQUIRED = _l("This field is required.")


class Checked(fields.Field):
    """A field checked by a service-layer rule; the rule's errors become the field's."""

    def __init__(self, rule: Callable[[object], Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        # The rule decides what an absent value means (required or optional),
        # so marshmallow's own "missing" handling is skipped.
        return self._deserialize(None if value is missing else value, attr, data, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return self.rule(value)
        except ValidationError as error:
            raise SchemaError([m for messages in error.errors.values() for m in messages]) from None


def _files(value: Any) -> list[Upload]:
    """Files (``services.attachments.Upload``) pass as they came, once checked."""
    uploads = list(value or ())
    check_uploads(uploads)
    return uploads


RequestSchema = Schema.from_dict(
    {name: Checked(rule) for name, rule in CUSTOMER_FIELDS.items()} | {FILES: Checked(_files)},
    name="RequestSchema",
)
ReplySchema = Schema.from_dict(
    {"body": Checked(check.body), FILES: Checked(_files)}, name="ReplySchema"
)
LostLinkSchema = Schema.from_dict({"email": Checked(check.email)}, name="LostLinkSchema")


@dataclass
class Parsed:
    """Clean values of the fields that passed, and the messages of those that did not."""

    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def parse(schema: type[Schema], form: Mapping[str, Any]) -> Parsed:
    """Load ``form`` with ``schema``; unknown keys (``status``, ``department`` ...) are dropped."""
    try:
        return Parsed(values=schema().load(dict(form), unknown=EXCLUDE))
    except SchemaError as error:
        return Parsed(values=dict(error.valid_data or {}), errors=_by_field(error))


def parse_request(
    form: Mapping[str, Any], uploads: Sequence[Upload], extra_fields: Sequence[FormField]
) -> Parsed:
    """The request form: core fields and files, then the plugin fields of the chosen kind."""
    typed = {name: form[name] for name in CUSTOMER_FIELDS if name in form}
    result = parse(RequestSchema, typed | {FILES: list(uploads)})
    applicable = [item for item in extra_fields if applies(item, result.values.get("kind"))]
    result.extra, extra_errors = _parse_extra(form, applicable)
    result.errors |= extra_errors
    return result


def check_field(name: str, form: Mapping[str, Any], extra_fields: Sequence[FormField]) -> list[str]:
    """The errors of one field as the customer fills it in (inline validation)."""
    if name in CUSTOMER_FIELDS:
        try:
            Checked(CUSTOMER_FIELDS[name]).deserialize(form.get(name))
        except SchemaError as error:
            return _flat(error.messages)
        return []
    kind = form.get("kind")
    matching = [item for item in extra_fields if item.name == name and applies(item, kind)]
    return _parse_extra(form, matching)[1].get(name, [])


def applies(item: FormField, kind: object) -> bool:
    """Whether a plugin field belongs on the form for this kind of request."""
    return item.kinds is None or kind in item.kinds


def _parse_extra(
    form: Mapping[str, Any], extra_fields: Sequence[FormField]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    if not extra_fields:
        return {}, {}
    schema = Schema.from_dict({item.name: item.field for item in extra_fields})()
    for bound in schema.fields.values():
        # marshmallow's own wording is English only.
        bound.error_messages = {**bound.error_messages, "required": REQUIRED}
    # A blank text box means "not given", so the field's own required/optional rule applies.
    data = {
        item.name: form[item.name].strip()
        for item in extra_fields
        if isinstance(form.get(item.name), str) and form[item.name].strip()
    }
    try:
        loaded = schema.load(data, unknown=EXCLUDE)
    except SchemaError as error:
        return {}, _by_field(error)
    # dump: what a plugin's field turns into (a date, a Decimal ...) is stored as JSON.
    values = schema.dump(loaded)
    try:
        return check_extra(values), {}
    except ValidationError as error:
        return {}, error.errors


def _by_field(error: SchemaError) -> dict[str, list[str]]:
    return {name: _flat(value) for name, value in error.normalized_messages().items()}


def _flat(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for item in value.values() for m in _flat(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _flat(item)]
    return [str(value)]
