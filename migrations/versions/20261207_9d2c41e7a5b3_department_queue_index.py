"""department queue index: a department's tickets newest first, read in order

Revision ID: 9d2c41e7a5b3
Revises: 3c5e0a9d1f42
Create Date: 2026-12-07 10:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9d2c41e7a5b3"
down_revision = "3c5e0a9d1f42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain CREATE INDEX (no batch): the table is not rebuilt, so the search
    # triggers on it stay as they are.
    op.create_index(
        "ix_tickets_department_updated_at",
        "tickets",
        ["department_id", "updated_at", "id", "status", "assignee_id"],
        unique=False,
    )
    # SQLite plans from the statistics ANALYZE keeps; without them for a new
    # index it guessed this one for queries it suits badly (a customer's other
    # tickets: 7 ms instead of 0.1 ms on 100,000 tickets). PostgreSQL keeps its
    # own statistics up to date.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE ix_tickets_department_updated_at")


def downgrade() -> None:
    op.drop_index("ix_tickets_department_updated_at", table_name="tickets")
