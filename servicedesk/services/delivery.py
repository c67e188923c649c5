"""Delivering the outbox, and what admins see of it.

Any number of workers may deliver at once. A message is claimed with one
conditional UPDATE (``pending`` → ``sending``, with the claim running out at
``next_attempt_at``), so no two workers send it; on PostgreSQL the candidate
row is picked with ``FOR UPDATE SKIP LOCKED`` so workers do not queue behind
each other, and SQLite serialises the writers anyway. The claim is committed
before the server is contacted: nothing is locked while it talks.

A message is marked sent only after the server accepted it. A failure is
recorded with its error and tried again later, each wait twice the last, until
``OUTBOX_MAX_ATTEMPTS``; then the message is ``failed`` until an admin retries
it. A worker that dies between the server's acceptance and our record leaves
its claim to run out, and the message is sent again (at least once, never
lost); the repeat has the same Message-ID, by which mail programs drop copies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError

from flask import current_app
from sqlalchemy import ColumnElement, func, select, update

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.mail.outgoing import build_message
from servicedesk.mail.smtp import Mailer, SmtpSettings, is_permanent
from servicedesk.models import OutboxMessage, OutboxStatus
from servicedesk.policy import Action, Actor, can
from servicedesk.services import validation as check
from servicedesk.services.errors import PermissionDenied

log = logging.getLogger(__name__)

# Longer than one message can take (a few SMTP commands, each within
# SMTP_TIMEOUT); a claim that runs out is taken to be a dead worker's.
CLAIM = timedelta(minutes=10)
# However many attempts are allowed, never more than a day between two.
LONGEST_WAIT = timedelta(days=1)
# One run stops after this many and leaves the rest to the next, so a backlog
# does not keep one worker thread from the other jobs.
BATCH = 500
ERROR_MAX = 2000


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(limit: int = BATCH) -> DeliveryReport:
    """Send the messages that are due, one claim at a time; how each one went."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        waiting = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        db.session.rollback()
        if waiting:
            log.warning("%d emails wait in the outbox: SERVICEDESK_SMTP_HOST is not set", waiting)
        return DeliveryReport()
    outcomes = {OutboxStatus.SENT: 0, OutboxStatus.PENDING: 0, OutboxStatus.FAILED: 0}
    with Mailer(SmtpSettings.from_config(config)) as mailer:
        for _number in range(limit):
            claimed = _claim()
            if claimed is None:
                break
            outcomes[_deliver(mailer, claimed)] += 1
    return DeliveryReport(
        sent=outcomes[OutboxStatus.SENT],
        retrying=outcomes[OutboxStatus.PENDING],
        failed=outcomes[OutboxStatus.FAILED],
    )


def anything_due() -> bool:
    """Whether a message waits to be sent now (or a dead worker's claim ran out)."""
    found = db.session.scalar(select(OutboxMessage.id).where(*_due(clock.now())).limit(1))
    db.session.rollback()
    return found is not None


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
        OutboxMessage.next_attempt_at <= now,
    )


def _claim() -> int | None:
    """Take the next due message (or one whose claim ran out); its id, or None."""
    now = clock.now()
    due = _due(now)
    candidate = (
        select(OutboxMessage.id)
        .where(*due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    # The conditions are repeated outside the subquery: PostgreSQL re-checks
    # only these when another transaction changed the row meanwhile.
    claimed = db.session.scalar(
        update(OutboxMessage)
        .where(OutboxMessage.id == candidate, *due)
        .values(status=OutboxStatus.SENDING, next_attempt_at=now + CLAIM)
        .returning(OutboxMessage.id),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return claimed


def _deliver(mailer: Mailer, outbox_id: int) -> OutboxStatus:
    row = db.session.get_one(OutboxMessage, outbox_id)
    attempt = row.attempts + 1
    try:
        message = build_message(row, sender=current_app.config["MAIL_FROM"])
    except (ValueError, MessageError) as error:
        return _record_failure(outbox_id, attempt, error, permanent=True)
    finally:
        # Ends the read transaction: nothing is held while the server talks.
        db.session.rollback()
    try:
        mailer.send(message)
    except Exception as error:
        # Anything but a network or SMTP error is a bug worth a traceback.
        log.warning(
            "sending outbox message %d failed", outbox_id, exc_info=not isinstance(error, OSError)
        )
        return _record_failure(outbox_id, attempt, error, permanent=is_permanent(error))
    _set(outbox_id, status=OutboxStatus.SENT, sent_at=clock.now(), attempts=attempt)
    return OutboxStatus.SENT


def _record_failure(
    outbox_id: int, attempt: int, error: Exception, *, permanent: bool
) -> OutboxStatus:
    config = current_app.config
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    if permanent or attempt >= config["OUTBOX_MAX_ATTEMPTS"]:
        _set(outbox_id, status=OutboxStatus.FAILED, attempts=attempt, last_error=text)
        return OutboxStatus.FAILED
    wait = min(timedelta(seconds=config["OUTBOX_RETRY_SECONDS"] * 2 ** (attempt - 1)), LONGEST_WAIT)
    _set(
        outbox_id,
        status=OutboxStatus.PENDING,
        attempts=attempt,
        last_error=text,
        next_attempt_at=clock.now() + wait,
    )
    return OutboxStatus.PENDING


def _set(outbox_id: int, **values: object) -> None:
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


# --------------------------------------------------------------------------
# For admins
# --------------------------------------------------------------------------

WAITING = (OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.SENDING)


def outbox_messages(
    actor: Actor, *, statuses: Iterable[str] = WAITING, limit: int = 100
) -> list[OutboxMessage]:
    """The newest messages in these statuses, with their attempts and last error."""
    _require_admin(actor)
    wanted = [check.choice(status, "status", list(OutboxStatus)) for status in statuses]
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(wanted))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry(actor: Actor, ids: Iterable[object] | None = None) -> int:
    """Try failed (or still pending) messages again now, with a fresh count of attempts.

    ``None`` means every one of them; a message being sent is left alone.
    Returns how many were queued again.
    """
    _require_admin(actor)
    statement = update(OutboxMessage).where(
        OutboxMessage.status.in_((OutboxStatus.FAILED, OutboxStatus.PENDING))
    )
    if ids is not None:
        statement = statement.where(
            OutboxMessage.id.in_([check.record_id(value, "id") for value in ids])
        )
    count = db.session.execute(
        statement.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=clock.now()),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    return count


def _require_admin(actor: Actor) -> None:
    if not can(actor, Action.ADMINISTER):
        raise PermissionDenied(_("Only administrators may manage outgoing email."))
