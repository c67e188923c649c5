"""The Alembic migrations build exactly the schema the models describe."""

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from servicedesk import create_app
from servicedesk.config import normalise_database_url
from servicedesk.extensions import db


@pytest.fixture
def empty_database(tmp_path) -> Iterator[str]:
    """A database with no tables, of the kind the suite runs on."""
    server = os.environ.get("SERVICEDESK_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path}/migrations.db"
        return
    url = make_url(normalise_database_url(server))
    name = f"servicedesk_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_upgrade_matches_models_and_downgrade_empties(empty_database, tmp_path):
    # With the built-in plugins: their branches build their tables ("heads").
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"tickets", "messages", "ticket_events", "attachments", "routes"} <= tables

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        db.engine.dispose()
