"""customer ticket indexes: a customer's and a contact's tickets newest first

Revision ID: 5f8e1d6a3c27
Revises: e4a7b2c9f013
Create Date: 2026-12-07 14:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5f8e1d6a3c27"
down_revision = "e4a7b2c9f013"
branch_labels = None
depends_on = None

COLUMNS = ["updated_at", "id", "department_id"]


def upgrade() -> None:
    # Plain CREATE/DROP INDEX (no batch): SQLite keeps the search triggers on tickets.
    op.create_index(
        "ix_tickets_customer_updated_at", "tickets", ["customer_id", *COLUMNS], unique=False
    )
    op.create_index(
        "ix_tickets_contact_updated_at", "tickets", ["contact_id", *COLUMNS], unique=False
    )
    # The new indexes begin with the old ones' column: those say nothing more.
    op.drop_index("ix_tickets_customer_id", table_name="tickets")
    op.drop_index("ix_tickets_contact_id", table_name="tickets")
    if op.get_bind().dialect.name == "sqlite":  # see 9d2c41e7a5b3
        op.execute("ANALYZE ix_tickets_customer_updated_at")
        op.execute("ANALYZE ix_tickets_contact_updated_at")


def downgrade() -> None:
    op.create_index("ix_tickets_contact_id", "tickets", ["contact_id"], unique=False)
    op.create_index("ix_tickets_customer_id", "tickets", ["customer_id"], unique=False)
    op.drop_index("ix_tickets_contact_updated_at", table_name="tickets")
    op.drop_index("ix_tickets_customer_updated_at", table_name="tickets")
