"""radar-demo: a simulated Gerrit, the collector and the API, all in one process."""

import logging
import os
import signal
import sys
import threading
import time
from datetime import timedelta

import click
from sqlalchemy import func, select

from radar_core import models
from radar_core.db import transaction
from radar_demo.stack import Stack


def summary(engine) -> str:
    with transaction(engine) as session:
        count = {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in [("changes", models.Change), ("patchsets", models.Patchset),
                                ("systems", models.CISystem), ("rechecks", models.Recheck)]
        }
        count["reports"] = session.scalar(
            select(func.count()).select_from(models.Report).where(models.Report.kind == "report"))
    return ("collected {changes} changes, {patchsets} patchsets, {reports} reports, "
            "{rechecks} rechecks from {systems} CI systems").format(**count)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", default="demo-data", show_default=True,
              help="Where the demo's SQLite database lives (recreated at every start).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the API.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the API and dashboard (0 picks a free one).")
@click.option("--seed", default=42, show_default=True, help="Seed of the simulated world.")
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 60),
              help="Days of simulated history.")
@click.option("--poll-interval", default=60, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds between two polls; simulated time follows real time.")
@click.option("--no-serve", is_flag=True, help="Collect once, print the summary and exit.")
@click.option(
    "--gerrit-only",
    is_flag=True,
    help="Serve only the simulated Gerrit at --host and --port (for trying a real deployment).",
)
@click.option("--gerrit-username", help="With --gerrit-only: the HTTP user /a/ requires.")
@click.option("--gerrit-password", help="With --gerrit-only: that user's HTTP password.")
def main(data_dir, host, port, seed, days, poll_interval, no_serve, gerrit_only,
         gerrit_username, gerrit_password):
    """Run Radar against a simulated Gerrit with a dozen third-party CI systems.

    Example: radar-demo --port 8080, then open http://127.0.0.1:8080/
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if gerrit_only:
        serve_gerrit(host, port, seed, days, gerrit_username, gerrit_password)
        return
    os.makedirs(data_dir, exist_ok=True)
    database = os.path.abspath(os.path.join(data_dir, "radar.sqlite"))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            os.remove(database + suffix)
    stack = Stack(f"sqlite:///{database}", seed=seed, days=days, api_port=port,
                  poll_interval=poll_interval)
    click.echo(f"simulated Gerrit: {days} days of activity, seed {seed}")
    try:
        stack.start(serve_api=False)
    except OSError as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    click.echo(f"simulated Gerrit at {stack.simulator.url}")
    outcomes = stack.poll()
    if not all(outcome.ok for outcome in outcomes):
        stack.stop()
        raise click.ClickException("; ".join(o.message for o in outcomes if not o.ok))
    click.echo(summary(stack.engine))
    click.echo(f"database: {database}")
    if no_serve:
        stack.stop()
        return
    serve(stack, host, port, poll_interval)


def serve_gerrit(host, port, seed, days, username, password):
    """The simulated Gerrit alone; its time follows real time, a minute at a time."""
    from radar_demo.scenario import Scenario
    from radar_demo.server import GerritSimulator

    scenario = Scenario.generate(seed=seed, days=days)
    simulator = GerritSimulator(scenario, host=host, port=port, username=username,
                                password=password)
    try:
        simulator.start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    click.echo(f"simulated Gerrit: {days} days of activity, seed {seed}, at {simulator.url}")
    _until_stopped(lambda hours: scenario.advance(hours), 60)
    simulator.stop()


def _until_stopped(advance, interval: int):
    """Call ``advance(hours elapsed)`` every ``interval`` seconds until SIGINT or SIGTERM."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    last = time.monotonic()
    while not stop.wait(interval):
        now = time.monotonic()
        advance((now - last) / 3600)
        last = now


def serve(stack: Stack, host: str, port: int, poll_interval: int):
    from radar_demo.stack import ApiServer

    try:
        stack.api = ApiServer(stack.make_app(), host=host, port=port).start()
    except OSError as exc:
        stack.stop()
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({exc.strerror}); try --port 0") from None
    click.echo(f"Radar dashboard: {stack.api.url}/")
    click.echo(f"leaderboard:     curl '{stack.api.url}/v1/systems?window=7d'")
    click.echo("press Ctrl-C to stop")
    _until_stopped(lambda hours: stack.advance(timedelta(hours=hours)), poll_interval)
    stack.stop()
    click.echo("stopped")
    sys.exit(0)
