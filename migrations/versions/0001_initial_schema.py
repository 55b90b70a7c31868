"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 20:39:41.676802
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_username"), ["username"], unique=False)

    op.create_table(
        "poll_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=255), nullable=False),
        sa.Column("collector", sa.String(length=255), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("rate_limited", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("reports_stored", sa.Integer(), nullable=False),
        sa.Column("rechecks_stored", sa.Integer(), nullable=False),
        sa.Column("watermark", sa.DateTime(), nullable=True),
        sa.Column("message", sa.String(length=1024), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_log")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("poll_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_log_started_at"), ["started_at"], unique=False)

    op.create_table(
        "poll_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.String(length=255), nullable=False),
        sa.Column("watermark", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("locked_by", sa.String(length=255), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_state")),
        sa.UniqueConstraint("query", name=op.f("uq_poll_state_query")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("branch", sa.String(length=255), nullable=False),
        sa.Column("change_id", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=1024), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_changes_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sa.UniqueConstraint("number", name=op.f("uq_changes_number")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_updated"), ["updated"], unique=False)

    op.create_table(
        "ci_systems",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("contact_name", sa.String(length=255), nullable=True),
        sa.Column("contact_email", sa.String(length=255), nullable=True),
        sa.Column("info_url", sa.String(length=1024), nullable=True),
        sa.Column("recheck_keyword", sa.String(length=255), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["accounts.id"], name=op.f("fk_ci_systems_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ci_systems")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("ci_systems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ci_systems_username"), ["username"], unique=False)

    op.create_table(
        "patchsets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name=op.f("fk_patchsets_change_id_changes")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_patchsets_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patchsets")),
        sa.UniqueConstraint("change_id", "number", name=op.f("uq_patchsets_change_id_number")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("patchsets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patchsets_created"), ["created"], unique=False)

    op.create_table(
        "system_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("success", sa.Integer(), nullable=False),
        sa.Column("failure", sa.Integer(), nullable=False),
        sa.Column("error", sa.Integer(), nullable=False),
        sa.Column("other", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_system_days_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["ci_systems.id"], name=op.f("fk_system_days_system_id_ci_systems")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_days")),
        sa.UniqueConstraint(
            "system_id", "day", "project_id", name=op.f("uq_system_days_system_id_day_project_id")
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "rechecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("patchset_id", sa.Integer(), nullable=True),
        sa.Column("patchset_number", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=191), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name=op.f("fk_rechecks_change_id_changes")
        ),
        sa.ForeignKeyConstraint(
            ["patchset_id"], ["patchsets.id"], name=op.f("fk_rechecks_patchset_id_patchsets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rechecks")),
        sa.UniqueConstraint(
            "change_id", "message_id", name=op.f("uq_rechecks_change_id_message_id")
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("rechecks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rechecks_date"), ["date"], unique=False)
        batch_op.create_index("ix_rechecks_patchset_id_date", ["patchset_id", "date"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("patchset_id", sa.Integer(), nullable=True),
        sa.Column("patchset_number", sa.Integer(), nullable=True),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=191), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=64), nullable=False),
        sa.Column("result_class", sa.String(length=16), nullable=False),
        sa.Column("vote", sa.SmallInteger(), nullable=True),
        sa.Column("pipeline", sa.String(length=64), nullable=True),
        sa.Column("tag", sa.String(length=255), nullable=True),
        sa.Column(
            "message",
            sa.Text()
            .with_variant(mysql.MEDIUMTEXT(), "mariadb")
            .with_variant(mysql.MEDIUMTEXT(), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["change_id"], ["changes.id"], name=op.f("fk_reports_change_id_changes")
        ),
        sa.ForeignKeyConstraint(
            ["patchset_id"], ["patchsets.id"], name=op.f("fk_reports_patchset_id_patchsets")
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["ci_systems.id"], name=op.f("fk_reports_system_id_ci_systems")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "change_id", "message_id", name=op.f("uq_reports_change_id_message_id")
        ),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_patchset_id_system_id", ["patchset_id", "system_id"], unique=False
        )
        batch_op.create_index("ix_reports_system_id_date", ["system_id", "date"], unique=False)
        batch_op.create_index("ix_reports_patchset_id_date", ["patchset_id", "date"], unique=False)

    op.create_table(
        "job_results",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("result", sa.String(length=64), nullable=False),
        sa.Column("result_class", sa.String(length=16), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("voting", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_job_results_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_results")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("job_results", schema=None) as batch_op:
        batch_op.create_index("ix_job_results_report_id", ["report_id"], unique=False)



def downgrade():
    # Dropping a table drops its indexes; dropping them first fails on MariaDB for indexes a
    # foreign key needs.
    op.drop_table("job_results")
    op.drop_table("reports")
    op.drop_table("rechecks")
    op.drop_table("system_days")
    op.drop_table("patchsets")
    op.drop_table("ci_systems")
    op.drop_table("changes")
    op.drop_table("projects")
    op.drop_table("poll_state")
    op.drop_table("poll_log")
    op.drop_table("accounts")
