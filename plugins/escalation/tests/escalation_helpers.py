"""Helpers shared by the escalation tests (a uniquely named module, not a conftest)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> datetime:
    """A moment on the default SLA calendar's clock (office hours 09:00-18:00)."""
    return datetime(*args, tzinfo=SHANGHAI)
