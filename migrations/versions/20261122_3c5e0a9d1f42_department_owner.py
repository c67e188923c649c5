"""department owner: the plugin that added a department as a workflow step

Revision ID: 3c5e0a9d1f42
Revises: fb509930dfec
Create Date: 2026-11-22 10:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c5e0a9d1f42'
down_revision = 'fb509930dfec'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: recreating departments on SQLite would
# cascade-delete the routes and memberships that point at it.
def upgrade():
    op.add_column('departments', sa.Column('owner', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('departments', 'owner')
