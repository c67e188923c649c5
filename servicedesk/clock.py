"""The one source of "now" for business code.

``at(moment)`` lets the demo loader and tests replay history at chosen times
without patching the standard library.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_fixed: ContextVar[datetime | None] = ContextVar("servicedesk_clock", default=None)


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _fixed.get() or datetime.now(UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Make ``now()`` return ``moment`` inside the block."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    token = _fixed.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _fixed.reset(token)
