"""radar-collector: poll Gerrit every poll_interval, once, or backfill a period."""

import logging
import os
import signal
import sys
import threading
from datetime import datetime, timedelta

import click
from sqlalchemy.exc import SQLAlchemyError

from radar_collector.gerrit import GerritClient, GerritError
from radar_collector.poller import Poller, PollSettings, _one_line, utcnow
from radar_core import config, migration
from radar_core.alerts.deliver import Notifier
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


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


PROG = "radar-collector"


def fail(message: str, status: int = 1):
    click.echo(f"{PROG}: {message}", err=True)
    sys.exit(status)


def database_problem(engine) -> str | None:
    """None when the database answers with the current schema, else one line saying why not."""
    try:
        current = migration.current_revision(engine)
    except SQLAlchemyError as exc:
        return f"cannot reach the database: {str(getattr(exc, 'orig', exc)).splitlines()[0]}"
    if current != migration.head_revision():
        return (
            "the database schema is not up to date: run 'radar-db-manage upgrade head' "
            "with the same --config-file"
        )
    return None


def build_poller(conf, check_database: bool = True) -> Poller:
    """The poller of ``conf``; exits 2 on a configuration error, and 1 when ``check_database``
    finds the database unreachable or behind (the daemon waits for it instead)."""
    if not conf.gerrit.url:
        fail("[gerrit] url is not set in the configuration", status=2)
    try:
        client = GerritClient(
            conf.gerrit.url,
            conf.gerrit.username,
            conf.gerrit.password,
            timeout=conf.gerrit.timeout,
            retries=conf.gerrit.retries,
        )
    except GerritError as exc:
        fail(f"[gerrit] url: {exc}", status=2)
    engine = make_engine(conf.database.connection, **config.database_options(conf, collector=True))
    problem = database_problem(engine) if check_database else None
    if problem:
        fail(problem)
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
    alerts = config.alert_settings(conf)
    poller = Poller(engine, client, settings, health=config.engine_settings(conf), alerts=alerts)
    poller.notifier = Notifier(engine, alerts, poller.name)
    return poller


def load_config(config_files):
    try:
        return config.load(config_files)
    except config.ConfigError as exc:
        config.exit_on_error(PROG, exc)


def failure_line(outcomes) -> str | None:
    """One line saying which polls failed and why, or None when none did."""
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if not failed:
        skipped = [outcome for outcome in outcomes if outcome.skipped]
        for outcome in skipped:  # not a failure, but never silent
            click.echo(f"{PROG}: poll of {outcome.query} skipped: {outcome.message}", err=True)
        return None
    if len(outcomes) == 1:
        return f"poll of {failed[0].query} failed: {failed[0].message}"
    reasons = "; ".join(f"{outcome.query}: {outcome.message}" for outcome in failed)
    return f"{len(failed)} of {len(outcomes)} polls failed: {reasons}"


def setup_logging(verbose: bool, quiet: bool) -> None:
    """The daemon logs at INFO; ``--once`` and backfill say only their result unless -v."""
    level = logging.INFO if verbose or not quiet else logging.CRITICAL + 1
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@config.config_file_option
@click.option("--once", is_flag=True, help="Poll once and exit (0 on success, 1 on failure).")
@click.option("-v", "--verbose", is_flag=True, help="Log every poll at INFO level.")
@click.pass_context
def main(ctx, config_files, once, verbose):
    """Poll Gerrit and store CI reports.

    Without a command, polls every [collector] poll_interval seconds until SIGTERM or Ctrl-C.

    Example: radar-collector --config-file /etc/radar/radar.conf --once
    """
    setup_logging(verbose, quiet=once or ctx.invoked_subcommand is not None)
    if ctx.invoked_subcommand is not None:
        return
    conf = load_config(config_files)
    if not once and conf.gerrit.stream_events:
        check_stream_options(conf)
    poller = build_poller(conf, check_database=once)
    if once:
        # SIGTERM ends the poll through its ``finally``, which releases the lock.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        problem = failure_line(poller.poll_all())
        # One round of deliveries after the poll; what fails is retried by the next run.
        poller.notifier.run_once(budget=conf.alerts.timeout)
        if problem:
            fail(problem)
        sys.exit(0)
    stop = Stop()
    stop.install()
    poller.notifier.start()
    if conf.gerrit.stream_events:
        run_sources(conf, poller, stop)
        poller.notifier.stop()
        return
    LOG.info("polling %s every %ss", conf.gerrit.url, conf.collector.poll_interval)
    run_daemon(poller, conf.collector.poll_interval, stop.event)
    poller.notifier.stop()
    LOG.info("stopped")


RETRY_FIRST = 5.0  # seconds before the first retry of a failed poll; doubled up to the interval


