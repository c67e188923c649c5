"""The queues: lists of tickets, their counts, live updates and bulk actions."""

from __future__ import annotations

from typing import Any

from flask import current_app, make_response, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from servicedesk import slots
from servicedesk.extensions import htmx
from servicedesk.i18n import gettext as _
from servicedesk.models import Status
from servicedesk.services import bulk
from servicedesk.services.errors import ValidationError
from servicedesk.services.tickets import TRANSITIONS
from servicedesk.web.desk import bp, queries, rows
from servicedesk.workflow import graph

POLL_SECONDS = 10


@bp.get("/")
@login_required
def index() -> Response:
    """The queue page; an HTMX request (filter, page, sort) gets the list only."""
    options = queries.filter_options(current_user)
    query = queries.parse(request.args, current_user, options)
    if htmx:
        return _list_response(query, options)
    metrics = slots.collect(
        "dashboard_metrics",
        app=current_app._get_current_object(),
        actor=current_user,
        request=request,
    )
    response = make_response(
        render_template(
            "pages/desk/queue.html",
            metrics=metrics,
            my_departments=queries.own_departments(current_user),
            **_list_context(query, options),
        )
    )
    response.vary.add("HX-Request")
    return response


@bp.get("/poll")
@login_required
def poll() -> Response:
    """Polled every few seconds: 204 while nothing changed, else the fresh list."""
    if request.args.get("stamp") == queries.latest_change(current_user):
        return Response(status=204)
    options = queries.filter_options(current_user)
    return _list_response(queries.parse(request.args, current_user, options), options)


@bp.post("/bulk")
@login_required
def bulk_action() -> Response:
    """Apply one action to the selected tickets; the list comes back with a result per ticket."""
    options = queries.filter_options(current_user)
    query = queries.parse(request.args, current_user, options)
    form = request.form
    action = form.get("action")
    results: list[bulk.BulkResult] = []
    error = None
    try:
        picked = bulk.selection(form.getlist("ticket"))
        if action == "assign":
            assignee = form.get("assignee", "")
            target = current_user.id if assignee == "me" else assignee or None
            results = bulk.assign(current_user, picked, target)
        elif action == "route":
            results = bulk.route(current_user, picked, form.get("department"), form.get("reason"))
        elif action == "status":
            results = bulk.set_status(current_user, picked, form.get("status"), form.get("reason"))
        else:
            error = _("Choose an action.")
    except ValidationError as refused:
        error = bulk.explain(refused)
    status = 422 if error else 200
    if htmx:
        return _list_response(query, options, results=results, bulk_error=error, status=status)
    return make_response(
        render_template(
            "pages/desk/queue.html",
            metrics=[],
            results=results,
            bulk_error=error,
            my_departments=queries.own_departments(current_user),
            **_list_context(query, options),
        ),
        status,
    )


def _list_response(
    query: queries.QueueQuery, options: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    context = _list_context(query, options)
    response = make_response(
        render_template("partials/desk/_queue_list.html", oob=True, **context, **extra), status
    )
    response.vary.add("HX-Request")
    return response


def _list_context(query: queries.QueueQuery, options: dict[str, Any]) -> dict[str, Any]:
    user = current_user
    counts, stamp = queries.queue_summary(user)
    return {
        "query": query,
        "queue": queries.QUEUES[query.queue],
        "queues": queries.visible_queues(user),
        "counts": counts,
        "page": queries.queue_page(user, query),
        "options": options,
        "sorts": queries.SORTS,
        "stamp": stamp,
        "poll_seconds": current_app.config.get("DESK_POLL_SECONDS", POLL_SECONDS),
        "bulk_statuses": [s for s in Status if any(s in t for t in TRANSITIONS.values())],
        "route_targets": graph.active_departments(),
        "count_cap": queries.COUNT_CAP,
        # Built once, not once per row: url_for costs more than the row's other cells.
        "ticket_url_prefix": url_for("desk.ticket", reference="-").removesuffix("-"),
        "queue_row": rows.queue_row,
    }
