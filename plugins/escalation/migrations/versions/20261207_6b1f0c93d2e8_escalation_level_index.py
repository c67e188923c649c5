"""escalation level index: open tickets escalated at breach, counted from the level

Revision ID: 6b1f0c93d2e8
Revises: 50a729f2cc07
Create Date: 2026-12-07 10:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "6b1f0c93d2e8"
down_revision = "50a729f2cc07"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_escalation_records_level_ticket_id",
        "escalation_records",
        ["level", "ticket_id"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE ix_escalation_records_level_ticket_id")  # see the core's 9d2c41e7a5b3


def downgrade() -> None:
    op.drop_index("ix_escalation_records_level_ticket_id", table_name="escalation_records")
