"""Customers are not equal: ABC classes, value scores and what they change."""

from __future__ import annotations

from flask import Flask

from servicedesk.state import app_state

CORE_PLUGIN = "servicedesk.tiers"


def init_app(app: Flask) -> None:
    """Register the core tier rule (``service_level``) and the daily recompute job,
    and give templates ``sla_state`` (for partials/sla/_badge.html).

    Calling it again changes nothing.
    """
    from servicedesk.sla.clock import sla_state
    from servicedesk.tiers import rules

    app.jinja_env.globals.setdefault("sla_state", sla_state)

    manager = app_state(app).plugin_manager
    if manager.get_plugin(CORE_PLUGIN) is None:
        manager.register(rules, name=CORE_PLUGIN)
