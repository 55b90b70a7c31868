"""``/v1/stream``: the events of /v1/events as they happen, as Server-Sent Events.

Each event carries its id (``id:``), so a client that reconnects with ``Last-Event-ID`` (as
browsers' EventSource do by themselves) misses nothing. A stream ends after
``[api] stream_seconds``: a thread of the server is busy while it lasts, and the client's
reconnection costs one request. The API keeps no state: the events table is the stream.
"""

import json
import threading
import time

import webob

from radar_api import faults
from radar_api.controllers.methods import require_get
from radar_core.errors import DatabaseUnavailable

POLL_SECONDS = 1.0  # how often the events table is read
HEARTBEAT_SECONDS = 15.0  # a comment line keeps proxies from closing an idle stream
RETRY_MS = 3000


class StreamLimiter:
    """At most ``limit`` streams at once, so streams never take every thread of the server."""

    def __init__(self, limit: int):
        self.slots = threading.BoundedSemaphore(limit)

    def acquire(self) -> bool:
        return self.slots.acquire(blocking=False)

    def release(self) -> None:
        self.slots.release()


def _last_event_id(request) -> int | None:
    value = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if value is None:
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise faults.Refused(400, "Last-Event-ID: must be the id of an event")
    return int(value)


def _frame(event: dict) -> bytes:
    data = json.dumps(event, default=str, separators=(",", ":"))
    return f"id: {event['id']}\nevent: {event['kind']}\ndata: {data}\n\n".encode()


def _never() -> bool:
    return False


def stream(radar, start_after: int, seconds: float, limiter: StreamLimiter, clock=time.monotonic,
           disconnected=_never):
    """The body of a stream: every event after ``start_after`` as it comes, for ``seconds``,
    or until ``disconnected()`` says the client has gone (its thread is then free at once
    instead of at the next write)."""
    last, deadline, quiet_since = start_after, clock() + seconds, clock()
    try:
        # An id with no data: the client's Last-Event-ID starts here, so a reconnection
        # before the first event resumes from this point instead of from "now" again.
        yield f"retry: {RETRY_MS}\nid: {start_after}\n\n".encode()
        while clock() < deadline and not disconnected():
            try:
                events = radar.events_after(last)
            except DatabaseUnavailable:
                events = []
            for event in events:
                last = event["id"]
                yield _frame(event)
            if events:
                quiet_since = clock()
            elif clock() - quiet_since >= HEARTBEAT_SECONDS:
                quiet_since = clock()
                yield b": still here\n\n"
            time.sleep(max(0.0, min(POLL_SECONDS, deadline - clock())))  # ends on time
    finally:
        limiter.release()


def respond(request) -> webob.Response:
    """Answer GET /v1/stream: a 503 when too many streams are open, else the stream."""
    require_get()
    radar = request.radar
    after = _last_event_id(request)
    limiter = request.api.streams
    if not limiter.acquire():
        raise faults.Refused(503, "too many open streams: poll /v1/events instead, or retry")
    try:
        if after is None:
            after = radar.last_event_id()  # a new client wants what comes from now on
    except Exception:
        limiter.release()
        raise
    response = webob.Response(content_type="text/event-stream", charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    # waitress tells a task that its client has gone (with channel_request_lookahead set).
    disconnected = request.environ.get("waitress.client_disconnected") or _never
    response.app_iter = stream(radar, after, request.api.stream_seconds, limiter,
                               disconnected=disconnected)
    return response
