"""Links that leave the app (emails, tracking links): always from BASE_URL.

The request's Host header is chosen by whoever sends the request, so it never
goes into a link we mail to a customer.
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` under the configured ``BASE_URL``."""
    base = current_app.config["BASE_URL"].rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path
