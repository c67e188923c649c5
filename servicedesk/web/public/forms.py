"""The fields of the customer's forms as the templates draw them.

The rules live in the service layer and the schemas (servicedesk.schemas.public);
this is only what a person sees: labels, help, input types, autocomplete hints.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app, request

from servicedesk import slots
from servicedesk.i18n import lazy_gettext as _l
from servicedesk.services import validation as check
from servicedesk.services.attachments import ACCEPTED, TEXT_EXTENSIONS, Upload
from servicedesk.services.errors import ValidationError
from servicedesk.services.tickets import COMPANY_MAX, PRODUCT_REF_MAX, check_extra
from servicedesk.slots import FormField

log = logging.getLogger(__name__)

# Bots fill in every field they find; people never see this one.
HONEYPOT = "website"
# Names the form uses besides the service's fields; a plugin field may not take them.
_FORM_NAMES = frozenset({HONEYPOT, "attachments", "csrf_token"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    widget: str = "text"  # text, email, tel, textarea, select
    required: bool = False
    help: Any = None
    autocomplete: str | None = None
    maxlength: int | None = None
    # Plugin fields limited to some kinds of request (None: every kind).
    kinds: tuple[str, ...] | None = None
    # Checked as the customer leaves the field (HTMX); a select cannot be wrong.
    inline: bool = True


EMAIL_FIELD = FieldSpec(
    "email",
    _l("Email address"),
    "email",
    required=True,
    autocomplete="email",
    maxlength=254,
    help=_l("We send your reference number and private tracking link to this address."),
)
REQUEST_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("kind", _l("Kind of request"), "select", required=True, inline=False),
    FieldSpec(
        "name", _l("Your name"), required=True, autocomplete="name", maxlength=check.NAME_MAX
    ),
    FieldSpec("company", _l("Company"), autocomplete="organization", maxlength=COMPANY_MAX),
    EMAIL_FIELD,
    FieldSpec("phone", _l("Phone"), "tel", autocomplete="tel", maxlength=check.PHONE_MAX),
    FieldSpec(
        "product_ref",
        _l("Product, order or serial number"),
        maxlength=PRODUCT_REF_MAX,
        help=_l("The model, order number or serial number your request is about, if any."),
    ),
    FieldSpec("subject", _l("Subject"), required=True, maxlength=check.SUBJECT_MAX),
    FieldSpec(
        "body",
        _l("Description"),
        "textarea",
        required=True,
        maxlength=check.BODY_MAX,
        help=_l("What happened, since when, and what you need from us."),
    ),
)

REPLY_FIELD = FieldSpec(
    "body", _l("Your message"), "textarea", required=True, maxlength=check.BODY_MAX, inline=False
)
# The request form's email field, without its help and its inline check.
LOST_LINK_FIELD = replace(EMAIL_FIELD, help=None, inline=False)
ATTACHMENTS_LABEL = _l("Attachments")

# For the file picker; the content is what is checked, not the name.
ACCEPT = ",".join(
    ["image/png", "image/jpeg", "image/gif", "image/webp"]
    + [f".{ext}" for exts in ACCEPTED.values() for ext in exts]
    + [f".{ext}" for ext in TEXT_EXTENSIONS]
)


def extra_fields() -> list[FormField]:
    """The plugins' fields for the request form.

    A plugin that fails here must not take the form down for every customer:
    ``slots.collect`` logs it and the form goes on without that plugin's
    fields. A field whose name the service would refuse (or that the form
    itself uses) is left out the same way.
    """
    items = slots.collect(
        "public_form_fields", app=current_app._get_current_object(), request=request
    )
    return [item for item in items if _usable_name(item.name)]


def _usable_name(name: str) -> bool:
    try:
        check_extra({name: None})
    except ValidationError:
        ok = False
    else:
        ok = name not in _FORM_NAMES
    if not ok:
        log.warning("plugin form field %r left out: its name is taken or not allowed", name)
    return ok


def request_fields(extras: Sequence[FormField]) -> list[FieldSpec]:
    """Every field of the request form, plugin fields after the description."""
    return [
        *REQUEST_FIELDS,
        *(
            FieldSpec(
                item.name,
                item.label,
                required=bool(item.field.required),
                help=item.help,
                kinds=item.kinds,
            )
            for item in extras
        ),
    ]


def uploads(name: str = "attachments") -> list[Upload]:
    """The files posted under ``name``; an empty file picker sends a nameless part."""
    return [
        Upload(filename=item.filename, stream=item.stream)
        for item in request.files.getlist(name)
        if item.filename
    ]
