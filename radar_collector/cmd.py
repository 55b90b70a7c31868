"""radar-collector: poll Gerrit every poll_interval, once, or backfill a period."""

import logging
import signal
import sys
import threading
from datetime import datetime, timedelta

import click
from sqlalchemy.exc import SQLAlchemyError

from radar_collector.gerrit import GerritClient
from radar_collector.poller import Poller, PollSettings, utcnow
from radar_core import config, migration
from radar_core.db import make_engine

LOG = logging.getLogger("radar_collector")


class Stop:
    """Set by SIGTERM or Ctrl-C; a poll in progress finishes its commit first."""

    def __init__(self):
        self.event = threading.Event()

    def install(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)

    def _handle(self, signum, _frame):
        LOG.info("%s received: stopping after the current poll", signal.Signals(signum).name)
        self.event.set()


def fail(message: str):
    click.echo(f"radar-collector: {message}", err=True)
    sys.exit(1)


def build_poller(conf) -> Poller:
    if not conf.gerrit.url:
        fail("[gerrit] url is not set in the configuration")
    engine = make_engine(conf.database.connection, conf.database.pool_recycle)
    try:
        current = migration.current_revision(engine)
    except SQLAlchemyError as exc:
        fail(f"cannot reach the database: {str(getattr(exc, 'orig', exc)).splitlines()[0]}")
    if current != migration.head_revision():
        fail(
            "the database schema is not up to date: run 'radar-db-manage upgrade head' "
            "with the same --config-file"
        )
    client = GerritClient(
        conf.gerrit.url,
        conf.gerrit.username,
        conf.gerrit.password,
        timeout=conf.gerrit.timeout,
        retries=conf.gerrit.retries,
    )
    settings = PollSettings(
        projects=list(conf.gerrit.projects),
        page_size=conf.gerrit.page_size,
        ci_accounts=list(conf.collector.ci_accounts),
        ci_group=conf.collector.ci_group,
        reference_account=conf.health.reference_account,
        backfill_days=conf.collector.backfill_days,
        overlap=timedelta(seconds=conf.collector.poll_overlap),
        lock_timeout=timedelta(seconds=conf.collector.lock_timeout),
    )
    return Poller(engine, client, settings)


def load_config(config_files):
    try:
        return config.parse_files(config_files)
    except Exception as exc:  # oslo.config raises many types, all of them user errors here
        fail(f"bad configuration: {exc}")


def run_once(poller: Poller) -> bool:
    outcomes = poller.poll_all()
    for outcome in outcomes:
        if not outcome.ok:
            click.echo(
                f"radar-collector: poll of {outcome.query} failed: {outcome.message}", err=True
            )
    return all(outcome.ok for outcome in outcomes)




@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@config.CONFIG_FILE_OPTION
@click.option("--once", is_flag=True, help="Poll once and exit (0 on success, 1 on failure).")
@click.option("-v", "--verbose", is_flag=True, help="Log every poll at INFO level.")
@click.pass_context
def main(ctx, config_files, once, verbose):
    """Poll Gerrit and store CI reports.

    Without a command, polls every [collector] poll_interval seconds until SIGTERM or Ctrl-C.

    Example: radar-collector --config-file /etc/radar/radar.conf --once
    """
    logging.basicConfig(
        level=logging.INFO if verbose or not once else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.ensure_object(dict)
    ctx.obj["config_files"] = config_files
    if ctx.invoked_subcommand is not None:
        return
    conf = load_config(config_files)
    poller = build_poller(conf)
    if once:
        sys.exit(0 if run_once(poller) else 1)
    stop = Stop()
    stop.install()
    LOG.info("polling %s every %ss", conf.gerrit.url, conf.collector.poll_interval)
    while not stop.event.is_set():
        run_once(poller)
        stop.event.wait(conf.collector.poll_interval)
    LOG.info("stopped")


@main.command()
@click.option(
    "--since",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day to collect (UTC), YYYY-MM-DD.",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Day after the last one to collect (default: now).",
)
@config.CONFIG_FILE_OPTION
@click.pass_context
def backfill(ctx, since: datetime, until: datetime | None, config_files):
    """Collect a past period day by day, with a progress bar.

    Each day is stored in its own transaction, so an interrupted backfill keeps the days done.

    Example: radar-collector --config-file radar.conf backfill --since 2026-01-01
    """
    from tqdm import tqdm

    conf = load_config(config_files or ctx.obj["config_files"])
    poller = build_poller(conf)
    end = until or utcnow()
    if since >= end:
        fail("--since must be before --until (or now)")
    days = []
    day = since
    while day < end:
        days.append((day, min(day + timedelta(days=1), end)))
        day += timedelta(days=1)
    stop = Stop()
    stop.install()
    failures = 0
    reports = 0
    with tqdm(total=len(days) * len(poller.queries()), unit="day", file=sys.stderr) as bar:
        for start, stop_at in days:
            last = until is None and stop_at == end
            for query in poller.queries():
                if stop.event.is_set():
                    fail("interrupted")
                outcome = poller.poll(query, since=start, before=None if last else stop_at)
                failures += not outcome.ok
                reports += outcome.counts.reports
                bar.set_postfix(reports=reports, failures=failures)
                bar.update(1)
    click.echo(f"backfill done: {reports} reports stored, {failures} failed days")
    sys.exit(1 if failures else 0)
