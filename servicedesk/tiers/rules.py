"""The core tier rule: key accounts and A-class customers get a higher priority.

Registered as the built-in plugin ``servicedesk.tiers``. The table is the
``TIER_PRIORITIES`` setting: keys ``key_account_complaint``, ``key_account``
and ABC classes, values priority names.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from servicedesk.hookspecs import hookimpl
from servicedesk.models import Customer, Priority
from servicedesk.sla.levels import ServiceLevelProposal

RECOMPUTE_JOB = "customers.recompute"

DEFAULT_TIER_PRIORITIES: dict[str, str] = {
    "key_account_complaint": "urgent",
    "key_account": "high",
    "A": "high",
}


def tier_priority(customer: Customer | None, kind: str, table: dict[str, str]) -> int | None:
    """The priority the customer's tier asks for, or None."""
    if customer is None:
        return None
    wanted = []
    if customer.key_account:
        wanted.append(table.get("key_account_complaint" if kind == "complaint" else "key_account"))
        wanted.append(table.get("key_account"))
    if customer.abc_class:
        wanted.append(table.get(customer.abc_class))
    levels = [Priority[name.upper()] for name in wanted if name]
    return max(levels) if levels else None


@hookimpl
def service_level(app: Any, ticket: Any, proposal: ServiceLevelProposal) -> None:
    from servicedesk.sla.clock import _customer

    table = app.config.get("TIER_PRIORITIES", DEFAULT_TIER_PRIORITIES)
    level = tier_priority(_customer(ticket), ticket.kind, table)
    if level is not None and level > proposal.priority:
        proposal.priority = int(level)


@hookimpl
def scheduled_jobs(app: Flask) -> list[Any]:
    """Recompute ABC classes and value scores once a day (sales figures change slowly)."""
    from servicedesk.jobs.queue import ScheduledJob

    return [ScheduledJob(RECOMPUTE_JOB, recompute, every=timedelta(days=1))]


def recompute(app: Flask) -> object:
    """The job: ``servicedesk customers recompute`` without a period filter."""
    from servicedesk.services.customers_admin import recompute_tiers

    return recompute_tiers()
