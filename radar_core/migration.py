"""Alembic driven from Radar's configuration; works from an installed package."""

from contextlib import contextmanager
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine


class MigrationError(Exception):
    """A migration would leave the database inconsistent; nothing was committed."""


def alembic_config(url: str | None = None, connection=None) -> Config:
    script_location = str(resources.files("radar_migrations"))
    config = Config()
    config.set_main_option("script_location", script_location)
    if url:
        # ConfigParser interpolation would choke on a '%' in a password.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head"):
    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection=connection), revision)


def downgrade(engine: Engine, revision: str):
    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection=connection), revision)


@contextmanager
def _migrating(engine: Engine):
    """One transaction; on SQLite with foreign keys off while tables are rebuilt.

    SQLite's batch mode copies a table and drops the original, which fails on a
    database with rows while foreign keys are enforced; the pragma only takes
    effect outside a transaction, and the keys are checked before committing.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.execute(text("PRAGMA foreign_key_check")).first()
                    if broken is not None:
                        raise MigrationError(f"migration broke a foreign key: {tuple(broken)}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