def retry_delay(failures: int, interval: float) -> float:
    """Seconds to the next poll after ``failures`` failed rounds in a row (0: the interval)."""
    if failures <= 0:
        return interval
    return min(interval, RETRY_FIRST * 2 ** min(failures - 1, 30))


def run_daemon(poller: Poller, interval: float, stop: threading.Event, wait=None) -> None:
    """Poll until ``stop`` is set, through any database or Gerrit outage.

    Each failed round logs one line (the poll's, or why the database is not usable) and the
    next one comes sooner, backing off up to the poll interval; the first round that works
    brings the collector back to its pace. ``wait(seconds)`` is ``stop.wait`` unless given.
    """
    wait = wait or stop.wait
    failures = 0
    ready = False  # the schema is checked until it is found current once
    while not stop.is_set():
        try:
            problem = None if ready else database_problem(poller.engine)
            if problem:
                LOG.error("%s; retrying", problem)
                failed = True
            else:
                ready = True
                outcomes = poller.poll_all()  # each poll logs its outcome in one line
                failed = any(not outcome.ok for outcome in outcomes)
        except Exception as exc:  # a bug must not stop the daemon either
            LOG.error("poll round failed: %s", _one_line(exc))
            failed = True
        failures = failures + 1 if failed else 0
        wait(retry_delay(failures, interval))


def check_stream_options(conf) -> None:
    """[gerrit] stream_events needs an SSH address, a user and a readable key file."""
    from radar_collector.stream import parse_ssh_url

    missing = [name for name in ("ssh_url", "ssh_username", "ssh_key_file")
               if not getattr(conf.gerrit, name)]
    if missing:
        fail(f"[gerrit] stream_events = true needs {', '.join(missing)}", status=2)
    try:
        parse_ssh_url(conf.gerrit.ssh_url)
    except ValueError as exc:
        fail(f"[gerrit] ssh_url: {exc}", status=2)
    if not os.access(conf.gerrit.ssh_key_file, os.R_OK):
        fail(f"[gerrit] ssh_key_file: cannot read {conf.gerrit.ssh_key_file}", status=2)


def build_stream(conf, poller: Poller):
    """The event-stream source of [gerrit] ssh_url, ssh_username and ssh_key_file."""
    from radar_collector.stream import StreamSettings, StreamSource

    check_stream_options(conf)
    settings = StreamSettings(
        ssh_url=conf.gerrit.ssh_url,
        username=conf.gerrit.ssh_username,
        key_file=conf.gerrit.ssh_key_file,
        known_hosts=conf.gerrit.ssh_known_hosts,
        min_engine_interval=conf.collector.min_engine_interval,
        ci_accounts=list(conf.collector.ci_accounts),
        auto_detect=not conf.collector.ci_accounts and not conf.collector.ci_group,
    )
    return StreamSource(poller.engine, settings, poller.health, poller.name)


def run_sources(conf, poller: Poller, stop: Stop) -> None:
    """The REST poll and the event stream, each in its own thread, until SIGTERM."""
    from radar_collector import sources

    stream = build_stream(conf, poller)
    rest = sources.RestSource(lambda event: run_daemon(poller, conf.collector.poll_interval, event))
    LOG.info("polling %s every %ss and following its event stream at %s", conf.gerrit.url,
             conf.collector.poll_interval, conf.gerrit.ssh_url)
    threads = sources.start([rest, stream], stop.event)
    while not stop.event.wait(1):
        pass
    for thread in threads:
        thread.join(timeout=60)
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
@config.config_file_option
def backfill(since: datetime, until: datetime | None, config_files):
    """Collect a past period day by day, with a progress bar.

    Each day is stored in its own transaction, so an interrupted backfill keeps the days done.

    Example: radar-collector --config-file radar.conf backfill --since 2026-01-01
    """
    from tqdm import tqdm

    conf = load_config(config_files)
    poller = build_poller(conf)
    if since >= (until or utcnow()):
        fail("--since must be before --until (or now)", status=2)
    days = list(poller.backfill_days(since, until))
    stop = Stop()
    stop.install()
    failed = reports = 0
    with tqdm(total=len(days) * len(poller.queries()), unit="day", file=sys.stderr) as bar:
        for start, before in days:
            for query in poller.queries():
                if stop.event.is_set():
                    fail("interrupted")
                outcome = poller.poll(query, since=start, before=before)
                failed += not outcome.ok
                reports += outcome.counts.reports
                bar.set_postfix(reports=reports, failures=failed)
                bar.update(1)
    poller.evaluate()  # the status of every hour the backfill filled in, once
    poller.notifier.run_once(budget=conf.alerts.timeout)  # what is open now, told once
    click.echo(f"backfill done: {reports} reports stored, {failed} failed days")
    sys.exit(1 if failed else 0)
