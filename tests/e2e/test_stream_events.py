"""The event stream against the simulator's SSH server: verdicts seconds after they are posted,
the REST poll reconciling what a cut stream missed, malformed lines skipped, each source working
while the other fails."""

import logging
import threading
import time
from datetime import timedelta

import pytest
import webtest
from sqlalchemy import func, select

from radar_api.app import make_app
from radar_collector import sources
from radar_collector.poller import utcnow
from radar_collector.stream import StreamSettings, StreamSource
from radar_core import models
from radar_core.db import transaction
from radar_core.service import Radar, Settings
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from radar_demo.ssh import StreamEventsServer, event_of
from tests.e2e.test_collector import assert_matches_truth, make_poller, stored

VERDICT = (
    "Patch Set {ps}: Verified+1\n\nBuild succeeded (check pipeline).\n\n"
    "- nova-tox https://ci.example.org/logs/{n}/1 : SUCCESS in 3m 12s\n"
)


@pytest.fixture
def world(tmp_path):
    scenario = Scenario.generate(seed=7, days=2, changes_per_day=6)
    with GerritSimulator(scenario) as sim, StreamEventsServer(sim, tmp_path / "ssh") as ssh:
        yield sim, ssh


@pytest.fixture
def collector(engine, world):
    """A first REST poll, then the stream source running in its thread."""
    sim, ssh = world
    poller = make_poller(engine, sim)
    assert all(outcome.ok for outcome in poller.poll_all())
    settings = StreamSettings(
        ssh_url=ssh.url, username="radar", key_file=ssh.key_file, known_hosts=ssh.known_hosts,
        min_engine_interval=0, flush_after=0.05, auto_detect=False, state_interval=0,
    )
    stream = StreamSource(engine, settings, poller.health, "test")
    stream.backoff.base, stream.backoff.cap = 0.05, 0.2
    stop = threading.Event()
    [thread] = sources.start([stream], stop)
    until(lambda: stream.state.connected and ssh.open_streams(), "the stream connects")
    yield poller, stream
    stop.set()
    thread.join(10)


