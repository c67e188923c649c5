"""Blueprints: thin views that parse input, call one service, render."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user


def register_blueprints(app: Flask) -> None:
    from servicedesk.web import labels
    from servicedesk.web.admin import bp as admin
    from servicedesk.web.desk import auth
    from servicedesk.web.desk import bp as desk
    from servicedesk.web.errors import register_error_handlers
    from servicedesk.web.public import bp as public

    labels.init_app(app)
    auth.init_app(app)
    register_error_handlers(app)
    app.jinja_env.globals["menu_links"] = menu_links
    app.register_blueprint(public)
    app.register_blueprint(desk, url_prefix="/desk")
    app.register_blueprint(admin, url_prefix="/desk/admin")


def menu_links() -> list[Any]:
    """The plugins' ``MenuLink``s for the signed-in user (the navbar asks only then)."""
    from servicedesk import slots

    return slots.collect(
        "menu_links",
        app=current_app._get_current_object(),
        actor=current_user._get_current_object(),
        request=request,
    )
