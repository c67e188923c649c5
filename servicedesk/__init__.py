"""ServiceDesk: plugin-based ticketing for an industrial-goods service centre."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from servicedesk.hookspecs import hookimpl

__all__ = ["create_app", "hookimpl"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> str:
    """A top-level resource folder (templates, static, migrations).

    In a checkout it sits beside the package; an installed wheel carries it
    inside the package.
    """
    for candidate in (_PACKAGE.parent / name, _PACKAGE / name):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError(f"ServiceDesk resource folder {name!r} not found")


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    plugins: Iterable[object] = (),
    load_entrypoints: bool = True,
) -> Flask:
    """Build a configured ServiceDesk app.

    ``config`` overrides every other source of settings; ``plugins`` are plugin
    objects registered besides (or, with ``load_entrypoints=False``, instead of)
    the installed ones.
    """
    overrides = dict(config or {})
    app = Flask(
        __name__,
        instance_path=overrides.get("INSTANCE_PATH") or os.environ.get("SERVICEDESK_INSTANCE_PATH"),
        instance_relative_config=True,
        template_folder=resource_dir("templates"),
        static_folder=resource_dir("static"),
    )
    _configure_templates(app)
    _configure_settings(app, overrides)
    _configure_logging(app)
    _configure_plugins(app, plugins, load_entrypoints)
    _configure_database(app)
    _configure_extensions(app)
    _configure_blueprints(app)
    _configure_cli(app)
    _configure_jobs(app)
    app.extensions["servicedesk"].plugin_manager.hook.servicedesk_startup(app=app)
    return app


def _configure_templates(app: Flask) -> None:
    from servicedesk.templating import LocalisedEnvironment

    # Before anything touches app.jinja_env, which Flask builds on first use.
    app.jinja_environment = LocalisedEnvironment


def _configure_settings(app: Flask, overrides: dict[str, Any]) -> None:
    from servicedesk import config as settings

    settings.load(app, overrides)


def _configure_logging(app: Flask) -> None:
    logging.getLogger("servicedesk").setLevel(app.config["LOG_LEVEL"])


def _configure_plugins(app: Flask, plugins: Iterable[object], load_entrypoints: bool) -> None:
    from servicedesk.plugins import build_manager, loaded_names, workflow_steps
    from servicedesk.state import AppState
    from servicedesk.workflow.kinds import CORE_KINDS

    manager = build_manager(
        plugins, load_entrypoints=load_entrypoints, disabled=app.config["DISABLED_PLUGINS"]
    )
    kinds = dict(CORE_KINDS)
    for extra in manager.hook.request_kinds(app=app):
        kinds.update(extra or {})
    locations = [str(p) for found in manager.hook.migration_locations(app=app) for p in found or ()]
    app.extensions["servicedesk"] = AppState(
        plugin_manager=manager,
        kinds=kinds,
        migration_locations=locations,
        plugin_names=loaded_names(manager),
        steps=workflow_steps(manager, app),
    )


def _configure_database(app: Flask) -> None:
    from servicedesk import catalogue, models, sqlite_writers  # noqa: F401  (models: every table)
    from servicedesk.extensions import db

    db.init_app(app)
    catalogue.init_app(app)
    # Flask-Migrate (and Alembic) load when a migration first needs them.
    app.extensions["migrate"] = LazyMigrateSettings(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
                sqlite_writers.queue_writers(engine)


class LazyMigrateSettings:
    """Flask-Migrate's per-app settings, made by ``servicedesk.migrating`` when first read."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        from servicedesk.migrating import init_migrations

        return getattr(init_migrations(self._app), name)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one request writes; busy_timeout makes a
    # writer wait for the lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _configure_extensions(app: Flask) -> None:
    from servicedesk import i18n
    from servicedesk.extensions import csrf, htmx, limiter, login_manager

    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)


def _configure_blueprints(app: Flask) -> None:
    from servicedesk.plugins import registered_blueprints
    from servicedesk.web import register_blueprints

    register_blueprints(app)
    for blueprint in registered_blueprints(app.extensions["servicedesk"].plugin_manager, app):
        app.register_blueprint(blueprint)


def _configure_jobs(app: Flask) -> None:
    from servicedesk import jobs, tiers

    tiers.init_app(app)  # the tier rule, the daily recompute job, sla_state in templates
    jobs.init_app(app)


def _configure_cli(app: Flask) -> None:
    from servicedesk.cli import register_commands

    register_commands(app)
    for commands in app.extensions["servicedesk"].plugin_manager.hook.register_commands(app=app):
        for command in commands or ():
            app.cli.add_command(command)
