"""What plugins hand back to fill the pages: panels, links, form fields, metrics.

Every item carries a ``position``: pages sort by it (then by key), never by the
order plugins happened to register in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy
from flask import current_app, render_template
from markupsafe import Markup
from marshmallow import fields as ma_fields

from servicedesk.plugins import call_impl
from servicedesk.state import app_state

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Panel:
    """A box on a page, rendered from the plugin's own template.

    ``template`` must live under the plugin's namespace (``<plugin>/...``).
    """

    key: str
    title: Any
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    position: int = 100

    def render_context(self, **page: Any) -> dict[str, Any]:
        """The page's variables (``ticket`` ...), then the panel's own ``context``."""
        return {**page, **self.context}


@dataclass(frozen=True)
class MenuLink:
    key: str
    label: Any
    url: str
    position: int = 100


@dataclass(frozen=True)
class TicketAction:
    """A button on the desk's ticket page; it POSTs (with CSRF) to ``url``."""

    key: str
    label: Any
    url: str
    position: int = 100
    style: str = "secondary"


@dataclass(frozen=True)
class FormField:
    """An extra field on the public request form, validated by ``field``.

    ``kinds`` limits it to some kinds of request (None: every kind). The value
    is kept on the ticket under ``ticket.extra[name]``.
    """

    name: str
    label: Any
    field: ma_fields.Field
    help: Any = None
    kinds: tuple[str, ...] | None = None
    position: int = 100

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any
    value: Any
    position: int = 100


def collect(hook_name: str, **context: Any) -> list[Any]:
    """Call a slot hook and return every plugin's items, flattened and sorted.

    A plugin that raises costs its own items, never the page: the error is
    logged and the other plugins' items are shown.
    """
    manager: pluggy.PluginManager = app_state().plugin_manager
    items = []
    for impl in getattr(manager.hook, hook_name).get_hookimpls():
        try:
            result = call_impl(impl, **context)
        except Exception:
            log.exception(
                "plugin %s failed in %s; its items are left out", impl.plugin_name, hook_name
            )
            continue
        if result:
            items.extend(_as_list(result))
    return sorted(items, key=lambda item: (item.position, item.key))


def _as_list(result: Any) -> Iterable[Any]:
    return result if isinstance(result, list | tuple) else [result]


def render_panels(hook_name: str, **context: Any) -> list[tuple[Panel, Markup]]:
    """Collect a panel hook and render each panel with its own template.

    A failing plugin costs its panel, never the page: the error is logged.
    Templates get ``ticket`` and ``actor`` from ``context``, then the panel's own.
    """
    panels = collect(hook_name, app=current_app._get_current_object(), **context)
    page = {name: context[name] for name in ("ticket", "actor") if name in context}
    rendered = []
    for panel in panels:
        try:
            html = render_template(panel.template, **panel.render_context(**page))
        except Exception:
            log.exception("panel %r failed to render", panel.key)
            continue
        rendered.append((panel, Markup(html)))  # noqa: S704 (rendered by Jinja, autoescaped)
    return rendered
