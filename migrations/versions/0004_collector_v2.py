"""collector v2: time waited on Retry-After per poll, the event stream's state

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("poll_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retry_wait_s", sa.Float(), server_default="0", nullable=False)
        )
    op.create_table(
        "source_status",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("connected", sa.Boolean(), nullable=False),
        sa.Column("connected_since", sa.DateTime(), nullable=True),
        sa.Column("connections", sa.Integer(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("malformed", sa.Integer(), nullable=False),
        sa.Column("reports_stored", sa.BigInteger(), nullable=False),
        sa.Column("last_event_at", sa.DateTime(), nullable=True),
        sa.Column("lag_s", sa.Float(), nullable=True),
        sa.Column("last_error", sa.String(length=1024), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_source_status")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )


def downgrade():
    op.drop_table("source_status")
    with op.batch_alter_table("poll_log", schema=None) as batch_op:
        batch_op.drop_column("retry_wait_s")
