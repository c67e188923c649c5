"""The request form, its inline checks, the confirmation, and the language switch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from servicedesk import catalogue
from servicedesk.i18n import SESSION_KEY, current_locale
from servicedesk.i18n import gettext as _
from servicedesk.links import external_url
from servicedesk.schemas.public import check_field, parse_request
from servicedesk.services import tickets, users
from servicedesk.services.errors import ValidationError
from servicedesk.slots import FormField
from servicedesk.state import app_state
from servicedesk.web import fragments
from servicedesk.web.labels import DEPARTMENT_HINTS, KIND_HINTS
from servicedesk.web.public import bp
from servicedesk.web.public.forms import (
    ACCEPT,
    ATTACHMENTS_LABEL,
    HONEYPOT,
    FieldSpec,
    extra_fields,
    request_fields,
    uploads,
)
from servicedesk.web.public.limits import per_address, per_client
from servicedesk.web.urls import safe_next
from servicedesk.workflow.graph import active_departments

log = logging.getLogger(__name__)

# The new ticket's reference and token, kept in the session only until the
# confirmation page has shown them once.
RECEIPT_KEY = "portal_receipt"


@bp.get("/")
def home() -> str:
    kind = request.args.get("kind")
    values = {"kind": kind} if kind in app_state().kinds else {}
    return _home_page(values, errors={}, files_lost=False)


@bp.post("/")
@per_client("SUBMIT_RATE_LIMIT")
@per_address
def submit() -> Response | tuple[str, int]:
    """File the request; on a refusal the form comes back with everything typed."""
    if request.form.get(HONEYPOT):
        # Looks like success to the bot; nothing is stored or sent.
        log.info("request form: honeypot filled, request dropped")
        return redirect(url_for("public.submitted"), code=303)
    extras = extra_fields()
    files = uploads()
    parsed = parse_request(request.form, files, extras)
    if not parsed.errors:
        try:
            new = tickets.create_ticket(
                **parsed.values,
                extra=parsed.extra,
                locale=current_locale(),
                send_confirmation=True,
            )
        except ValidationError as error:
            parsed.errors = error.errors
        else:
            session[RECEIPT_KEY] = {"reference": new.reference, "token": new.token}
            return redirect(url_for("public.submitted"), code=303)
    return _home_page(request.form, parsed.errors, files_lost=bool(files), extras=extras), 422


@bp.post("/validate/<name>")
def validate_field(name: str) -> str:
    """One field checked as the customer leaves it: its partial, with its errors (HTMX)."""
    extras = extra_fields()
    spec = next((f for f in request_fields(extras) if f.name == name and f.inline), None)
    if spec is None:
        abort(404)
    errors = check_field(name, request.form, extras)
    render = get_template_attribute("partials/public/_fields.html", "field")
    return render(spec, request.form, {name: errors}, announce=True)


@bp.get("/submitted")
def submitted() -> str:
    """The reference and the private link, shown once: a reload shows neither."""
    receipt = session.pop(RECEIPT_KEY, None)
    tracking_url = external_url("public.track", token=receipt["token"]) if receipt else None
    return render_template(
        "pages/public/submitted.html", receipt=receipt, tracking_url=tracking_url
    )


@bp.post("/language")
def set_language() -> Response:
    """Switch the interface language; a signed-in user keeps it for next time."""
    locale = request.form.get("locale")
    target = safe_next(request.form.get("next"))
    if locale not in current_app.config["LANGUAGES"]:
        flash(_("That language is not available."), "warning")
        return redirect(target)
    session[SESSION_KEY] = locale
    if current_user.is_authenticated:
        users.set_locale(current_user._get_current_object(), locale)
    return redirect(target)


def _home_page(
    values: MultiDict[str, str] | dict[str, Any],
    errors: dict[str, list[str]],
    *,
    files_lost: bool,
    extras: list[FormField] | None = None,
) -> str:
    extras = extra_fields() if extras is None else extras
    departments = active_departments()
    department_hints = DEPARTMENT_HINTS | {
        step.code: step.description for _owner, step in app_state().steps if step.description
    }

    def render(csrf_token: Callable[[], str] | None = None) -> str:
        fields: list[FieldSpec] = request_fields(extras)
        labels = {spec.name: spec.label for spec in fields} | {"attachments": ATTACHMENTS_LABEL}
        tokens = {} if csrf_token is None else {"csrf_token": csrf_token}
        return render_template(
            "partials/public/_home.html",
            fields=fields,
            values=values,
            errors=errors,
            error_labels=labels,
            files_lost=files_lost,
            accept=ACCEPT,
            # Translated once here; the page shows each label twice.
            kinds=[(code, str(label)) for code, label in app_state().kinds.items()],
            kind_hints=KIND_HINTS,
            departments=departments,
            department_hints=department_hints,
            **tokens,
        )

    if errors or files_lost or set(values) - {"kind"}:
        main = Markup(render())  # noqa: S704 (rendered by Jinja, autoescaped)
    else:
        # The form as it first appears is the same for every visitor in one
        # language: kept, and only the CSRF token filled in per response.
        key = (
            "home",
            current_locale(),
            values.get("kind"),
            catalogue.current().version,
            request.script_root,
            tuple((f.name, str(f.label), str(f.help), f.kinds, f.position) for f in extras),
        )
        main = fragments.kept("public").render(key, render)
    return render_template("pages/public/home.html", main=main)
