"""Writers of one SQLite file take turns through the writers' lock (servicedesk/sqlite_writers)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from servicedesk.sqlite_writers import QueuedWriterConnection, lock_path, queue_writers


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'centre.db'}")
    queue_writers(engine)
    with engine.begin() as connection:
        connection.execute(text("PRAGMA journal_mode=WAL"))
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def dbapi(connection):
    return connection.connection.dbapi_connection


def test_the_lock_lives_beside_the_database_file():
    assert lock_path("/srv/centre.db") == "/srv/centre.db-writers"
    assert lock_path("file:/srv/centre.db?mode=rw") == "/srv/centre.db-writers"
    assert lock_path(":memory:") is None
    assert lock_path("") is None
    assert lock_path("file:shared?mode=memory&cache=shared") is None


def test_in_memory_databases_are_left_alone():
    engine = create_engine("sqlite://")
    queue_writers(engine)
    with engine.connect() as connection:
        assert not isinstance(dbapi(connection), QueuedWriterConnection)


def test_a_write_holds_the_turn_until_the_commit(engine, tmp_path):
    with engine.connect() as first, engine.connect() as second:
        assert dbapi(first).holding_turn is False
        first.execute(text("SELECT count(*) FROM notes"))  # reading needs no turn
        assert dbapi(first).holding_turn is False
        first.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        assert dbapi(first).holding_turn is True
        assert dbapi(second).take_turn(wait_seconds=0.05) is False
        first.commit()
        assert dbapi(first).holding_turn is False
        second.execute(text("INSERT INTO notes (body) VALUES ('second')"))
        assert dbapi(second).holding_turn is True
        second.rollback()
        assert dbapi(second).holding_turn is False
    assert (tmp_path / "centre.db-writers").exists()


def test_a_rolled_back_or_returned_connection_gives_its_turn_back(engine):
    with engine.connect() as other:
        with engine.connect() as first:
            first.execute(text("INSERT INTO notes (body) VALUES ('rolled back')"))
            first.rollback()
            assert dbapi(other).take_turn(wait_seconds=0.05) is True
            other.execute(text("INSERT INTO notes (body) VALUES ('rolled back too')"))
            other.rollback()
            first.execute(text("INSERT INTO notes (body) VALUES ('left open')"))
        # Back in the pool unfinished: the pool rolled it back, and the turn is free.
        assert dbapi(other).take_turn(wait_seconds=0.05) is True
        assert other.execute(text("SELECT count(*) FROM notes")).scalar() == 0


def test_a_waiting_writer_goes_on_as_soon_as_the_first_commits(engine):
    started = threading.Event()
    done: list[float] = []

    def second_writer() -> None:
        started.wait()
        begun = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (body) VALUES ('second')"))
        done.append(time.monotonic() - begun)

    thread = threading.Thread(target=second_writer)
    thread.start()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        started.set()
        time.sleep(0.2)  # the second writer waits for its turn meanwhile
    thread.join(timeout=10)
    assert done and 0.1 < done[0] < 5
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM notes ORDER BY id")).scalars().all()
    assert bodies == ["first", "second"]
