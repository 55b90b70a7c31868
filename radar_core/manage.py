"""radar-db-manage: create and migrate Radar's database."""

import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from radar_core import config, migration
from radar_core.db import make_engine


def _engine(config_files):
    conf = config.parse_files(config_files)
    return make_engine(conf.database.connection, conf.database.pool_recycle)


def _run(action):
    try:
        action()
    except SQLAlchemyError as exc:
        message = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        click.echo(f"radar-db-manage: database error: {message}", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Create and migrate Radar's database.

    Example: radar-db-manage upgrade head --config-file /etc/radar/radar.conf
    """


@main.command()
@click.argument("revision", default="head")
@config.CONFIG_FILE_OPTION
def upgrade(revision, config_files):
    """Upgrade the schema to REVISION (default: head)."""
    engine = _engine(config_files)
    _run(lambda: migration.upgrade(engine, revision))
    click.echo(f"database at {migration.current_revision(engine)}")


@main.command()
@click.argument("revision")
@config.CONFIG_FILE_OPTION
def downgrade(revision, config_files):
    """Downgrade the schema to REVISION ('base' removes every table)."""
    engine = _engine(config_files)
    _run(lambda: migration.downgrade(engine, revision))
    click.echo(f"database at {migration.current_revision(engine) or 'base'}")


@main.command()
@config.CONFIG_FILE_OPTION
def current(config_files):
    """Print the schema revision of the database."""
    engine = _engine(config_files)
    _run(lambda: click.echo(migration.current_revision(engine) or "base (empty database)"))
