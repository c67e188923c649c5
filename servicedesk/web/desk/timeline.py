"""The audit trail in words: "Li Wei routed from Sales to Follow-up: customer asked"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicedesk.catalogue import DepartmentInfo
from servicedesk.i18n import gettext as _
from servicedesk.labels import priority_label, status_label
from servicedesk.models import EventKind, Priority


@dataclass(frozen=True)
class Entry:
    kind: str
    text: str
    detail: str | None
    at: datetime


def describe(
    events: Sequence[Any],
    names: Mapping[int, str],
    departments: Mapping[str, DepartmentInfo],
    locale: str,
) -> list[Entry]:
    """One sentence per event, with people and departments named, oldest first."""

    def person(value: str | None) -> str:
        if value and value.isdigit():
            return names.get(int(value), _("a former colleague"))
        return _("nobody")

    def department(code: str | None) -> str:
        found = departments.get(code or "")
        return found.name(locale) if found else code or _("unknown department")

    def priority(name: str | None) -> str:
        level = Priority.__members__.get((name or "").upper())
        return priority_label(level) if level is not None else name or ""

    entries = []
    for event in events:
        actor = _actor(event, names)
        old, new = event.old_value, event.new_value
        kind = event.kind
        if kind == EventKind.CREATED:
            text = _(
                "%(actor)s opened the ticket in %(department)s",
                actor=actor,
                department=department(new),
            )
        elif kind == EventKind.ROUTED:
            text = _(
                "%(actor)s routed from %(source)s to %(target)s",
                actor=actor,
                source=department(old),
                target=department(new),
            )
        elif kind == EventKind.ASSIGNED and new is None:
            text = _("%(actor)s unassigned %(person)s", actor=actor, person=person(old))
        elif kind == EventKind.ASSIGNED:
            text = _("%(actor)s assigned the ticket to %(person)s", actor=actor, person=person(new))
        elif kind == EventKind.STATUS:
            text = _(
                "%(actor)s changed the status from %(old)s to %(new)s",
                actor=actor,
                old=status_label(old or ""),
                new=status_label(new or ""),
            )
        elif kind == EventKind.PRIORITY:
            text = _(
                "%(actor)s changed the priority from %(old)s to %(new)s",
                actor=actor,
                old=priority(old),
                new=priority(new),
            )
        elif kind == EventKind.REPLIED:
            text = _("%(actor)s replied to the customer", actor=actor)
        elif kind == EventKind.NOTED:
            text = _("%(actor)s added an internal note", actor=actor)
        elif kind == EventKind.CUSTOMER_REPLIED:
            text = _("%(actor)s wrote again", actor=actor)
        else:
            # Plugins record kinds of their own.
            change = " → ".join(v for v in (old, new) if v)
            text = f"{actor}: {kind}" + (f" ({change})" if change else "")
        entries.append(Entry(kind, text, event.detail, event.created_at))
    return entries


def _actor(event: Any, names: Mapping[int, str]) -> str:
    if event.actor_id is not None:
        return names.get(event.actor_id, event.actor_label)
    if event.actor_label == "customer":
        return _("The customer")
    return event.actor_label
