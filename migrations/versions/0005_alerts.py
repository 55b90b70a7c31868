"""alerts: episodes and their deliveries, silences, API tokens

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-01 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MYSQL = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def upgrade():
    with op.batch_alter_table("engine_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("runs", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("run_seconds", sa.Float(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("last_run_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_run_seconds", sa.Float(), nullable=True))
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("open_key", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=16), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("components", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alerts_open_key")),
        **MYSQL,
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_system_id_opened_at", ["system_id", "opened_at"],
                              unique=False)
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=512), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"],
                                name=op.f("fk_alert_deliveries_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("alert_id", "channel", "kind",
                            name=op.f("uq_alert_deliveries_alert_id_channel_kind")),
        **MYSQL,
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_alert_deliveries_state_due_at", ["state", "due_at"],
                              unique=False)
    op.create_table(
        "silences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.String(length=1024), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silences")),
        **MYSQL,
    )
    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.create_index("ix_silences_ends_at", ["ends_at"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_tokens_digest")),
        **MYSQL,
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_name"), ["name"], unique=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_name"))
    op.drop_table("api_tokens")
    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.drop_index("ix_silences_ends_at")
    op.drop_table("silences")
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
    with op.batch_alter_table("engine_state", schema=None) as batch_op:
        batch_op.drop_column("last_run_seconds")
        batch_op.drop_column("last_run_at")
        batch_op.drop_column("run_seconds")
        batch_op.drop_column("runs")
