"""radar-db-manage: create and migrate Radar's database."""

import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from radar_core import config, migration
from radar_core.db import make_engine

PROG = "radar-db-manage"


def _engine(config_files):
    try:
        conf = config.load(config_files)
    except config.ConfigError as exc:
        config.exit_on_error(PROG, exc)
    # Migrations may run long: only connecting is bounded.
    return make_engine(
        conf.database.connection,
        conf.database.pool_recycle,
        connect_timeout=conf.database.connect_timeout,
    )


def _run(action):
    try:
        action()
    except SQLAlchemyError as exc:
        message = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        click.echo(f"{PROG}: database error: {message}", err=True)
        sys.exit(1)
    except migration.MigrationError as exc:
        click.echo(f"{PROG}: {exc}", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@config.config_file_option
def main(config_files):
    """Create and migrate Radar's database.

    --config-file may stand before or after the command.

    Example: radar-db-manage --config-file /etc/radar/radar.conf upgrade head
    """


@main.command()
@click.argument("revision", default="head")
@config.config_file_option
def upgrade(revision, config_files):
    """Upgrade the schema to REVISION (default: head)."""
    engine = _engine(config_files)
    _run(lambda: migration.upgrade(engine, revision))
    click.echo(f"database at {migration.current_revision(engine)}")


@main.command()
@click.argument("revision")
@config.config_file_option
def downgrade(revision, config_files):
    """Downgrade the schema to REVISION ('base' removes every table)."""
    engine = _engine(config_files)
    _run(lambda: migration.downgrade(engine, revision))
    click.echo(f"database at {migration.current_revision(engine) or 'base'}")


@main.command()
@config.config_file_option
def current(config_files):
    """Print the schema revision of the database."""
    engine = _engine(config_files)
    _run(lambda: click.echo(migration.current_revision(engine) or "base (empty database)"))
