"""Questions about the route graph, answered from the ``routes`` table."""

from __future__ import annotations

from sqlalchemy import or_, select

from servicedesk.extensions import db
from servicedesk.models import Department, Route
from servicedesk.workflow.steps import visible


def allowed_targets(source: Department) -> list[Department]:
    """Active departments a ticket in ``source`` may be routed to, in display order."""
    rows = db.session.execute(
        select(Route.to_department_id).where(
            or_(Route.from_department_id == source.id, Route.from_department_id.is_(None))
        )
    ).scalars()
    targets = set(rows)
    query = select(Department).where(visible(), Department.id != source.id)
    if None not in targets:
        query = query.where(Department.id.in_(targets))
    return list(db.session.scalars(query.order_by(Department.position, Department.id)))


def active_departments() -> list[Department]:
    return list(
        db.session.scalars(select(Department).where(visible()).order_by(Department.position))
    )
