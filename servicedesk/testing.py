"""pytest fixtures for ServiceDesk and for plugin authors' own test suites.

Use them with ``pytest_plugins = ["servicedesk.testing"]`` in a conftest.py.
The database is SQLite in a temporary folder, or the PostgreSQL database named
by ``SERVICEDESK_TEST_DATABASE_URL``; its tables are created once per session
and emptied after every test.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event

from servicedesk import create_app
from servicedesk.config import normalise_database_url
from servicedesk.extensions import db
from servicedesk.models import Role, User
from servicedesk.services import tickets, users
from servicedesk.services.tickets import NewTicket
from servicedesk.workflow.seed import seed_workflow

PASSWORD = "correct horse battery"  # noqa: S105 (test accounts only)
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database: PostgreSQL when configured, else a SQLite file."""
    url = os.environ.get("SERVICEDESK_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override to give ``app`` extra settings."""
    return {}


@pytest.fixture
def app_plugins() -> list[object]:
    """Override to register plugin objects with ``app``."""
    return []


@pytest.fixture
def app(
    database_url: str,
    _schema: None,
    tmp_path: Path,
    app_config: dict[str, Any],
    app_plugins: list[object],
) -> Iterator[Flask]:
    """A ServiceDesk app on the test database, with departments and routes seeded."""
    config = _test_config(database_url, tmp_path) | app_config
    app = create_app(config, plugins=app_plugins, load_entrypoints=False)
    with app.app_context():
        seed_workflow()
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (to prove a page's
    query count does not grow with its rows)."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


class FreshContextClient(FlaskClient):
    """Every request in its own app context (a fresh ``g``), as under a real server.

    Without it the test's own app context would be reused by every request, so
    the signed-in user, the locale and the CSRF token would leak between them.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at production cost takes ~0.25 s a hash; tests do not measure it."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Any:
    """``make_user(role="agent", departments=("intake",), **fields) -> User``."""

    def make(
        role: str = Role.AGENT, departments: tuple[str, ...] = ("intake",), **fields: Any
    ) -> User:
        number = next(_numbers)
        fields.setdefault("email", f"{role}{number}@desk.example.com")
        fields.setdefault("name", f"{role.title()} {number}")
        fields.setdefault("password", PASSWORD)
        return users.create_user(role=role, departments=departments, **fields)

    return make


@pytest.fixture
def make_ticket(app: Flask) -> Any:
    """``make_ticket(**fields) -> NewTicket``: a customer request through the service."""

    def make(**fields: Any) -> NewTicket:
        number = next(_numbers)
        fields.setdefault("subject", f"Printer jams on every job #{number}")
        fields.setdefault("body", "The PX-200 printer jams on every job since Monday.")
        fields.setdefault("email", f"buyer{number}@customer.example.com")
        fields.setdefault("name", f"Buyer {number}")
        fields.setdefault("kind", "complaint")
        return tickets.create_ticket(**fields)

    return make


class AuthActions:
    """Sign staff in and out through the real sign-in form."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user_or_email: User | str, password: str = PASSWORD) -> Any:
        email = user_or_email.email if isinstance(user_or_email, User) else user_or_email
        return self._client.post("/desk/login", data={"email": email, "password": password})

    def logout(self) -> Any:
        return self._client.post("/desk/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def _test_config(database_url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://desk.test",
    }
