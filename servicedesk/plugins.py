"""Builds the plugin manager of one app (never a module global), checks what
plugins register, and describes them for ``servicedesk plugins``."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy
from flask import Blueprint

from servicedesk import clock, hookspecs
from servicedesk.extensions import db

log = logging.getLogger(__name__)

CORE_DISTRIBUTION = "servicedesk"


class PluginError(Exception):
    """A plugin broke the plugin contract; the message says how."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    source: str  # core | built-in | installed | registered (passed to create_app)
    hooks: tuple[str, ...]


def build_manager(
    plugins: Iterable[object], *, load_entrypoints: bool, disabled: Iterable[str]
) -> pluggy.PluginManager:
    """A manager with our specs, the given plugin objects and installed plugins.

    Disabled names are blocked before entry points are loaded, so a disabled
    plugin's module is never even imported.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for name in disabled:
        manager.set_blocked(name)
    for plugin in plugins:
        manager.register(plugin, name=getattr(plugin, "name", None))
    if load_entrypoints:
        manager.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
    return manager


def short_name(plugin_name: str) -> str:
    """``plugins.training`` -> ``training``: the namespace a plugin owns."""
    return plugin_name.rsplit(".", 1)[-1]


def loaded_names(manager: pluggy.PluginManager) -> frozenset[str]:
    """Short names of the plugins that are registered and not blocked."""
    return frozenset(short_name(name) for name, plugin in manager.list_name_plugin() if plugin)


def workflow_steps(manager: pluggy.PluginManager, app: Any) -> list[tuple[str, Any]]:
    """``(plugin, Step)`` for every department step the plugins add."""
    from servicedesk.workflow.steps import Step

    steps = []
    for owner, answer in answers_by_plugin(manager, "department_steps", app=app):
        for step in answer or ():
            if not isinstance(step, Step):
                raise PluginError(f"plugin {owner!r} returned {step!r} from department_steps")
            steps.append((owner, step))
    return steps


def describe(manager: pluggy.PluginManager) -> list[PluginInfo]:
    """Every registered plugin with its version, source and hooks, by name."""
    distributions = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
    infos = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist = distributions.get(id(plugin))
        if name.startswith(f"{CORE_DISTRIBUTION}."):
            # Core behaviour expressed through hooks (servicedesk.jobs ...).
            source, version = "core", _core_version()
        elif dist is None:
            source, version = "registered", getattr(plugin, "__version__", "-")
        else:
            core = dist.project_name.lower() == CORE_DISTRIBUTION
            source, version = ("built-in" if core else "installed"), dist.version
        hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
        infos.append(PluginInfo(name=name, version=str(version), source=source, hooks=hooks))
    return sorted(infos, key=lambda info: info.name)


def _core_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(CORE_DISTRIBUTION)
    except PackageNotFoundError:
        return "-"


def registered_blueprints(manager: pluggy.PluginManager, app: Any) -> list[Blueprint]:
    """The plugins' blueprints, each checked to stay in its plugin's namespace."""
    blueprints = []
    for namespace, answer in answers_by_plugin(manager, "register_blueprints", app=app):
        for blueprint in answer or ():
            _check_namespace(namespace, blueprint)
            blueprints.append(blueprint)
    return blueprints


def _check_namespace(namespace: str, blueprint: Blueprint) -> None:
    if blueprint.name != namespace:
        raise PluginError(
            f"plugin {namespace!r} registers blueprint {blueprint.name!r}; "
            f"its blueprint must be named {namespace!r} (a plugin's name is its entry-point "
            f"name, or the `name` attribute of an object passed to create_app)"
        )
    if blueprint.template_folder:
        folder = Path(blueprint.root_path) / blueprint.template_folder
        stray = (
            sorted(p.name for p in folder.iterdir() if p.name != namespace)
            if folder.is_dir()
            else []
        )
        if stray:
            raise PluginError(
                f"plugin {namespace!r} has templates outside templates/{namespace}/: {stray}"
            )
    if blueprint.has_static_folder:
        prefix = blueprint.url_prefix or ""
        path = prefix + (blueprint.static_url_path or "/static")
        if not path.startswith(f"/{namespace}/"):
            raise PluginError(
                f"plugin {namespace!r} serves static files at {path!r}; "
                f"give its blueprint url_prefix='/{namespace}'"
            )


def notify(manager: pluggy.PluginManager, hook_name: str, **context: Any) -> None:
    """Call a notification hook; one failing plugin never stops the others.

    A failure is logged and, when the hook is about a ticket, written to that
    ticket's audit trail so staff can see that a plugin's step did not happen.
    """
    caller = getattr(manager.hook, hook_name)
    for impl in caller.get_hookimpls():
        try:
            call_impl(impl, **context)
        except Exception as error:
            log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)
            # A failed query leaves the transaction aborted (PostgreSQL); the
            # next plugin and the caller must start from a clean session.
            db.session.rollback()
            ticket = context.get("ticket")
            if ticket is not None:
                _record_failure(ticket.id, impl.plugin_name, hook_name, error)


def answers_by_plugin(
    manager: pluggy.PluginManager, hook_name: str, **context: Any
) -> Iterator[tuple[str, Any]]:
    """``(plugin short name, answer)`` of each implementation, for hooks whose
    answers belong to their plugin (its namespace, its departments)."""
    for impl in getattr(manager.hook, hook_name).get_hookimpls():
        yield short_name(impl.plugin_name), call_impl(impl, **context)


def call_impl(impl: Any, **context: Any) -> Any:
    """Call one implementation with the context arguments it asks for."""
    return impl.function(**{name: context[name] for name in impl.argnames if name in context})


def _record_failure(ticket_id: int, plugin: str, hook_name: str, error: Exception) -> None:
    from servicedesk.models import TicketEvent

    try:
        db.session.add(
            TicketEvent(
                ticket_id=ticket_id,
                kind="plugin_error",
                actor_label=short_name(plugin)[:100],
                new_value=hook_name[:255],
                detail=f"{type(error).__name__}: {error}"[:2000],
                created_at=clock.now(),
            )
        )
        db.session.commit()
    except Exception:
        log.exception("could not record the failure of plugin %s", plugin)
        db.session.rollback()
