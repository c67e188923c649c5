"""Which SLA policy applies to a ticket, and the policies seeded by default."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import select

from servicedesk import catalogue
from servicedesk.catalogue import PolicyInfo
from servicedesk.extensions import db
from servicedesk.models import Customer, Priority, SlaPolicy
from servicedesk.sla.calendars import seed_default_calendar

BUSINESS_DAY = 9 * 60  # minutes in one 09:00-18:00 day


class PolicySpec(NamedTuple):
    name: str
    rank: int
    key_account: bool | None
    abc_class: str | None
    priority: int | None
    kind: str | None
    first_response_minutes: int
    resolution_minutes: int


DEFAULT_POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec("Key-account complaint", 10, True, None, None, "complaint", 60, BUSINESS_DAY),
    PolicySpec("A-class complaint", 20, None, "A", None, "complaint", 60, BUSINESS_DAY),
    PolicySpec("Urgent", 30, None, None, Priority.URGENT, None, 120, 2 * BUSINESS_DAY),
    PolicySpec("High", 40, None, None, Priority.HIGH, None, 240, 3 * BUSINESS_DAY),
    PolicySpec("Normal", 1000, None, None, None, None, 8 * 60, 5 * BUSINESS_DAY),
)


def matches(policy: Any, *, customer: Customer | None, priority: int, kind: str) -> bool:
    """Does every criterion the policy sets hold? An unset one matches anything."""
    key_account = bool(customer and customer.key_account)
    return (
        (policy.key_account is None or policy.key_account == key_account)
        and (policy.abc_class is None or (customer and customer.abc_class) == policy.abc_class)
        and (policy.position is None or (customer and customer.position) == policy.position)
        and (policy.priority is None or policy.priority == priority)
        and (policy.kind is None or policy.kind == kind)
    )


def choose(*, customer: Customer | None, priority: int, kind: str) -> PolicyInfo | None:
    """The first matching active policy by rank, or None."""
    return next(
        (
            policy
            for policy in catalogue.current().policies
            if matches(policy, customer=customer, priority=priority, kind=kind)
        ),
        None,
    )


def seed_sla() -> None:
    """The default calendar and policies; adds what is missing, changes nothing else."""
    calendar = seed_default_calendar()
    existing = set(db.session.scalars(select(SlaPolicy.name)))
    for spec in DEFAULT_POLICIES:
        if spec.name not in existing:
            db.session.add(SlaPolicy(**spec._asdict(), calendar=calendar))
    db.session.commit()
