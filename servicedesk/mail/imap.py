"""Fetching new mail from the centre's IMAP mailbox."""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def fetch_unseen(config: Any, handle: Callable[[bytes], T]) -> list[T]:
    """Hand each unseen message of the mailbox to ``handle``, then mark it seen.

    A message ``handle`` fails on stays unseen and is tried again next time;
    the others go on. ``handle`` must not mind seeing a message twice (a
    worker may stop between handling one and marking it).
    """
    client = _connect(config)
    results = []
    try:
        _check(client.select(_quoted(config["IMAP_MAILBOX"])))
        uids = _check(client.uid("SEARCH", None, "UNSEEN"))[0].split()
        for uid in uids:
            # PEEK: the message stays unseen until it has been handled.
            parts = _check(client.uid("FETCH", uid, "(BODY.PEEK[])"))
            raw = next(part[1] for part in parts if isinstance(part, tuple))
            try:
                results.append(handle(raw))
            except Exception:
                log.exception("could not file message %s from the mailbox", uid.decode())
                continue
            _check(client.uid("STORE", uid, "+FLAGS", r"(\Seen)"))
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            log.warning("logging out of the mailbox failed", exc_info=True)
    return results


def _connect(config: Any) -> imaplib.IMAP4:
    host, port, timeout = config["IMAP_HOST"], int(config["IMAP_PORT"]), config["IMAP_TIMEOUT"]
    client: imaplib.IMAP4
    if config["IMAP_SSL"]:
        client = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        client = imaplib.IMAP4(host, port, timeout=timeout)
    # Environment values are parsed as JSON: a numeric password arrives as int.
    client.login(str(config["IMAP_USERNAME"]), str(config["IMAP_PASSWORD"]))
    return client


def _check(response: tuple[str, list[Any]]) -> list[Any]:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"IMAP server answered {status}: {data!r}")
    return data


def _quoted(mailbox: str) -> str:
    # Mailbox names may contain spaces; IMAP wants them as quoted strings.
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
