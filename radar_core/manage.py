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


@main.group()
def token():
    """API tokens for writes (silences, operator contacts)."""


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@token.command("create")
@click.option("--name", required=True, help="Who or what uses the token, e.g. ops or a bot.")
@config.config_file_option
def token_create(name, config_files):
    """Create a token and print it: it is shown this once, and stored hashed.

    Example: radar-db-manage --config-file radar.conf token create --name ops
    """
    from radar_core import tokens
    from radar_core.db import transaction

    engine = _engine(config_files)
    made = []

    def create():
        with transaction(engine) as session:
            made.append(tokens.create(session, name, _now()))

    try:
        _run(create)
    except ValueError as exc:
        click.echo(f"{PROG}: {exc}", err=True)
        sys.exit(2)
    click.echo(made[0])


@token.command("list")
@config.config_file_option
def token_list(config_files):
    """List tokens (id, name, created, revoked, last used); never the tokens themselves."""
    from radar_core import tokens

    engine = _engine(config_files)

    def show():
        with engine.connect() as conn:
            rows = tokens.listing(conn)
        click.echo(f"{'ID':>4}  {'NAME':<24} {'CREATED':<20} {'REVOKED':<20} LAST USED")
        for row in rows:
            click.echo(f"{row.id:>4}  {row.name:<24} {_when(row.created_at):<20} "
                       f"{_when(row.revoked_at):<20} {_when(row.last_used_at)}")

    _run(show)


def _when(value) -> str:
    return value.isoformat(sep=" ", timespec="minutes") if value else "-"


@token.command("revoke")
@click.argument("key")
@config.config_file_option
def token_revoke(key, config_files):
    """Revoke the token(s) with this id or name; requests with them are then refused (401)."""
    from radar_core import tokens
    from radar_core.db import transaction

    engine = _engine(config_files)
    count = []

    def revoke():
        with transaction(engine) as session:
            count.append(tokens.revoke(session, key, _now()))

    _run(revoke)
    if not count[0]:
        click.echo(f"{PROG}: no live token {key!r}", err=True)
        sys.exit(1)
    click.echo(f"revoked {count[0]} token(s)")
