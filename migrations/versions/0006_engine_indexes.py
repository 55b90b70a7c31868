"""engine indexes: a project's patchsets by creation time, the counters' timestamps by system

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:50:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


BY_SYSTEM = {
    "report_facts": ("prev_at", "fail_at", "fail2_at", "dup_prev_at"),
    "recheck_facts": ("date",),
    "agreement_events": ("m", "e_lo", "e_hi"),
}


def upgrade():
    op.create_index("ix_patchsets_project_id_created", "patchsets", ["project_id", "created"])
    for table, columns in BY_SYSTEM.items():
        for column in columns:
            op.create_index(f"ix_{table}_system_id_{column}", table, ["system_id", column])


def downgrade():
    for table, columns in BY_SYSTEM.items():
        for column in columns:
            op.drop_index(f"ix_{table}_system_id_{column}", table_name=table)
    if op.get_bind().dialect.name != "sqlite":
        # MariaDB dropped the index it made for the foreign key on project_id when this one
        # could serve it instead: the key needs one back first.
        op.create_index("fk_patchsets_project_id_projects", "patchsets", ["project_id"])
    op.drop_index("ix_patchsets_project_id_created", table_name="patchsets")
