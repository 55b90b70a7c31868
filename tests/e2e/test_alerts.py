"""Alerts end to end: the simulator's Gerrit makes systems fail or go silent, the collector
opens alerts, a silence resolves one, and real receivers on 127.0.0.1 (Apprise JSON and
Mattermost's Slack-style webhooks, SMTP through aiosmtpd, a webhook answering 500 twice, and
Debian's Alertmanager) get exactly one "opened" and one "resolved" each: across a collector
restart, with two collectors at once, after a re-poll and after a backfill."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from radar_collector.gerrit import GerritClient
from radar_collector.poller import Poller, PollSettings, utcnow
from radar_core import migration, models
from radar_core.alerts import silences
from radar_core.alerts.channels import AlertSettings, parse_channels
from radar_core.alerts.deliver import Notifier
from radar_core.db import make_engine, transaction
from radar_core.engine.settings import EngineSettings
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from tests.receivers import Alertmanager, HttpReceiver, SmtpReceiver

DAYS = 4
HEALTH = EngineSettings(reference_account="zuul")


@pytest.fixture(scope="module")
def simulator():
    with GerritSimulator(Scenario.generate(seed=5, days=DAYS, changes_per_day=4)) as sim:
        yield sim


@pytest.fixture
def database(engine):
    """A freshly migrated database of each backend: tests/conftest.py's ``engine``."""
    return engine


@pytest.fixture
def sqlite_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'radar.sqlite'}")
    migration.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def hooks():
    with HttpReceiver() as receiver:
        yield receiver


@pytest.fixture
def flaky():
    with HttpReceiver(fail_first=2) as receiver:
        yield receiver


@pytest.fixture
def smtp():
    with SmtpReceiver() as receiver:
        yield receiver


def settings(*lines, **overrides) -> AlertSettings:
    values = {"backoff": 0, "retries": 3, "timeout": 5,
              "dashboard_url": "https://radar.example.org", **overrides}
    return AlertSettings(channels=tuple(parse_channels(lines)), **values)


def collector(engine, simulator, name, alerts) -> Poller:
    client = GerritClient(simulator.url, timeout=10, retries=2, backoff=0.05)
    poll = PollSettings(projects=[], page_size=25, ci_group="third-party-ci",
                        reference_account="zuul", backfill_days=DAYS + 2)
    poller = Poller(engine, client, poll, name=name, health=HEALTH, alerts=alerts)
    poller.notifier = Notifier(engine, alerts, name)
    return poller


def poll_and_deliver(poller):
    assert all(outcome.ok for outcome in poller.poll_all())
    poller.notifier.run_once()


def alerting(engine) -> dict[str, str]:
    """username -> status of every system whose status now opens an alert."""
    with engine.connect() as conn:
        rows = conn.execute(select(models.CISystem.username, models.SystemStatus.status)
                            .join(models.SystemStatus,
                                  models.SystemStatus.system_id == models.CISystem.id)).all()
    return {username: status for username, status in rows if status in ("failing", "silent")}


def notified(hooks, path) -> list[tuple[str, str]]:
    return sorted((body["type"], body["title"]) for body in hooks.bodies(path))


def test_one_opened_and_one_resolved_per_channel_across_a_restart(
        simulator, sqlite_database, hooks, flaky, smtp, tmp_path):
    engine = sqlite_database
    with Alertmanager(tmp_path) as alertmanager:
        alerts = settings(
            f"json json://127.0.0.1:{hooks.port}/radar",
            f"slack mmost://127.0.0.1:{hooks.port}/s3cr3tt0ken",
            f"email mailto://127.0.0.1:{smtp.port}?from=radar@example.org&to=ops@example.org"
            "&mode=insecure",
            f"flaky json://127.0.0.1:{flaky.port}/flaky",
            f"am alertmanager://127.0.0.1:{alertmanager.port}",
            f"doom-only json://127.0.0.1:{hooks.port}/doom systems=doom-ci",
        )
        first = collector(engine, simulator, "first", alerts)
        poll_and_deliver(first)
        poll_and_deliver(first)  # a re-poll: nothing new
        bad = alerting(engine)
        assert "doom-ci" in bad and len(bad) >= 2, bad
        opened = sorted(("failure", f"[Radar] {name_of(engine, u)} is {s}")
                        for u, s in bad.items())
        assert notified(hooks, "/radar") == opened
        assert notified(flaky, "/flaky") == opened  # after two 500s
        assert flaky.answers.count(500) == 2
        assert len(hooks.bodies("/hooks/s3cr3tt0ken")) == len(bad)
        assert sorted(smtp.subjects()) == sorted(title for _t, title in opened)
        assert [b["title"] for b in hooks.bodies("/doom")] == [
            f"[Radar] {name_of(engine, 'doom-ci')} is failing"]
        body = hooks.bodies("/doom")[0]["message"]
        assert "Dashboard: https://radar.example.org/#!/systems/doom-ci" in body
        assert "Why:" in body and "Components: coverage" in body
        listed = {a["labels"]["username"] for a in alertmanager.alerts()}
        assert listed == set(bad)

        # A restart: a new collector (new name, new notifier) after doom-ci is silenced.
        doom = system_id(engine, "doom-ci")
        now = utcnow()
        with transaction(engine) as session:
            silences.create(session, doom, now - timedelta(minutes=1), now + timedelta(hours=2),
                            "maintenance", "ops", now)
        second = collector(engine, simulator, "second", alerts)
        second.evaluate()  # the silence is seen by the next evaluation
        second.notifier.run_once()
        resolved = ("success", f"[Radar] resolved: {name_of(engine, 'doom-ci')} is silenced")
        assert notified(hooks, "/radar") == sorted([*opened, resolved])
        assert notified(flaky, "/flaky") == sorted([*opened, resolved])
        assert len(hooks.bodies("/hooks/s3cr3tt0ken")) == len(bad) + 1
        assert len(smtp.messages) == len(bad) + 1
        assert len(hooks.bodies("/doom")) == 2
        # Alertmanager lists no resolved alert: doom-ci's ended (when the test's clock runs
        # ahead of Alertmanager's, it is listed until then: with that end).
        listed = {a["labels"]["username"]: a["endsAt"] for a in alertmanager.alerts()}
        assert set(listed) - {"doom-ci"} == set(bad) - {"doom-ci"}
        assert "doom-ci" not in listed or listed["doom-ci"].startswith(
            now.strftime("%Y-%m-%dT"))
    assert_deliveries_once(engine)
    with engine.connect() as conn:
        kinds = conn.execute(select(models.Event.kind, func.count())
                             .group_by(models.Event.kind)).all()
        failed = conn.execute(select(func.count()).select_from(models.Event).where(
            models.Event.kind == "delivery",
            models.Event.payload.contains('"state": "retrying"'))).scalar()
    assert dict(kinds)["alert"] == len(bad) + 1
    assert failed == 2


