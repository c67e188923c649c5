"""Rendered page parts kept per process while what they show stays the same.

A part is kept under a key that names everything it depends on (language,
catalogue version, the request's script root ...); a different key renders it
anew. A part that holds the visitor's CSRF token is rendered with a
placeholder in its place, filled in for each response.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

# Stands in for the CSRF token while a part is rendered for keeping; it
# survives HTML escaping unchanged.
CSRF_PLACEHOLDER = "sd-csrf-placeholder-7c1e"


class FragmentCache:
    """The most recently used ``size`` parts, by key."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._parts: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, key: Hashable, render: Callable[[Callable[[], str]], str]) -> Markup:
        """The part under ``key`` with this visitor's CSRF token; ``render`` makes it when missing.

        ``render`` is given the ``csrf_token`` function to render with.
        """
        with self._lock:
            part = self._parts.get(key)
            if part is not None:
                self._parts.move_to_end(key)
        if part is None:
            part = render(lambda: CSRF_PLACEHOLDER)
            with self._lock:
                self._parts[key] = part
                while len(self._parts) > self.size:
                    self._parts.popitem(last=False)
        html = part.replace(CSRF_PLACEHOLDER, generate_csrf()) if CSRF_PLACEHOLDER in part else part
        return Markup(html)  # noqa: S704 (rendered by Jinja, autoescaped; the token is ours)


def kept(name: str, size: int = 64) -> FragmentCache:
    """The current app's cache of parts called ``name`` (room for ``size``, set on first use)."""
    key = f"servicedesk.fragments.{name}"
    parts = current_app.extensions.get(key)
    if parts is None:
        parts = current_app.extensions.setdefault(key, FragmentCache(size))
    return parts
