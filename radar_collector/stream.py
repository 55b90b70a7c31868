"""The event-stream source: Gerrit's ``stream-events`` over SSH (asyncssh), stored as it comes.

It runs in a thread of its own with its own asyncio loop, so a broken stream never stops the
REST poll and the other way round. Lines are read into small batches (a batch ends when no
line came for ``flush_after`` seconds, or at ``batch_size`` events); each batch is stored in
one transaction by the same idempotent path as the REST poll's pages (radar_collector.bulk,
``partial``: an event never overwrites what the REST poll stored), with the engine's facts,
and then the health engine runs, at most every ``min_engine_interval`` seconds. A malformed
line is logged and skipped. When the connection drops the source reconnects with exponential
backoff; what it missed meanwhile the REST poll brings.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from radar_collector import events
from radar_collector.bulk import BulkStore, upsert
from radar_collector.sources import Backoff, Source
from radar_collector.store import CIRegistry
from radar_core import models
from radar_core.db import transaction
from radar_core.engine import refresh, status
from radar_core.engine.settings import EngineSettings

LOG = logging.getLogger(__name__)
DEFAULT_PORT = 29418
COMMAND = "gerrit stream-events"


@dataclass
class StreamSettings:
    ssh_url: str
    username: str
    key_file: str
    known_hosts: str | None = None
    min_engine_interval: float = 10.0
    flush_after: float = 0.2
    batch_size: int = 100
    ci_accounts: list[str] = field(default_factory=list)
    auto_detect: bool = True
    connect_timeout: float = 15.0
    keepalive: float = 30.0
    state_interval: float = 30.0  # seconds between two heartbeats of the stream's state


STATE_COLUMNS = ("connected", "connected_since", "connections", "events", "malformed",
                 "reports_stored", "last_event_at", "lag_s", "last_error")


def parse_ssh_url(url: str) -> tuple[str, int]:
    """(host, port) of ``ssh://host[:port]`` or ``host[:port]``."""
    parts = urlsplit(url if "://" in url else f"ssh://{url}")
    if parts.scheme != "ssh" or not parts.hostname:
        raise ValueError(f"not an SSH address: {url!r} (expected ssh://host:29418)")
    return parts.hostname, parts.port or DEFAULT_PORT


