"""Helpers for the desk's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def htmx_headers() -> dict[str, str]:
    return {"HX-Request": "true"}
