"""escalation records: one row per escalation, once per automatic level

Revision ID: 50a729f2cc07
Revises:
Create Date: 2026-11-23 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "50a729f2cc07"
down_revision = None
branch_labels = ("escalation",)
# The core's tables this branch points at (tickets, users) exist from here on.
depends_on = "3c5e0a9d1f42"

# Automatic levels happen once per ticket; manual escalations may repeat.
AUTOMATIC = sa.text("level IN ('warning', 'breach')")


def upgrade() -> None:
    op.create_table(
        "escalation_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_escalation_records_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_escalation_records_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_records")),
    )
    op.create_index(
        "uq_escalation_records_ticket_id_level",
        "escalation_records",
        ["ticket_id", "level"],
        unique=True,
        sqlite_where=AUTOMATIC,
        postgresql_where=AUTOMATIC,
    )
    op.create_index(
        "ix_escalation_records_ticket_id_created_at",
        "escalation_records",
        ["ticket_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_escalation_records_created_at", "escalation_records", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_escalation_records_created_at", table_name="escalation_records")
    op.drop_index("ix_escalation_records_ticket_id_created_at", table_name="escalation_records")
    op.drop_index("uq_escalation_records_ticket_id_level", table_name="escalation_records")
    op.drop_table("escalation_records")
