"""health engine: facts, hourly counters, latency blocks, status history, events

The tables are derived from the stored reports; the engine fills them on its first run after the
upgrade (its settings fingerprint is unset), so nothing is migrated by hand. The per-day report
counts (system_days) are gone: the engine's facts replace them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:49:56.754242
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agreement_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("ps_number", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("m", sa.DateTime(), nullable=False),
        sa.Column("e_lo", sa.DateTime(), nullable=False),
        sa.Column("e_hi", sa.DateTime(), nullable=True),
        sa.Column("agree", sa.Boolean(), nullable=False),
        sa.Column("ref_success", sa.Boolean(), nullable=False),
        sa.Column("false_failure", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_events")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("agreement_events", schema=None) as batch_op:
        batch_op.create_index("ix_agreement_events_e_hi", ["e_hi"], unique=False)
        batch_op.create_index("ix_agreement_events_e_lo", ["e_lo"], unique=False)
        batch_op.create_index("ix_agreement_events_key", ["change_id", "ps_number"], unique=False)
        batch_op.create_index("ix_agreement_events_m", ["m"], unique=False)

    op.create_table(
        "engine_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("settings", sa.String(length=255), nullable=True),
        sa.Column("counted_until", sa.DateTime(), nullable=True),
        sa.Column("dirty_since", sa.DateTime(), nullable=True),
        sa.Column("evaluated_until", sa.DateTime(), nullable=True),
        sa.Column("locked_by", sa.String(length=255), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_state")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_at", ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_system_id"), ["system_id"], unique=False)

    op.create_table(
        "latency_blocks",
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("days", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "latencies",
            sa.LargeBinary()
            .with_variant(mysql.MEDIUMBLOB(), "mariadb")
            .with_variant(mysql.MEDIUMBLOB(), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "created",
            sa.LargeBinary()
            .with_variant(mysql.MEDIUMBLOB(), "mariadb")
            .with_variant(mysql.MEDIUMBLOB(), "mysql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("system_id", "days", "first_day", name=op.f("pk_latency_blocks")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "long_spans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("x", sa.DateTime(), nullable=False),
        sa.Column("y", sa.DateTime(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_long_spans")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("long_spans", schema=None) as batch_op:
        batch_op.create_index("ix_long_spans_change_id", ["change_id"], unique=False)
        batch_op.create_index("ix_long_spans_day", ["day"], unique=False)

    op.create_table(
        "project_hours",
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "hour", name=op.f("pk_project_hours")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.create_index("ix_status_changes_at", ["at"], unique=False)
        batch_op.create_index("ix_status_changes_system_id_at", ["system_id", "at"], unique=False)

    op.create_table(
        "status_hours",
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.PrimaryKeyConstraint("system_id", "hour", name=op.f("pk_status_hours")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "system_status",
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("since", sa.DateTime(), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("system_id", name=op.f("pk_system_status")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "system_projects",
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("system_id", "project_id", name=op.f("pk_system_projects")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "system_hours",
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("system_id", "hour", name=op.f("pk_system_hours")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_table(
        "patchset_facts",
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("patchset_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("latency_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patchset_id"],
            ["patchsets.id"],
            name=op.f("fk_patchset_facts_patchset_id_patchsets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("system_id", "patchset_id", name=op.f("pk_patchset_facts")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("patchset_facts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patchset_facts_change_id"), ["change_id"], unique=False
        )
        batch_op.create_index("ix_patchset_facts_created", ["created"], unique=False)
        batch_op.create_index("ix_patchset_facts_first_at", ["first_at"], unique=False)
        batch_op.create_index(
            "ix_patchset_facts_system_project", ["system_id", "project_id", "created"], unique=False
        )

    op.create_table(
        "recheck_facts",
        sa.Column("recheck_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("system_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recheck_id"],
            ["rechecks.id"],
            name=op.f("fk_recheck_facts_recheck_id_rechecks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recheck_id", "system_id", name=op.f("pk_recheck_facts")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("recheck_facts", schema=None) as batch_op:
        batch_op.create_index("ix_recheck_facts_change_id", ["change_id"], unique=False)
        batch_op.create_index("ix_recheck_facts_date", ["date"], unique=False)

    op.create_table(
        "report_facts",
        sa.Column(
            "report_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("ps_number", sa.BigInteger(), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("result_class", sa.String(length=16), nullable=False),
        sa.Column("prev_at", sa.DateTime(), nullable=True),
        sa.Column("fail_at", sa.DateTime(), nullable=True),
        sa.Column("fail2_at", sa.DateTime(), nullable=True),
        sa.Column("dup_prev_at", sa.DateTime(), nullable=True),
        sa.Column("next_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_facts_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_facts")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    with op.batch_alter_table("report_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_facts_class", ["system_id", "result_class", "date"], unique=False
        )
        batch_op.create_index("ix_report_facts_date", ["date"], unique=False)
        batch_op.create_index("ix_report_facts_dup_prev_at", ["dup_prev_at"], unique=False)
        batch_op.create_index("ix_report_facts_fail2_at", ["fail2_at"], unique=False)
        batch_op.create_index("ix_report_facts_fail_at", ["fail_at"], unique=False)
        batch_op.create_index("ix_report_facts_key", ["change_id", "ps_number"], unique=False)
        batch_op.create_index(
            "ix_report_facts_last", ["system_id", "project_id", "known", "date"], unique=False
        )
        batch_op.create_index("ix_report_facts_prev_at", ["prev_at"], unique=False)
        batch_op.create_index("ix_report_facts_system_id_date", ["system_id", "date"], unique=False)

    op.drop_table("system_days")
    op.execute("INSERT INTO engine_state (id) VALUES (1)")
    with op.batch_alter_table("patchsets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lifetime_s", sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table("patchsets", schema=None) as batch_op:
        batch_op.drop_column("lifetime_s")

    op.create_table(
        "system_days",
        sa.Column("id", sa.INTEGER(), nullable=False),
        sa.Column("system_id", sa.INTEGER(), nullable=False),
        sa.Column("project_id", sa.INTEGER(), nullable=False),
        sa.Column("day", sa.DATE(), nullable=False),
        sa.Column("reports", sa.INTEGER(), nullable=False),
        sa.Column("success", sa.INTEGER(), nullable=False),
        sa.Column("failure", sa.INTEGER(), nullable=False),
        sa.Column("error", sa.INTEGER(), nullable=False),
        sa.Column("other", sa.INTEGER(), nullable=False),
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
    with op.batch_alter_table("report_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_report_facts_system_id_date")
        batch_op.drop_index("ix_report_facts_prev_at")
        batch_op.drop_index("ix_report_facts_last")
        batch_op.drop_index("ix_report_facts_key")
        batch_op.drop_index("ix_report_facts_fail_at")
        batch_op.drop_index("ix_report_facts_fail2_at")
        batch_op.drop_index("ix_report_facts_dup_prev_at")
        batch_op.drop_index("ix_report_facts_date")
        batch_op.drop_index("ix_report_facts_class")

    op.drop_table("report_facts")
    with op.batch_alter_table("recheck_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_recheck_facts_date")
        batch_op.drop_index("ix_recheck_facts_change_id")

    op.drop_table("recheck_facts")
    with op.batch_alter_table("patchset_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_patchset_facts_system_project")
        batch_op.drop_index("ix_patchset_facts_first_at")
        batch_op.drop_index("ix_patchset_facts_created")
        batch_op.drop_index(batch_op.f("ix_patchset_facts_change_id"))

    op.drop_table("patchset_facts")
    op.drop_table("system_hours")
    op.drop_table("system_projects")
    op.drop_table("system_status")
    op.drop_table("status_hours")
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_status_changes_system_id_at")
        batch_op.drop_index("ix_status_changes_at")

    op.drop_table("status_changes")
    op.drop_table("project_hours")
    with op.batch_alter_table("long_spans", schema=None) as batch_op:
        batch_op.drop_index("ix_long_spans_day")
        batch_op.drop_index("ix_long_spans_change_id")

    op.drop_table("long_spans")
    op.drop_table("latency_blocks")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_system_id"))
        batch_op.drop_index("ix_events_at")

    op.drop_table("events")
    op.drop_table("engine_state")
    with op.batch_alter_table("agreement_events", schema=None) as batch_op:
        batch_op.drop_index("ix_agreement_events_m")
        batch_op.drop_index("ix_agreement_events_key")
        batch_op.drop_index("ix_agreement_events_e_lo")
        batch_op.drop_index("ix_agreement_events_e_hi")

    op.drop_table("agreement_events")
