"""Queueing notifications in the transactional outbox.

``enqueue`` adds a row to the caller's transaction and renders the mail right
away, in the recipient's language; the worker (servicedesk.jobs) sends it.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale

from servicedesk.extensions import db
from servicedesk.models import OutboxMessage, Ticket
from servicedesk.services import validation as check


def enqueue(
    *,
    kind: str,
    recipient: str,
    template: str,
    locale: str,
    context: dict[str, Any],
    ticket: Ticket | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Render ``<template>.{subject.txt,txt,html}`` and queue it.

    A bare name is one of the core's ``templates/emails/``; a plugin passes a
    path in its own namespace (``satisfaction/emails/survey``). The caller's
    commit makes it real; a rolled-back change sends nothing.
    """
    address = check.email(recipient, "recipient")
    path = template if "/" in template else f"emails/{template}"
    with force_locale(locale):
        subject = render_template(f"{path}.subject.txt", ticket=ticket, **context)
        text = render_template(f"{path}.txt", ticket=ticket, **context)
        html = render_template(f"{path}.html", ticket=ticket, **context)
    message = OutboxMessage(
        kind=kind,
        ticket=ticket,
        recipient=address,
        # Customer text can reach a subject; a line break there would forge headers.
        subject=check.line(" ".join(subject.split()), "subject", max_length=255),
        body_text=text,
        body_html=html,
        locale=locale,
        headers=headers or {},
    )
    db.session.add(message)
    return message
