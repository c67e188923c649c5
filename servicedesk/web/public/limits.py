"""Rate limits of the public forms: per client address and per customer email address.

The limits are settings (``SUBMIT_RATE_LIMIT`` ...), read on every request so
an app built with other values uses them. A breach answers 429 with the
friendly error page and a ``Retry-After`` header (servicedesk.web.errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

from servicedesk.extensions import limiter
from servicedesk.services import tickets
from servicedesk.services.errors import NotFound

F = TypeVar("F", bound=Callable[..., Any])


def per_client(setting: str) -> Callable[[F], F]:
    """Limit POSTs from one client address by the limit in ``setting``."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def per_address(view: F) -> F:
    """Limit POSTs about one customer email address, across every public form.

    Each form can make the centre write to that address, so the limit is
    shared: alternating between forms does not get round it.
    """
    return limiter.shared_limit(
        lambda: current_app.config["EMAIL_RATE_LIMIT"],
        scope="customer-email",
        key_func=_address,
        methods=["POST"],
    )(view)


def _address() -> str:
    token = (request.view_args or {}).get("token")
    if token is None:
        # Flask-Limiter skips a limit whose key is empty, so a blank address has one too.
        return request.form.get("email", "").strip().lower()[:254] or "no-address"
    try:
        ticket, _actor = tickets.open_with_token(token)
    except NotFound:
        # Guessed tokens share one bucket; the per-client limit still applies.
        return "unknown-ticket"
    return ticket.contact.email if ticket.contact else f"ticket-{ticket.id}"
