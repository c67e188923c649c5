"""The full-text search index over tickets: subject, messages and customer.

SQLite: an FTS5 table with the trigram tokenizer (``rowid`` = ticket id) that
triggers keep in step with tickets, messages, contacts and customers, so every
writer is covered (services, the demo loader, bulk loads, plain SQL) in the
writer's own transaction.

PostgreSQL: pg_trgm GIN indexes on the searched columns; ``ILIKE`` uses them.

Neither is something SQLAlchemy models, so the objects are created by raw DDL
from here: by the Alembic revision and, for ``create_all`` (the test suite), by
events on the metadata. Alembic's comparison is told to leave them alone
(``servicedesk.migrating``).
"""

# The DDL is assembled from this module's constants; no input ever reaches it.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event

from servicedesk.extensions import db

FTS_TABLE = "ticket_search"

# The text a ticket is found by besides its subject and messages.
_CUSTOMER_TEXT = (
    "coalesce((SELECT name || ' ' || email FROM contacts WHERE id = {t}.contact_id), '')"
    " || ' ' || coalesce((SELECT name FROM customers WHERE id = {t}.customer_id), '')"
)
_MESSAGES_TEXT = (
    "coalesce((SELECT group_concat(body, char(10)) FROM messages WHERE ticket_id = {id}), '')"
)


def _refresh_customer(ticket_ids: str) -> str:
    return (
        f"UPDATE {FTS_TABLE} SET customer = (SELECT {_CUSTOMER_TEXT.format(t='t')}"
        f" FROM tickets t WHERE t.id = {FTS_TABLE}.rowid) WHERE rowid IN ({ticket_ids});"
    )


def _refresh_body(ticket_id: str) -> str:
    return (
        f"UPDATE {FTS_TABLE} SET body = {_MESSAGES_TEXT.format(id=ticket_id)}"
        f" WHERE rowid = {ticket_id};"
    )


# Trigger name (after the table's) -> (when it fires, what it does).
_TRIGGERS: dict[str, tuple[str, str]] = {
    "ticket_insert": (
        "AFTER INSERT ON tickets",
        # Messages are normally written after their ticket; a bulk load that
        # writes them first is indexed all the same.
        f"INSERT INTO {FTS_TABLE}(rowid, subject, body, customer) VALUES (new.id, new.subject,"
        f" {_MESSAGES_TEXT.format(id='new.id')}, {_CUSTOMER_TEXT.format(t='new')});",
    ),
    "ticket_update": (
        "AFTER UPDATE OF subject, contact_id, customer_id ON tickets",
        f"UPDATE {FTS_TABLE} SET subject = new.subject WHERE rowid = new.id;"
        + _refresh_customer("new.id"),
    ),
    "ticket_delete": ("AFTER DELETE ON tickets", f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id;"),
    "message_insert": (
        "AFTER INSERT ON messages",
        f"UPDATE {FTS_TABLE} SET body = body || char(10) || new.body WHERE rowid = new.ticket_id;",
    ),
    # Messages are append-only in practice; a change or removal rebuilds the text.
    "message_update": (
        "AFTER UPDATE OF body, ticket_id ON messages",
        _refresh_body("old.ticket_id") + _refresh_body("new.ticket_id"),
    ),
    "message_delete": ("AFTER DELETE ON messages", _refresh_body("old.ticket_id")),
    "contact_update": (
        "AFTER UPDATE OF name, email ON contacts",
        _refresh_customer("SELECT id FROM tickets WHERE contact_id = new.id"),
    ),
    "customer_update": (
        "AFTER UPDATE OF name ON customers",
        _refresh_customer("SELECT id FROM tickets WHERE customer_id = new.id"),
    ),
}

SQLITE_DDL: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE}"
    " USING fts5(subject, body, customer, tokenize='trigram')",
    *(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{name} {when} BEGIN {body} END"
        for name, (when, body) in _TRIGGERS.items()
    ),
)

# Index name -> (table, column): every searched column gets a trigram index.
TRIGRAM_INDEXES: dict[str, tuple[str, str]] = {
    "ix_tickets_subject_trgm": ("tickets", "subject"),
    "ix_messages_body_trgm": ("messages", "body"),
    "ix_contacts_name_trgm": ("contacts", "name"),
    "ix_contacts_email_trgm": ("contacts", "email"),
    "ix_customers_name_trgm": ("customers", "name"),
}

POSTGRESQL_DDL: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        for name, (table, column) in TRIGRAM_INDEXES.items()
    ),
)


def create_search_objects(connection: Connection) -> None:
    """Create the index for this database and fill it from the existing rows."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DDL:
            connection.exec_driver_sql(statement)
        rebuild(connection)
    elif dialect == "postgresql":
        for statement in POSTGRESQL_DDL:
            connection.exec_driver_sql(statement)


def drop_search_objects(connection: Connection) -> None:
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # The triggers belong to their tables, but may outlive a dropped FTS table.
        for name in _TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{name}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif dialect == "postgresql":
        for name in TRIGRAM_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def rebuild(connection: Connection) -> None:
    """Index every ticket again from its rows (SQLite; PostgreSQL needs nothing)."""
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
    connection.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE}(rowid, subject, body, customer) SELECT t.id, t.subject,"
        f" {_MESSAGES_TEXT.format(id='t.id')}, {_CUSTOMER_TEXT.format(t='t')} FROM tickets t"
    )


# ``create_all``/``drop_all`` (the test suite's schema) build the same objects as
# the migration does.
@event.listens_for(db.metadata, "after_create")
def _after_create(_target: Any, connection: Connection, **_kw: Any) -> None:
    create_search_objects(connection)


@event.listens_for(db.metadata, "before_drop")
def _before_drop(_target: Any, connection: Connection, **_kw: Any) -> None:
    drop_search_objects(connection)


def is_search_object(name: str | None) -> bool:
    """Whether ``name`` is the FTS table, one of its shadow tables or a trigram index."""
    return bool(name) and (
        name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_") or name in TRIGRAM_INDEXES
    )