class StreamState:
    """What the quota monitor shows of the stream (read by other threads)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.connected = False
        self.connected_since: datetime | None = None
        self.connections = 0
        self.events = 0
        self.malformed = 0
        self.stored_reports = 0
        self.last_event_at: datetime | None = None  # when the last event was read
        self.lag_s: float | None = None  # read time minus the event's eventCreatedOn
        self.last_error: str | None = None

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "connected": self.connected,
                "connected_since": self.connected_since,
                "connections": self.connections,
                "events": self.events,
                "malformed": self.malformed,
                "reports_stored": self.stored_reports,
                "last_event_at": self.last_event_at,
                "lag_s": self.lag_s,
                "last_error": self.last_error,
            }


class StreamSource(Source):
    """Follows ``gerrit stream-events`` until stopped; never raises."""

    name = "stream"

    def __init__(self, engine, settings: StreamSettings, health: EngineSettings, name: str,
                 clock=None):
        from radar_collector.poller import utcnow  # the poller's clock: naive UTC

        self.engine = engine
        self.settings = settings
        self.health = health
        self.collector = f"{name}/stream"
        self.clock = clock or utcnow
        self.state = StreamState()
        self.backoff = Backoff()
        self._accounts: dict[str, int] = {}
        self._last_engine = 0.0
        self._dirty = False
        self._saved = 0.0

    # -- the thread ----------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        asyncio.run(self._main(stop))

    async def _main(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                await self._follow(stop)
                self.backoff.reset()  # a clean end (stop, or the server hung up after work)
            except Exception as exc:  # noqa: BLE001 - any failure: log, back off, reconnect
                message = _one_line(exc)
                with self.state.lock:
                    self.state.last_error = message
                LOG.warning("event stream: %s; reconnecting in %.0fs", message,
                            self.backoff.peek())
            finally:
                with self.state.lock:
                    self.state.connected = False
                self.save_state(force=True)
            if not stop.is_set():
                await _wait(stop, self.backoff.next())

    async def _follow(self, stop: threading.Event) -> None:
        import asyncssh

        host, port = parse_ssh_url(self.settings.ssh_url)
        known = self.settings.known_hosts or None
        async with asyncssh.connect(
            host, port, username=self.settings.username,
            client_keys=[self.settings.key_file], known_hosts=known,
            connect_timeout=self.settings.connect_timeout,
            keepalive_interval=self.settings.keepalive, agent_path=None,
        ) as connection:
            process = await connection.create_process(
                COMMAND, encoding="utf-8", errors="surrogateescape"  # bad bytes: sanitised
            )
            with self.state.lock:
                self.state.connected = True
                self.state.connected_since = self.clock()
                self.state.connections += 1
                self.state.last_error = None
            LOG.info("event stream: connected to %s:%d", host, port)
            self.save_state(force=True)
            batch: list[dict] = []
            while not stop.is_set():
                try:
                    line = await asyncio.wait_for(
                        process.stdout.readline(), timeout=self.settings.flush_after
                    )
                except TimeoutError:
                    line = None
                if line == "":  # end of stream: the server hung up
                    self.flush(batch)
                    raise ConnectionError("the server closed the event stream")
                if line:
                    event = self.read(line)
                    if event is not None:
                        batch.append(event)
                if batch and (line is None or len(batch) >= self.settings.batch_size):
                    self.flush(batch)
                    batch = []
                self.maybe_evaluate()
                self.save_state()
            self.flush(batch)

    # -- events --------------------------------------------------------------------------
    def read(self, line: str) -> dict | None:
        """The event of a line; a malformed line is logged, counted and skipped."""
        try:
            event = events.parse_line(line)
        except events.MalformedEvent as exc:
            with self.state.lock:
                self.state.malformed += 1
            LOG.warning("event stream: skipping a malformed line (%s): %r", exc, line[:120])
            return None
        now = self.clock()
        with self.state.lock:
            self.state.events += 1
            self.state.last_event_at = now
            created = event.get("eventCreatedOn")
            if isinstance(created, int | float) and not isinstance(created, bool):
                try:
                    self.state.lag_s = max(0.0, (now - _event_time(created)).total_seconds())
                except (OverflowError, OSError, ValueError):
                    pass  # an absurd time: no lag figure
        return event

    def flush(self, batch: list[dict]) -> int:
        """Store a batch of events in one transaction; returns the reports stored."""
        if not batch:
            return 0
        try:
            with transaction(self.engine) as session:
                refresh.lock(session)
                registry = self._registry(session)
                infos = []
                for event in batch:
                    try:
                        info = events.change_info(event, lambda a: self._account_id(session, a))
                    except events.MalformedEvent as exc:
                        with self.state.lock:
                            self.state.malformed += 1
                        LOG.warning("event stream: skipping a malformed event (%s)", exc)
                        continue
                    if info is not None:
                        infos.append(info)
                store = BulkStore(session, registry, self.clock())
                store.store(events.merge(infos), partial=True)
                refresh.refresh(session, store.touched, self.health, self.clock())
                if store.counts.reports or store.counts.rechecks:
                    session.add(models.Event(at=self.clock(), kind="data", payload=json.dumps({
                        "query": "stream", "changes": store.counts.changes,
                        "reports": store.counts.reports, "rechecks": store.counts.rechecks,
                    })))
                    self._dirty = True
        except SQLAlchemyError as exc:
            # The events are lost to the stream; the REST poll brings them.
            LOG.error("event stream: storing %d events failed: %s", len(batch), _one_line(exc))
            return 0
        with self.state.lock:
            self.state.stored_reports += store.counts.reports
        return store.counts.reports

    def maybe_evaluate(self, force: bool = False) -> None:
        """Run the health engine when events stored new data, at most every interval."""
        if not self._dirty:
            return
        if not force and time.monotonic() - self._last_engine < self.settings.min_engine_interval:
            return
        self._last_engine = time.monotonic()
        self._dirty = False
        try:
            status.evaluate(self.engine, self.health, self.clock(), self.collector)
        except SQLAlchemyError as exc:
            LOG.error("event stream: the health engine failed: %s", _one_line(exc))

    def save_state(self, force: bool = False) -> None:
        """Write the stream's state for /v1/status and /metrics: on every change of the
        connection, else at most every ``state_interval`` seconds (a heartbeat)."""
        if not force and time.monotonic() - self._saved < self.settings.state_interval:
            return
        self._saved = time.monotonic()
        snapshot = self.state.snapshot()
        row = {"name": self.collector, "updated_at": self.clock(),
               **{key: snapshot[key] for key in STATE_COLUMNS}}
        row["last_error"] = (row["last_error"] or None) and row["last_error"][:1024]
        try:
            with transaction(self.engine) as session:
                upsert(session, models.SourceStatus.__table__, [row], ("name",),
                       [column for column in row if column != "name"])
        except SQLAlchemyError as exc:
            LOG.warning("event stream: could not record its state: %s", _one_line(exc))

    def _registry(self, session) -> CIRegistry:
        """Who is a CI, from the database and the configuration only (no REST request: the
        stream keeps working while Gerrit's REST API fails)."""
        ids, usernames, names = set(), set(), []
        for entry in self.settings.ci_accounts:
            entry = entry.strip()
            if entry.isdigit():
                ids.add(int(entry))
            elif entry:
                usernames.add(entry)
        systems = select(models.CISystem.id, models.CISystem.username,
                         models.CISystem.recheck_keyword)
        for row in session.execute(systems):
            ids.add(row.id)
            names += [row.username, row.recheck_keyword]
        registry = CIRegistry(ids, usernames, auto_detect=self.settings.auto_detect)
        registry.know_names(*names)
        return registry

    def _account_id(self, session, attributes: dict) -> int | None:
        """The account id of a stream event's account (by username, else email)."""
        for key in ("username", "email"):
            value = attributes.get(key)
            if not isinstance(value, str) or not value:
                continue
            cached = self._accounts.get(f"{key}:{value}")
            if cached is not None:
                return cached
            column = getattr(models.Account, key)
            found = session.scalars(select(models.Account.id).where(column == value)).all()
            if len(found) == 1:
                self._accounts[f"{key}:{value}"] = found[0]
                return found[0]
        return None

    def status(self) -> dict:
        return self.state.snapshot()


def _event_time(seconds) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC).replace(tzinfo=None)


async def _wait(stop: threading.Event, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def _one_line(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError) and getattr(exc, "orig", None) is not None:
        exc = exc.orig
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]