def until(condition, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def post_verdict(scenario, username="acme-ci", date=None):
    """A CI's verdict on the newest open change, now."""
    with scenario.lock:
        system = scenario.system(username)
        change = max((c for c in scenario.changes if c.status == "NEW"), key=lambda c: c.updated)
        ps = change.current.number
        date = date or max(utcnow(), change.updated + timedelta(seconds=1))
        return change, scenario.post(change, date, "report",
                                     VERDICT.format(ps=ps, n=change.number), ps, system.id,
                                     result="SUCCESS", pipeline="check")


def reports_of(engine, message_text):
    with transaction(engine) as session:
        return session.scalar(
            select(func.count()).select_from(models.Report)
            .where(models.Report.message == message_text)
        )


def test_a_verdict_via_the_stream_is_in_the_reports_api(engine, world, collector):
    sim, _ = world
    poller, stream = collector
    change, message = post_verdict(sim.scenario)
    until(lambda: reports_of(engine, message.text) == 1, "the verdict is stored")
    system = sim.scenario.system("acme-ci")
    api = webtest.TestApp(make_app(Radar(engine, Settings(poller.health))))
    since, until_ = message.date - timedelta(days=1), message.date + timedelta(hours=1)
    query = f"since={since:%Y-%m-%dT%H:%M:%SZ}&until={until_:%Y-%m-%dT%H:%M:%SZ}&limit=1000"
    body = api.get(f"/v1/systems/{system.id}/reports?{query}").json
    mine = [r for r in body["reports"] if r["change"] == change.number and r["result"]]
    assert any(r["jobs"] and r["jobs"][0]["name"] == "nova-tox" for r in mine), mine
    assert stream.status()["reports_stored"] == 1 and stream.status()["lag_s"] is not None

    # The REST poll then sees the same message: it takes the row over, no second one.
    assert all(outcome.ok for outcome in poller.poll_all())
    assert reports_of(engine, message.text) == 1
    with transaction(engine) as session:
        ids = session.scalars(select(models.Report.message_id)
                              .where(models.Report.message == message.text)).all()
    assert ids == [message.id]
    assert_matches_truth(engine, sim)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_cut_stream_then_the_rest_poll_reaches_the_truth(engine, world, collector):
    sim, ssh = world
    poller, stream = collector
    _, streamed = post_verdict(sim.scenario)
    until(lambda: reports_of(engine, streamed.text) == 1, "the first verdict is stored")
    ssh.refuse(True)  # the stream is cut, and stays cut for a while
    until(lambda: not stream.state.connected, "the stream notices")
    sim.scenario.advance(3)
    _, missed = post_verdict(sim.scenario, "legacy-ci")
    assert reports_of(engine, missed.text) == 0
    # While the stream is down, the REST poll works and reconciles: every count is the truth.
    assert all(outcome.ok for outcome in poller.poll_all())
    assert_matches_truth(engine, sim)
    ssh.refuse(False)
    until(lambda: stream.state.connected and ssh.open_streams(), "the stream reconnects")
    assert stream.state.connections >= 2
    # An event for a message the REST poll stored first (a late event) stores nothing more.
    change = next(c for c in sim.scenario.changes if missed in c.messages)
    ssh.emit(event_of(sim.scenario, "message", change, missed))
    _, after = post_verdict(sim.scenario)  # lines are stored in order: this one comes later
    until(lambda: reports_of(engine, after.text) == 1, "the verdict after it is stored")
    assert reports_of(engine, missed.text) == 1
    assert poller.poll_all()[0].ok
    assert_matches_truth(engine, sim)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_malformed_line_is_logged_and_skipped(engine, world, collector, caplog):
    _, ssh = world
    _, stream = collector
    caplog.set_level(logging.WARNING, logger="radar_collector.stream")
    ssh.malformed()
    ssh.emit({"type": "comment-added", "eventCreatedOn": 1})  # an event without a change
    change, message = post_verdict(world[0].scenario)
    until(lambda: reports_of(engine, message.text) == 1, "the next verdict is stored")
    assert stream.status()["malformed"] == 2 and stream.state.connected
    assert any("malformed" in record.getMessage() for record in caplog.records)
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_stream_works_while_rest_fails_and_an_event_may_come_first(engine, world, collector):
    sim, ssh = world
    poller, _ = collector
    # A change the REST side has not shown yet: its events come first.
    with sim.scenario.lock:
        owner = sim.scenario.humans[0]
        change = sim.scenario.add_change("openstack/nova", "master", owner.id, utcnow())
        ssh.ahead(change.number)
    sim.inject("http500", count=100)
    _, message = post_verdict(sim.scenario)
    until(lambda: reports_of(engine, message.text) == 1, "the verdict is stored")
    [outcome] = poller.poll_all()
    assert not outcome.ok  # REST is down; the stream kept storing
    with transaction(engine) as session:
        assert session.scalar(select(models.Change.id).where(models.Change.number == change.number))
    sim._faults.clear()
    ssh.reveal(change.number)
    assert all(outcome.ok for outcome in poller.poll_all())
    assert_matches_truth(engine, sim)
    assert stored(engine)["changes"] == len(sim.scenario.changes)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_quota_monitor_in_status_and_metrics(engine, world, collector):
    sim, _ = world
    poller, _ = collector
    _, message = post_verdict(sim.scenario)
    until(lambda: reports_of(engine, message.text) == 1, "the verdict is stored")
    sim.inject("http429", count=1)  # Retry-After: 1 (capped to the test client's 0.05 s)
    assert all(outcome.ok for outcome in poller.poll_all())
    api = webtest.TestApp(make_app(Radar(engine, Settings(poller.health))))
    quota = api.get("/v1/status").json["quota"]
    assert quota["window_s"] == 3600 and quota["rate_limited"] == 1
    assert quota["requests"] > quota["polls"] >= 2 and quota["retry_wait_s"] > 0
    [stream] = quota["streams"]
    assert stream["name"] == "test/stream" and stream["connected"] is True
    assert stream["events"] >= 1 and stream["lag_s"] is not None and stream["reports_stored"] == 1
    metrics = api.get("/metrics").text
    assert "radar_gerrit_rate_limited_last_hour 1.0" in metrics
    assert 'radar_stream_connected{stream="test/stream"} 1.0' in metrics
    assert 'radar_stream_lag_seconds{stream="test/stream"}' in metrics
