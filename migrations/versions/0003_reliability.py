"""reliability: reports say whether their text was sanitised and how many job lines were dropped

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sanitised", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("jobs_dropped", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("jobs_dropped")
        batch_op.drop_column("sanitised")
