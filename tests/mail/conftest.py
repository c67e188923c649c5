"""Received-mail fixtures: sample messages and the reply samples' ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from servicedesk import clock

SAMPLES = Path(__file__).with_name("samples")
# The reply samples answer SD-2026-000001, filed by Maria Keller.
KELLER = "m.keller@keller-maschinenbau.example.de"
FILED_AT = datetime(2026, 3, 2, 1, 14, tzinfo=UTC)


@pytest.fixture
def sample() -> Callable[[str], bytes]:
    """``sample(name)``: the raw bytes of ``samples/<name>``."""
    return lambda name: (SAMPLES / name).read_bytes()


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"MAIL_FROM": "Service Centre <service@desk.test>"}


@pytest.fixture
def keller_ticket(make_ticket) -> Any:
    """The ticket the reply samples answer."""
    with clock.at(FILED_AT):
        created = make_ticket(
            email=KELLER,
            name="Maria Keller",
            subject="Hydraulic press HP-400: pressure drops after 20 minutes",
            kind="repair",
        )
    assert created.ticket.reference == "SD-2026-000001"
    return created.ticket
