"""Migrations on SQLite and MariaDB: up, down to base, up again, and equal to the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from radar_core import migration
from radar_core.db import make_engine
from radar_core.models import Base


def _tables(engine):
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        migration.upgrade(engine)
        assert migration.current_revision(engine) == migration.head_revision()
        assert _tables(engine) == set(Base.metadata.tables)
        migration.downgrade(engine, "base")
        assert migration.current_revision(engine) is None
        assert _tables(engine) == set()
        migration.upgrade(engine)
        assert _tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_models_match_migrations(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_mysql_tables_use_utf8mb4(engine):
    if engine.dialect.name not in ("mysql", "mariadb"):
        return
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT table_name, table_collation FROM information_schema.tables "
            "WHERE table_schema = DATABASE()"
        ).all()
    assert rows and all(collation.startswith("utf8mb4") for _name, collation in rows)
