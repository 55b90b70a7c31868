"""``radar watch`` and ``Client.stream``: the API's events as they happen, over real HTTP.

The API runs under waitress (as radar-api) on the functional tests' scenario, with streams
one second long, so that a reconnection happens within each test; what "sleeps" between two
streams is the test's own function, which stores a new event there: no real waiting.
"""

from __future__ import annotations

import json

import pytest

from radar_api.app import make_app
from radar_client import Client
from radar_demo.stack import ApiServer
from tests.functional.test_api import NOW
from tests.functional.test_api import radar as radar  # noqa: F401 - a fixture
from tests.functional.test_stream import add_event


@pytest.fixture
def backend():
    """SQLite only: the stream reads one table the same way on both (tests/functional)."""
    return "sqlite"


@pytest.fixture
def server(radar):  # noqa: F811
    api = ApiServer(make_app(radar, poll_interval=120, stream_seconds=1.0)).start()
    yield api
    api.stop()


def test_stream_resumes_across_reconnections_without_loss_or_repeat(engine, server):
    first = add_event(engine, "status", to="failing", username="flaky-ci")
    reconnections = []

    def between_streams(seconds):
        reconnections.append(seconds)
        add_event(engine, "data", reports=len(reconnections))  # while no stream is open

    stream = Client(server.url).stream(first - 1, sleep=between_streams)
    got = [next(stream), next(stream)]
    stream.close()
    assert [(e["kind"], e["data"]) for e in got] == [
        ("status", {"to": "failing", "username": "flaky-ci"}), ("data", {"reports": 1})]
    assert reconnections[0] == 3.0  # the server's retry: delay

    # Without a starting id (from now on), the first stream's own start is kept: an event
    # stored while reconnecting, before any event came, is not lost either.
    stream = Client(server.url).stream(sleep=between_streams)
    event = next(stream)
    stream.close()
    assert (event["kind"], event["data"]) == ("data", {"reports": len(reconnections)})


def test_radar_watch_prints_events(engine, server, run_cli):
    ids = [add_event(engine, "status", **{"from": "degraded", "to": "failing", "score": 41,
                                          "username": "flaky-ci", "reasons": ["score 41 is low"]}),
           add_event(engine, "data", reports=3, rechecks=1, query="status:open")]
    base = ["watch", "--api-url", server.url, "--after", str(ids[0] - 1), "--count", "2"]
    text = run_cli(*base)
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0].endswith("status   flaky-ci: degraded -> failing (score 41): score 41 is low")
    assert lines[1].endswith("data     system 101: new data: 3 reports, 1 rechecks (status:open)")
    assert lines[0].startswith(NOW.strftime("%Y-%m-%d %H:%M"))

    as_json = run_cli(*base, "--format", "json")
    events = [json.loads(line) for line in as_json.output.splitlines()]
    assert [e["id"] for e in events] == ids and events[1]["data"]["reports"] == 3

    as_csv = run_cli(*base, "--format", "csv").output.splitlines()
    assert as_csv[0] == "id,at,kind,system_id,summary,data" and len(as_csv) == 3


def test_radar_watch_errors_are_one_line(run_cli):
    from tests.client.test_client import closed_port_url

    result = run_cli("watch", "--api-url", closed_port_url(), "--count", "1", "--after", "0",
                     "--timeout", "1")
    assert result.exit_code == 1
    assert result.output.startswith("radar: error: cannot reach the Radar API")
