"""cache versions: a counter per set of data that processes keep in memory

Revision ID: e4a7b2c9f013
Revises: 9d2c41e7a5b3
Create Date: 2026-12-07 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4a7b2c9f013"
down_revision = "9d2c41e7a5b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cache_versions",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_versions")),
    )


def downgrade() -> None:
    op.drop_table("cache_versions")
