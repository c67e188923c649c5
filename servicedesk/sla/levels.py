"""The service level a new ticket gets: priority and targets, refined by plugins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class ServiceLevelProposal:
    """What the ``service_level`` hook may change.

    Plugins may raise ``priority`` or shorten the targets (business minutes);
    lowering the priority or lengthening a target is ignored.
    """

    priority: int
    policy: Any = None  # the matched policy (catalogue.PolicyInfo: SlaPolicy's columns), or None
    first_response_minutes: int | None = None
    resolution_minutes: int | None = None
