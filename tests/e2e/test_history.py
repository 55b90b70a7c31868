"""The hourly status history, its changes and status_since equal the truth's own hourly
evaluation: after one poll, after a backfill day by day, and after two collectors polled the
same database at once (SQLite and MariaDB)."""

import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from radar_collector.gerrit import GerritClient
from radar_collector.poller import Poller, PollSettings
from radar_core import models
from radar_core.engine.settings import EngineSettings
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from radar_demo.stack import ApiServer
from radar_demo.truth import expected_changes, expected_status_history, expected_status_since

DAYS = 5
SETTINGS = EngineSettings(reference_account="zuul")


@pytest.fixture(scope="module")
def world():
    """A simulated Gerrit and the truth's hourly history of its whole life."""
    scenario = Scenario.generate(seed=5, days=DAYS)
    with GerritSimulator(scenario) as simulator:
        start = scenario.start.replace(minute=0, second=0, microsecond=0)
        history = expected_status_history(scenario, start, scenario.end)
        yield simulator, history


@pytest.fixture
def database(engine):
    """A freshly migrated database of each backend: tests/conftest.py's ``engine``."""
    return engine


def poller(engine, simulator, name, page_size=25) -> Poller:
    client = GerritClient(simulator.url, timeout=10, retries=2, backoff=0.05)
    settings = PollSettings(projects=[], page_size=page_size, ci_group="third-party-ci",
                            reference_account="zuul", backfill_days=DAYS + 2)
    return Poller(engine, client, settings, name=name, health=SETTINGS)


def stored_history(engine):
    with engine.connect() as conn:
        hours = conn.execute(select(models.StatusHour.system_id, models.StatusHour.hour,
                                    models.StatusHour.status)).all()
        changes = conn.execute(select(models.StatusChange.system_id, models.StatusChange.at,
                                      models.StatusChange.from_status,
                                      models.StatusChange.to_status)).all()
    by_system = {}
    for system_id, hour, status in hours:
        by_system.setdefault(system_id, {})[hour] = status
    return by_system, changes


def assert_history_is_the_truth(engine, history):
    stored, changes = stored_history(engine)
    end = max(hour for truth in history.values() for hour, _ in truth)
    compared = 0
    for system_id, truth in history.items():
        for hour, status in truth:
            if hour in stored.get(system_id, {}):
                assert stored[system_id][hour] == status, (system_id, hour)
                compared += 1
        first = min(stored.get(system_id, {hour: None}))
        recorded = sorted((at, before, after) for s, at, before, after in changes
                          if s == system_id and before is not None and at <= end)
        wanted = [c for c in expected_changes(truth) if c[0] > first]
        assert recorded == wanted, system_id
    assert compared >= len(history) * 24 * (DAYS - 1)  # the whole life was evaluated


def test_history_after_one_poll(world, database):
    simulator, history = world
    outcomes = poller(database, simulator, "one").poll_all()
    assert all(outcome.ok for outcome in outcomes)
    assert_history_is_the_truth(database, history)


def test_history_after_a_backfill(world, database):
    simulator, history = world
    backfilling = poller(database, simulator, "backfill")
    start = simulator.scenario.start.replace(hour=0, minute=0, second=0)
    for since, before in backfilling.backfill_days(start):
        assert backfilling.poll("all", since=since, before=before).ok
    backfilling.evaluate()  # as radar-collector backfill does, once at the end
    assert_history_is_the_truth(database, history)


def test_history_after_two_collectors_at_once(world, database):
    simulator, history = world
    pollers = [poller(database, simulator, name, page_size=10) for name in ("left", "right")]
    outcomes = []
    threads = [threading.Thread(target=lambda p=p: outcomes.extend(p.poll_all()))
               for p in pollers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert outcomes and all(outcome.ok for outcome in outcomes), outcomes
    pollers[0].poll_all()  # whoever was skipped by the lock: now everything is stored
    assert_history_is_the_truth(database, history)


def test_status_since_in_the_api(world, database):
    simulator, history = world
    assert all(o.ok for o in poller(database, simulator, "api").poll_all())
    from radar_api.app import make_app
    from radar_core.service import Radar, Settings

    api = ApiServer(make_app(Radar(database, Settings(SETTINGS)))).start()
    try:
        # The last whole hour of the simulated life: the hourly history has it.
        until = simulator.scenario.end.replace(minute=0, second=0, microsecond=0)
        body = requests.get(f"{api.url}/v1/systems", timeout=60, params={
            "since": (until - timedelta(days=7)).isoformat(), "until": until.isoformat()}).json()
        stored, _ = stored_history(database)
        for system in body["systems"]:
            # The history starts at the first hour after the first data: so does "since".
            first = min(stored[system["id"]])
            truth = [(h, s) for h, s in history[system["id"]] if first <= h <= until]
            want = expected_status_since(truth, system["health"]["status"])
            assert system["health"]["status_since"] == want.isoformat() + "Z", system["username"]
        doom = next(s for s in simulator.scenario.systems if s.username == "doom-ci")
        changes = requests.get(f"{api.url}/v1/systems/doom-ci/history", timeout=60, params={
            "since": simulator.scenario.start.isoformat()}).json()["changes"]
        wanted = [(h.isoformat() + "Z", a, b) for h, a, b in expected_changes(history[doom.id])]
        assert [(c["at"], c["from"], c["to"]) for c in changes] == wanted
        assert all(isinstance(c["reasons"], list) for c in changes)
    finally:
        api.stop()