def test_two_collectors_at_once_notify_once(simulator, database, hooks, smtp):
    alerts = settings(f"json json://127.0.0.1:{hooks.port}/radar",
                      f"email mailto://127.0.0.1:{smtp.port}?from=radar@example.org"
                      "&to=ops@example.org&mode=insecure")
    pollers = [collector(database, simulator, name, alerts) for name in ("left", "right")]
    errors = []

    def run(poller):
        try:
            poller.poll_all()
            poller.evaluate()  # whoever the lock skipped evaluates once more
            poller.notifier.run_once()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in pollers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    # The next round: an evaluation skipped because the other collector's was running is
    # made up for by the next poll's (here at once, without the poll).
    for poller in pollers:
        poller.evaluate()
        poller.notifier.run_once()
    bad = alerting(database)
    assert bad
    assert len(hooks.bodies("/radar")) == len(bad)
    assert len(smtp.messages) == len(bad)
    assert_deliveries_once(database)


def test_backfill_notifies_only_what_is_open_now(simulator, sqlite_database, hooks):
    alerts = settings(f"json json://127.0.0.1:{hooks.port}/radar")
    backfilling = collector(sqlite_database, simulator, "backfill", alerts)
    start = simulator.scenario.start.replace(hour=0, minute=0, second=0)
    for since, before in backfilling.backfill_days(start):
        assert backfilling.poll("all", since=since, before=before).ok
    backfilling.evaluate()
    backfilling.notifier.run_once()
    bad = alerting(sqlite_database)
    with sqlite_database.connect() as conn:
        past = conn.execute(select(func.count()).select_from(models.StatusChange).where(
            models.StatusChange.to_status.in_(("failing", "silent")))).scalar()
        episodes = conn.execute(select(func.count()).select_from(models.Alert)).scalar()
    assert past > len(bad)  # the history has more episodes than are open now
    assert episodes == len(bad)
    assert sorted(b["title"] for b in hooks.bodies("/radar")) == sorted(
        f"[Radar] {name_of(sqlite_database, u)} is {s}" for u, s in bad.items())


def test_a_dead_channel_never_delays_a_poll(simulator, sqlite_database, hooks):
    # A channel that accepts connections and never answers.
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead.listen(8)
    alerts = settings(f"dead json://127.0.0.1:{dead.getsockname()[1]}/x",
                      f"json json://127.0.0.1:{hooks.port}/radar", timeout=30)
    poller = collector(sqlite_database, simulator, "daemon", alerts)
    poller.notifier.start()
    try:
        poller.poll_all()
        started = time.monotonic()
        poller.evaluate()  # the notifier is stuck on the dead channel meanwhile
        assert time.monotonic() - started < 30
        with sqlite_database.connect() as conn:
            assert conn.execute(select(func.count()).select_from(models.AlertDelivery).where(
                models.AlertDelivery.claimed_by == "daemon")).scalar() == 1
    finally:
        poller.notifier._stop.set()
        dead.close()


def assert_deliveries_once(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(models.AlertDelivery.channel, models.AlertDelivery.kind,
                                   models.AlertDelivery.state,
                                   models.AlertDelivery.alert_id)).all()
    assert rows and all(row.state == "sent" for row in rows), rows


def system_id(engine, username) -> int:
    with engine.connect() as conn:
        return conn.execute(select(models.CISystem.id)
                            .where(models.CISystem.username == username)).scalar_one()


def name_of(engine, username) -> str:
    with engine.connect() as conn:
        return conn.execute(select(models.CISystem.name)
                            .where(models.CISystem.username == username)).scalar_one()


