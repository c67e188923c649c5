"""What one app knows beyond its config: the plugin manager and the kinds of request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pluggy
from flask import Flask, current_app


@dataclass
class AppState:
    plugin_manager: pluggy.PluginManager
    kinds: dict[str, object] = field(default_factory=dict)
    # Folders of the plugins' own Alembic branches.
    migration_locations: list[str] = field(default_factory=list)
    # Short names of the loaded plugins, and the workflow steps each one adds.
    plugin_names: frozenset[str] = frozenset()
    steps: list[tuple[str, Any]] = field(default_factory=list)


def app_state(app: Flask | None = None) -> AppState:
    """The state of ``app`` (default: the current app)."""
    return (app or current_app).extensions["servicedesk"]
