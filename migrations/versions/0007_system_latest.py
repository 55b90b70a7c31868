"""system_latest: each system's counters and last reports after its newest fact

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:00:00

Empty at first: the engine fills a system's row at the next poll that stores data (until then
a window's end is looked up as before).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "system_latest",
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("counted_from", sa.DateTime(), nullable=False),
        sa.Column("newest_at", sa.DateTime(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("last_report_at", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("last_known", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("system_id", name=op.f("pk_system_latest")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )


def downgrade():
    op.drop_table("system_latest")
