"""Schema migrations (Flask-Migrate and Alembic), set up only where they run.

Web processes never migrate, and Alembic with its templates and dialect
implementations costs each of them about ten megabytes. So ``create_app``
leaves a placeholder where Flask-Migrate keeps its per-app settings
(``app.extensions["migrate"]``); the first migration command, ``servicedesk
init`` or ``flask_migrate.upgrade()`` that reads it sets Flask-Migrate up for
real. Everything that reads those settings keeps working unchanged.
"""

from __future__ import annotations

import os
from typing import Any

from alembic.autogenerate import comparators
from alembic.operations import ops
from alembic.util import DispatchPriority, PriorityDispatchResult
from flask import Flask, current_app
from flask_migrate import Migrate

from servicedesk import LazyMigrateSettings, resource_dir
from servicedesk.extensions import db
from servicedesk.models.search import is_search_object

migrate = Migrate()


def init_migrations(app: Flask) -> Any:
    """Set Flask-Migrate up for ``app`` (once) and return its per-app settings."""
    settings = app.extensions.get("migrate")
    if settings is not None and not isinstance(settings, LazyMigrateSettings):
        return settings
    migrate.init_app(app, db, directory=resource_dir("migrations"), compare_type=True)
    if _plugin_migration_branches not in migrate.configure_callbacks:  # once per process
        migrate.configure(_plugin_migration_branches)
    return app.extensions["migrate"]


def _plugin_migration_branches(config: Any) -> Any:
    # Each plugin keeps its tables in its own Alembic branch; `upgrade heads`
    # then runs the core and every enabled plugin's branch.
    locations = current_app.extensions["servicedesk"].migration_locations
    if locations:
        core = os.path.join(config.get_main_option("script_location"), "versions")
        config.set_main_option("version_locations", os.pathsep.join([core, *locations]))
    return config


# Autogenerate (``servicedesk db migrate``) and the migration test compare the
# models with the database; neither knows the search objects (models/search.py),
# so without this every comparison would propose dropping them. An
# ``include_object`` hook in env.py would not reach ``compare_metadata`` calls
# made outside it; a comparator runs for every comparison. It runs last, after
# the tables'.
@comparators.dispatch_for("schema", priority=DispatchPriority.LAST)
def _ignore_search_objects(
    _context: Any, upgrade_ops: ops.UpgradeOps, _schemas: Any
) -> PriorityDispatchResult:
    kept: list[ops.MigrateOperation] = []
    for op in upgrade_ops.ops:
        if isinstance(op, ops.DropTableOp) and is_search_object(op.table_name):
            continue
        if isinstance(op, ops.ModifyTableOps):
            op.ops = [
                inner
                for inner in op.ops
                if not (isinstance(inner, ops.DropIndexOp) and is_search_object(inner.index_name))
            ]
            if not op.ops:
                continue
        kept.append(op)
    upgrade_ops.ops = kept
    return PriorityDispatchResult.CONTINUE
