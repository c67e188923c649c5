"""Questions about the route graph, answered from the catalogue (``servicedesk.catalogue``)."""

from __future__ import annotations

from typing import Any

from servicedesk import catalogue
from servicedesk.catalogue import DepartmentInfo


def allowed_targets(source: Any) -> list[DepartmentInfo]:
    """Active departments a ticket in department ``source`` may be routed to, in display order."""
    return catalogue.current().allowed_targets(source.id)


def active_departments() -> list[DepartmentInfo]:
    """Active departments of the core and of the loaded plugins, in display order."""
    return list(catalogue.current().visible)
