"""The poll lock: renewed while a poll runs, said so when found held, and a killed collector's
lock is taken over once it expires (one lock timeout, not 30 minutes)."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, timedelta

import pytest
import time_machine
from sqlalchemy import select

from radar_core import models
from radar_core.db import transaction
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from tests.e2e.test_collector import assert_matches_truth, make_poller, sqlite_engine

LOCK = timedelta(seconds=3)
__all__ = ["sqlite_engine"]  # a fixture


@pytest.fixture
def simulator():
    with GerritSimulator(Scenario.generate(seed=9, days=2, changes_per_day=4)) as sim:
        yield sim


def lock_state(engine):
    with transaction(engine) as session:
        return session.scalars(select(models.PollState)).one()


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_lock_is_renewed_while_a_poll_runs(sqlite_engine, simulator):
    simulator.slow_seconds = 2.5
    simulator.inject("slow")  # the first request takes 2.5 s: longer than a renewal period
    first = make_poller(sqlite_engine, simulator, timeout=10)
    first.settings.lock_timeout = LOCK
    outcome = {}
    polling = threading.Thread(target=lambda: outcome.update(ok=first.poll_all()[0]))
    polling.start()
    wait_for(lambda: simulator.requests > 0)
    taken = lock_state(sqlite_engine).locked_until
    wait_for(lambda: lock_state(sqlite_engine).locked_until > taken)  # renewed

    second = make_poller(sqlite_engine, simulator)
    second.name = "other-collector"
    [skipped] = second.poll_all()
    assert skipped.skipped and skipped.message.startswith("locked by test until ")
    polling.join()
    assert outcome["ok"].ok, outcome["ok"].message
    state = lock_state(sqlite_engine)
    assert state.locked_by is None  # released
    with transaction(sqlite_engine) as session:
        logs = session.scalars(select(models.PollLog).order_by(models.PollLog.id)).all()
    assert [(log.collector, log.outcome) for log in logs] == [
        ("other-collector", "skipped"),
        ("test", "ok"),
    ]
    assert logs[0].message == skipped.message
    assert_matches_truth(sqlite_engine, simulator)


def write_config(tmp_path, simulator):
    # A lock that cannot expire while the test runs, however slow the machine: its expiry is
    # reached by moving the clock.
    path = tmp_path / "radar.conf"
    path.write_text(
        f"[database]\nconnection = sqlite:///{tmp_path / 'radar.sqlite'}\n"
        f"[gerrit]\nurl = {simulator.url}\ntimeout = 30\nretries = 0\npage_size = 7\n"
        f"[collector]\nci_group = third-party-ci\nbackfill_days = 3\nlock_timeout = 600\n"
    )
    return str(path)


COLLECTOR = [sys.executable, "-c", "from radar_collector.cmd import main; main()"]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_collector_killed_mid_poll(tmp_path, sqlite_engine, simulator, how):
    """SIGTERM releases the lock at once; after kill -9 it expires after lock_timeout, and a
    new collector then reaches the truth in one poll."""
    conf = write_config(tmp_path, simulator)
    engine = sqlite_engine  # the database of the configuration
    simulator.slow_seconds = 20
    simulator.inject("slow")
    process = subprocess.Popen(COLLECTOR + ["--config-file", conf, "--once"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: simulator.requests > 0, seconds=60)  # mid-poll, holding the lock
        assert lock_state(engine).locked_by.endswith(f":{process.pid}")
        os.kill(process.pid, how)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert "Traceback" not in stderr
    simulator.slow_seconds = 0
    poller = make_poller(engine, simulator)
    poller.name = "new-collector"
    poller.settings.backfill_days = 3
    held = lock_state(engine)
    if how == signal.SIGTERM:
        assert held.locked_by is None  # released on the way out
    else:
        [skipped] = poller.poll_all()  # still held: said so
        assert skipped.skipped and f":{process.pid} until " in skipped.message
        once = subprocess.run(COLLECTOR + ["--config-file", conf, "--once"],
                              capture_output=True, text=True, timeout=120)
        [line] = once.stderr.splitlines()  # --once says so too, in one line
        assert once.returncode == 0 and "poll of all skipped: locked by " in line
        expired = held.locked_until.replace(tzinfo=UTC) + timedelta(seconds=1)
        with time_machine.travel(expired, tick=True):  # lock_timeout later, without waiting
            [outcome] = poller.poll_all()
        assert outcome.ok and not outcome.skipped, outcome.message
    [outcome] = poller.poll_all()
    assert outcome.ok and not outcome.skipped, outcome.message
    assert_matches_truth(engine, simulator)
