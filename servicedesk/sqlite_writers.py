"""Writers of one SQLite file take turns in a queue the kernel keeps, not in SQLite's sleeps.

SQLite lets one connection write at a time. The others wait in its busy
handler, which sleeps 1, 2, 5, 10 ... milliseconds between tries: a request
holds the write lock for two or three milliseconds, so its waiter sleeps
longer than the lock was held while a core idles, and web workers that all
write (the public form) lose a tenth of their throughput to it.

So a connection about to start a write transaction first takes an advisory
lock (``flock``) on a file beside the database (``<database>-writers``), and
gives it back when the transaction ends: a waiting writer wakes as soon as the
lock is free. SQLite's own lock stays the one that guards the data; this one
only orders the writers. A writer that cannot have it within SQLite's busy
timeout goes ahead without it and SQLite decides, as before, so nothing waits
longer than it did. Processes that write without it (the ``sqlite3`` shell, a
backup) are waited for by SQLite's busy handler as ever.

Used for file databases only (see ``servicedesk._configure_database``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

# How long a writer waits for its turn before leaving the decision to SQLite.
WAIT_SECONDS = 10.0
# Between two tries: short against a write transaction of a few milliseconds.
_POLL_SECONDS = 0.0002
# pysqlite opens a transaction before these statements, and only these.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class QueuedWriterConnection(sqlite3.Connection):
    """A pysqlite connection that holds the writers' lock for its write transactions."""

    writers_lock_path: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock_fd: int | None = None
        self._holding = False

    def take_turn(self, wait_seconds: float = WAIT_SECONDS) -> bool:
        """Hold the writers' lock, waiting up to ``wait_seconds``; False if it stayed taken."""
        if self._holding or self.writers_lock_path is None:
            return self._holding
        if self._lock_fd is None:
            self._lock_fd = os.open(self.writers_lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    log.warning("no turn to write within %.0f s; SQLite decides", wait_seconds)
                    return False
                time.sleep(_POLL_SECONDS)
                continue
            self._holding = True
            return True

    @property
    def holding_turn(self) -> bool:
        return self._holding

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def _end_turn(self) -> None:
        if self._holding:
            self._holding = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)


def queue_writers(engine: Engine) -> None:
    """Make ``engine``'s connections to a database file take turns to write."""
    path = lock_path(engine.url.database or "")
    if path is None or event.contains(engine, "before_cursor_execute", _before_write):
        return

    def connect(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        cparams.setdefault("factory", QueuedWriterConnection)

    def opened(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, QueuedWriterConnection):
            dbapi_connection.writers_lock_path = path

    event.listen(engine, "do_connect", connect)
    event.listen(engine, "connect", opened)
    event.listen(engine, "before_cursor_execute", _before_write)


def lock_path(database: str) -> str | None:
    """The writers' lock file of ``database`` (a path or a ``file:`` URI); None in memory."""
    if database.startswith("file:"):
        path, _, query = database[len("file:") :].partition("?")
        if "mode=memory" in query:
            return None
        database = path
    if database in ("", ":memory:"):
        return None
    return f"{database}-writers"


def _before_write(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if not statement.lstrip()[:7].upper().startswith(_WRITES):
        return
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, QueuedWriterConnection):
        dbapi_connection.take_turn()
