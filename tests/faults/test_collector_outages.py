"""The collector daemon through database and Gerrit outages: it logs one line per failed poll,
backs off, and reaches the simulator's truth again by itself, without losing or doubling a
report."""

import logging
import threading

import pytest

from radar_collector.cmd import RETRY_FIRST, retry_delay, run_daemon
from radar_core.db import make_engine
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from tests.e2e.test_collector import assert_matches_truth, make_poller

pytestmark = pytest.mark.mysql
INTERVAL = 300


@pytest.fixture
def simulator():
    with GerritSimulator(Scenario.generate(seed=11, days=2, changes_per_day=3)) as sim:
        yield sim


def test_retry_delay_backs_off_up_to_the_interval():
    assert retry_delay(0, INTERVAL) == INTERVAL
    assert [retry_delay(n, INTERVAL) for n in (1, 2, 3)] == [RETRY_FIRST, 2 * RETRY_FIRST, 20]
    assert retry_delay(50, INTERVAL) == INTERVAL


def run_script(poller, steps):
    """Run the daemon; before each wait, call the next step; returns the delays waited."""
    stop = threading.Event()
    delays = []
    steps = list(steps)

    def wait(delay):
        delays.append(delay)
        if steps:
            steps.pop(0)()
        if not steps:
            stop.set()

    run_daemon(poller, INTERVAL, stop, wait=wait)
    return delays


def errors_of(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_daemon_survives_the_database_going_away(proxy_db, simulator, caplog):
    proxy, url = proxy_db
    engine = make_engine(url, connect_timeout=2, read_timeout=2)
    poller = make_poller(engine, simulator)
    poller.settings.backfill_days = 3
    proxy.down()  # the daemon starts while the database is down: it waits for it
    seen = {}

    def note(name):
        seen[name] = [r.getMessage() for r in errors_of(caplog)]
        caplog.clear()

    def recovered():
        note("down at start")
        proxy.up()

    def first_poll_done():
        assert_matches_truth(engine, simulator)
        proxy.down()

    def outage_continues():
        note("first outage")
        simulator.scenario.advance(6)

    def back():
        note("second outage")
        proxy.up()

    def caught_up():
        assert_matches_truth(engine, simulator)  # nothing lost, nothing twice
        simulator.inject("http500", count=3)  # a Gerrit outage: every try of one request

    with caplog.at_level(logging.INFO):
        delays = run_script(
            poller,
            [recovered, first_poll_done, outage_continues, back, caught_up, lambda: note("gerrit")],
        )
    assert delays == [RETRY_FIRST, INTERVAL, RETRY_FIRST, 2 * RETRY_FIRST, INTERVAL, RETRY_FIRST]
    [line] = seen["down at start"]
    assert "cannot reach the database" in line
    for name in ("first outage", "second outage"):
        [line] = seen[name]  # one line per failed poll, no traceback
        assert line.startswith("poll of all failed: OperationalError") and "\n" not in line
    gerrit = [line for line in seen["gerrit"] if line.startswith("poll of")]
    assert len(gerrit) == 1 and "HTTP 5" in gerrit[0]
    simulator.scenario.advance(3)
    [outcome] = poller.poll_all()
    assert outcome.ok
    assert_matches_truth(engine, simulator)
    engine.dispose()
