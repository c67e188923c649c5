"""Pages: the survey behind the mailed link, the tracking page's answer, the report.

Views parse input, call one service and render. The survey pages work
without JavaScript (form post, redirect); with htmx the form's fragment is
swapped in place: the thank-you, or the form again with its messages.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from servicedesk.extensions import db
from servicedesk.models import Role, Ticket
from servicedesk.services import tickets
from servicedesk.services.errors import NotFound
from servicedesk_plugins.satisfaction import report as reports
from servicedesk_plugins.satisfaction import services
from servicedesk_plugins.satisfaction.models import Channel, SatisfactionSurvey
from servicedesk_plugins.satisfaction.schemas import parse_answer, parse_period

bp = Blueprint("satisfaction", __name__, url_prefix="/satisfaction", template_folder="templates")

# Endpoints whose URL carries a secret token.
PRIVATE = frozenset({"satisfaction.answer", "satisfaction.answer_on_tracking"})

FORM_FRAGMENT = "satisfaction/_survey.html"


@bp.after_request
def _keep_private(response: Response) -> Response:
    # The token must not leave in a Referer header nor stay in a shared cache.
    if request.endpoint in PRIVATE:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    response.vary.add("HX-Request")
    return response


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


# --------------------------------------------------------------------------
# The mailed link: no login, the token is the key
# --------------------------------------------------------------------------


@bp.route("/s/<token>", methods=["GET", "POST"])
def answer(token: str) -> Response | str | tuple[str, int]:
    survey = services.find_by_token(token)
    if survey is None:
        return render_template("satisfaction/not_found.html"), 404
    ticket = survey.ticket
    action = url_for("satisfaction.answer", token=token)
    if request.method == "GET":
        return _page(ticket, survey, action)

    if survey.answered_at is not None:
        return _refused(ticket, survey, action, services.already_answered_message())
    values, errors = parse_answer(request.form)
    if errors:
        return _invalid(ticket, survey, action, errors)
    try:
        services.answer(survey.id, via=Channel.EMAIL, **values)
    except services.AlreadyAnswered as refused:
        return _refused(ticket, survey, action, refused.message)
    if _htmx():
        return _fragment(ticket, survey, action)
    # The page shows the thank-you where the form was.
    return redirect(action, code=303)


# --------------------------------------------------------------------------
# The form on the tracking page: the ticket's tracking token is the key
# --------------------------------------------------------------------------


@bp.post("/t/<token>")
def answer_on_tracking(token: str) -> Response | str | tuple[str, int]:
    try:
        ticket, _actor = tickets.open_with_token(token)
    except NotFound:
        return render_template("satisfaction/not_found.html"), 404
    action = url_for("satisfaction.answer_on_tracking", token=token)
    back = url_for("public.track", token=token)
    survey = services.survey_for(ticket.id)
    refused = services.refusal(ticket, survey)
    if refused:
        return _refused(ticket, survey, action, refused, back)
    values, errors = parse_answer(request.form)
    if errors:
        return _invalid(ticket, survey, action, errors, back)
    # A ticket resolved while the plugin was off has no survey yet: plan it now.
    survey = survey or services.schedule(ticket)
    try:
        low = services.answer(survey.id, via=Channel.TRACKING, **values)
    except services.AlreadyAnswered as error:
        return _refused(ticket, survey, action, error.message, back)
    # The panel shows the thank-you where the form was: land on it.
    landing = back + "#satisfaction-survey"
    if _htmx() and not low:
        return _fragment(ticket, survey, action)
    if _htmx():
        # A low rating reopened the request: the whole page's status changed.
        # (The landing differs from the page only by its #fragment, which alone
        # would not reload it: HX-Refresh does.)
        return Response(status=204, headers={"HX-Redirect": landing, "HX-Refresh": "true"})
    return redirect(landing, code=303)


def _context(
    ticket: Ticket,
    survey: SatisfactionSurvey | None,
    action: str,
    *,
    values: Any = None,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
    back: str | None = None,
) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "survey": survey,
        "action": action,
        "values": values if values is not None else {},
        "errors": errors or {},
        "notice": notice,
        "back": back,
        "scale": services.SCALE,
        "low_rating": services.low_rating(),
    }


def _page(ticket: Ticket, survey: SatisfactionSurvey | None, action: str, **kw: Any) -> str:
    return render_template("satisfaction/answer.html", **_context(ticket, survey, action, **kw))


def _fragment(ticket: Ticket, survey: SatisfactionSurvey | None, action: str, **kw: Any) -> str:
    if survey is not None:
        db.session.refresh(survey)  # the answer just committed
    return render_template(FORM_FRAGMENT, **_context(ticket, survey, action, **kw))


def _invalid(
    ticket: Ticket,
    survey: SatisfactionSurvey | None,
    action: str,
    errors: dict[str, list[str]],
    back: str | None = None,
) -> tuple[str, int]:
    # What was typed comes back with the messages: nothing is lost.
    if _htmx():  # swapped into the page it came from: no way back needed
        return _fragment(ticket, survey, action, values=request.form, errors=errors), 422
    return _page(ticket, survey, action, values=request.form, errors=errors, back=back), 422


def _refused(
    ticket: Ticket,
    survey: SatisfactionSurvey | None,
    action: str,
    message: str,
    back: str | None = None,
) -> tuple[str, int]:
    if _htmx():
        return _fragment(ticket, survey, action, notice=message), 409
    return _page(ticket, survey, action, notice=message, back=back), 409


# --------------------------------------------------------------------------
# The desk: the report for supervisors and administrators
# --------------------------------------------------------------------------


def may_see_report(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.active
        and user.role in (Role.SUPERVISOR, Role.ADMIN)
    )


@bp.get("/report")
@login_required
def report() -> str:
    if not may_see_report(current_user):
        abort(403)
    start, end, errors = parse_period(request.args, reports.today())
    locale = str(get_locale() or "en")
    return render_template(
        "satisfaction/report.html",
        report=reports.build(start, end, locale),
        errors=errors,
        values=request.args,
    )
