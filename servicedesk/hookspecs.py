"""Hook specifications: the contract between ServiceDesk and department plugins.

Plugin authors mark implementations with ``servicedesk.hookimpl``. Sibling hooks
take the same context arguments (``app``, ``ticket``, ``actor``); an
implementation may accept only the ones it needs, so adding an argument later
breaks nobody.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT_NAME = "servicedesk"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# --------------------------------------------------------------------------
# Registration: called once while the app is built
# --------------------------------------------------------------------------


@hookspec
def servicedesk_startup(app: Any) -> None:
    """Called at the end of ``create_app``, with every extension initialised."""


@hookspec
def register_blueprints(app: Any) -> list[Any]:
    """Flask blueprints to register; each must be named after its plugin."""


@hookspec
def register_commands(app: Any) -> list[Any]:
    """Click commands added to the ``servicedesk`` command."""


@hookspec
def demo_data(app: Any, now: Any) -> None:
    """Add the plugin's own realistic records to the demo database.

    Called once by ``servicedesk demo`` after the core's demo tickets are
    loaded (``now`` is the demo's present, timezone-aware), in an app context.
    Write through the service layer and commit; a failure is logged and the
    demo goes on without the plugin's records.
    """


@hookspec
def migration_locations(app: Any) -> list[str]:
    """Folders holding the plugin's own Alembic branch (``upgrade heads`` runs them)."""


# --------------------------------------------------------------------------
# Lifecycle events: called after the change is committed
# --------------------------------------------------------------------------


@hookspec
def ticket_event(app: Any, ticket: Any, actor: Any, event: Any) -> None:
    """A ticket changed; ``event`` is the committed ``TicketEvent`` describing it.

    ``event.kind`` is one of ``created``, ``routed``, ``assigned``, ``status``,
    ``priority``, ``replied``, ``noted``, ``customer_replied``, ``escalated``.
    Called after the commit; an exception is logged and never undoes the change.
    """


@hookspec
def request_kinds(app: Any) -> dict[str, Any]:
    """Kinds of request the plugin adds: ``{code: label}`` (label may be lazy).

    Called once at start-up; the kinds appear on the public form and in filters.
    """


# --------------------------------------------------------------------------
# Workflow
# --------------------------------------------------------------------------


@hookspec
def department_steps(app: Any) -> list[Any]:
    """Departments (steps) the plugin adds to the workflow, with their routes.

    Each is a ``servicedesk.workflow.steps.Step`` naming the departments it sits
    between: placement is data, never registration order.
    """


@hookspec(firstresult=True)
def veto_transition(app: Any, ticket: Any, actor: Any, event: Any) -> str | None:
    """Return a reason to refuse a change to a ticket, or None to allow it.

    Called inside the change's transaction, before the commit, once per
    ``TicketEvent`` the change would write (``event.kind``, ``old_value``,
    ``new_value``; ``ticket`` already shows the change). ``firstresult``: the
    first reason stops the change; it is shown to the user and nothing is written.
    """


@hookspec(firstresult=True)
def choose_department(app: Any, kind: str, contact: Any, customer: Any, extra: dict) -> str | None:
    """The department code a new ticket should start in, or None for the default.

    ``firstresult``: the first plugin that answers decides; intake is the default.
    """


# --------------------------------------------------------------------------
# UI slots: each returns a list of items from ``servicedesk.slots``
# --------------------------------------------------------------------------


@hookspec
def public_form_fields(app: Any, request: Any) -> list[Any]:
    """Extra ``FormField``s on the public request form, with their validation."""


@hookspec
def tracking_panels(app: Any, ticket: Any, actor: Any, request: Any) -> list[Any]:
    """``Panel``s on the customer's tracking page (``actor`` is the customer)."""


@hookspec
def ticket_panels(app: Any, ticket: Any, actor: Any, request: Any) -> list[Any]:
    """``Panel``s on the desk's ticket page, beside the thread."""


@hookspec
def ticket_actions(app: Any, ticket: Any, actor: Any, request: Any) -> list[Any]:
    """``TicketAction`` buttons on the desk's ticket page."""


@hookspec
def menu_links(app: Any, actor: Any, request: Any) -> list[Any]:
    """``MenuLink``s in the desk's navigation for this actor."""


@hookspec
def dashboard_metrics(app: Any, actor: Any, request: Any) -> list[Any]:
    """``Metric``s shown on the desk's dashboard for this actor."""


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


@hookspec
def ticket_data(app: Any, ticket: Any, actor: Any) -> dict[str, Any]:
    """Extra keys merged into a ticket's serialised form (API, exports)."""


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------


@hookspec
def scheduled_jobs(app: Any) -> list[Any]:
    """``ScheduledJob``s (``servicedesk.jobs``) for the worker to run on a schedule.

    Called once per app, when its job queue is first used. Each job runs in an
    app context, once per period however many workers run (or, if it claims
    its own work, in every worker: ``concurrent=True``).
    """


# --------------------------------------------------------------------------
# Service levels
# --------------------------------------------------------------------------


@hookspec
def service_level(app: Any, ticket: Any, proposal: Any) -> None:
    """Refine a new ticket's service level by changing ``proposal`` in place.

    ``proposal`` is a ``servicedesk.sla.levels.ServiceLevelProposal``: the
    ``priority``, the matched ``policy`` and its ``first_response_minutes`` and
    ``resolution_minutes`` (business minutes). Called inside the creating
    transaction; plugins may raise the priority or shorten the targets, and
    anything else is ignored. The core's tier rule is the built-in plugin
    ``servicedesk.tiers``.
    """
