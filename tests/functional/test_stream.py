"""/v1/stream: Server-Sent Events of the events table, resumable with Last-Event-ID."""

import json

import pytest

from radar_core import models
from radar_core.db import transaction
from tests.functional.test_api import NOW, make_client
from tests.functional.test_api import radar as radar  # noqa: F401 - a fixture


def add_event(engine, kind, **data):
    with transaction(engine) as session:
        event = models.Event(at=NOW, kind=kind, system_id=101, payload=json.dumps(data))
        session.add(event)
        session.flush()
        return event.id


def frames(body: str) -> list[dict]:
    """The events of an SSE body (comments and the retry line left out)."""
    events = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line
                      and not line.startswith(":"))
        if "data" in fields:
            events.append({"id": int(fields["id"]), "event": fields["event"],
                           "data": json.loads(fields["data"])})
    return events


@pytest.fixture
def stream_client(radar):  # noqa: F811
    return make_client(radar, stream_seconds=1.2, max_streams=1)


def test_stream_resumes_after_last_event_id(engine, stream_client):
    first = add_event(engine, "status", to="failing")
    second = add_event(engine, "data", reports=3)
    # As a browser's EventSource asks.
    response = stream_client.get("/v1/stream", headers={"Last-Event-ID": str(first - 1),
                                                        "Accept": "text/event-stream"})
    assert response.content_type == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    # The stream starts with where it starts (id only), for a client that reconnects.
    assert response.text.startswith(f"retry: 3000\nid: {first - 1}\n\n")
    got = frames(response.text)
    assert [(e["id"], e["event"]) for e in got] == [(first, "status"), (second, "data")]
    assert got[0]["data"]["data"] == {"to": "failing"} and got[0]["data"]["system_id"] == 101
    # Resuming after the second: nothing is sent twice.
    again = stream_client.get("/v1/stream", headers={"Last-Event-ID": str(second)})
    assert frames(again.text) == []


def test_a_new_client_gets_what_comes_from_now_on(engine, stream_client):
    add_event(engine, "status", to="silent")
    assert frames(stream_client.get("/v1/stream").text) == []


def test_bad_last_event_id_is_400_and_streams_are_limited(engine, radar):  # noqa: F811
    client = make_client(radar, stream_seconds=1.2, max_streams=0)
    assert client.get("/v1/stream", status=503).json["faultstring"].startswith("too many")
    client = make_client(radar, stream_seconds=1.2)
    fault = client.get("/v1/stream", headers={"Last-Event-ID": "x1"}, status=400).json
    assert fault["faultcode"] == "Client" and "Last-Event-ID" in fault["faultstring"]


def test_events_page_newest_first(engine, radar):  # noqa: F811
    ids = [add_event(engine, "data", n=n) for n in range(3)]
    client = make_client(radar)
    body = client.get("/v1/events?limit=2").json
    assert [e["id"] for e in body["events"]][:2] == ids[::-1][:2]
    older = client.get(body["next"]).json
    assert ids[0] in [e["id"] for e in older["events"]]
    assert all(e["at"].endswith("Z") for e in body["events"])



def test_a_stream_ends_when_its_client_has_gone(engine, radar):  # noqa: F811
    from radar_api.controllers.v1.stream import StreamLimiter, stream

    limiter = StreamLimiter(1)
    assert limiter.acquire()
    add_event(engine, "data", reports=1)
    body = list(stream(radar, 0, 60, limiter, disconnected=lambda: True))
    assert body == [b"retry: 3000\nid: 0\n\n"]  # no event, no wait of the 60 seconds
    assert limiter.acquire()  # the slot is free again
