"""Departments that plugins add to the workflow (the ``department_steps`` hook).

A step names the departments it sits between; its place in the queue lists
and the routes into and out of it follow from that data, never from the order
in which plugins registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    """A department a plugin adds, between ``after`` and ``before``.

    Seeding (``servicedesk init``) creates the department, owned by the plugin,
    with the routes ``after -> code`` and ``code -> before`` plus any extra
    ``routes`` (pairs of department codes; ``None`` means any department).
    While the plugin is disabled, its departments are hidden from every list
    and route. ``description`` (translatable) tells customers on the public
    page what the department does.
    """

    code: str
    name_en: str
    name_zh: str
    after: str
    before: str | None = None
    routes: tuple[tuple[str | None, str | None], ...] = ()
    description: Any = None

    def edges(self) -> tuple[tuple[str | None, str | None], ...]:
        edges: list[tuple[str | None, str | None]] = [(self.after, self.code)]
        if self.before:
            edges.append((self.code, self.before))
        return (*edges, *self.routes)
