"""The data layer's contract: what the REST API may ask, answered as plain documents.

:class:`Radar` reads the figures from the health engine's tables (radar_core.engine) and the lists
from the stored rows (radar_core.queries), and shapes them with radar_core.documents. It keeps
no state between calls: any number of API processes give the same answers. Errors are the
exceptions of radar_core.errors (the API maps them to 404, 400 and 503).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError, OperationalError

from radar_core import catalogue, documents, models, queries, stats, tokens
from radar_core.alerts import episodes, silences
from radar_core.db import Breaker, transaction
from radar_core.engine import status
from radar_core.engine.read import Reader, SystemKey
from radar_core.engine.settings import EngineSettings
from radar_core.errors import DatabaseUnavailable, InvalidParameter, NotFound, Unauthorized

BUCKETS = {"day": timedelta(days=1), "week": timedelta(days=7)}
POLLS_SHOWN = 20
TREND_FIELDS = (*(f.name for f in catalogue.group("health") if f.name != "status_since"),
                "reports", "latency_p50_s")


@dataclass(frozen=True)
class Settings:
    engine: EngineSettings = field(default_factory=EngineSettings)
    gerrit_url: str | None = None
    retry_interval: float = 0.0  # of db.Breaker; radar-api: [database] retry_interval

    @property
    def health(self) -> stats.HealthConfig:
        return self.engine.health


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Radar:
    """Figures and lists of docs/api.md read from the database of ``engine``."""

    def __init__(self, engine, settings: Settings, *, clock: Callable[[], datetime] = _utcnow):
        self.engine = engine
        self.settings = settings
        self.cfg = settings.health
        self.links = documents.Links(settings.gerrit_url)
        self._clock = clock
        self._breaker = Breaker(settings.retry_interval)

    # -- figures -----------------------------------------------------------------------------
    def systems(self, window: stats.Window, project: str | None = None) -> list[dict]:
        """Every CI system with its health (and status since) and stats over ``window``."""
        _check_window(window)
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            rows = queries.systems(conn)
            figures = self._reader(conn).figures(_keys(rows), window, project_id)
            since = self._since(conn, figures, window, project_id)
            alerting = self._alerting(conn)
        return [alerting(documents.summary(r, figures[r.id], since.get(r.id))) for r in rows]

    def _alerting(self, conn):
        """Marks a system document with what holds now: silenced, and an alert open."""
        everything, silenced = episodes.silenced(conn, self._clock())
        open_alerts = episodes.open_alerts(conn)

        def mark(document: dict) -> dict:
            document["silenced"] = everything or document["id"] in silenced
            document["alert_open"] = document["id"] in open_alerts
            return document

        return mark

    def system(self, key: str, window: stats.Window, project: str | None = None) -> dict:
        """One system (by id or username) with its contacts and the reasons of its status."""
        _check_window(window)
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            reader = self._reader(conn)
            figures = reader.figures(_keys([row]), window, project_id)
            since = self._since(conn, figures, window, project_id)
            reasons = status.reasons_of(reader, row.id, figures[row.id], window)
            alerting = self._alerting(conn)
        result = alerting(documents.summary(row, figures[row.id], since.get(row.id)))
        result["contacts"] = documents.contacts(row)
        result["reasons"] = reasons
        return result

    def trend(
        self, key: str, window: stats.Window, project: str | None = None, bucket: str = "day"
    ) -> dict:
        """Figures per bucket (``day`` or ``week``: calendar days or weeks, in UTC, the first
        and the last cut at the window's ends; see ``_buckets``). Oldest first."""
        _check_window(window)
        windows = _buckets(window, _check_bucket(bucket))
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            points = self._points(conn, [row], windows, project_id)[row.id]
        return {"system": documents.identity(row), "bucket": bucket, "points": points}

    def trends(
        self,
        window: stats.Window,
        project: str | None = None,
        bucket: str = "day",
        limit: int = 100,
        marker: int | None = None,
    ) -> dict:
        """The trend of every system at once (by id, ``limit`` after ``marker``): the figures
        of each bucket are computed for all systems together, one pass per bucket."""
        _check_window(window)
        if limit < 1:
            raise InvalidParameter(f"limit must be at least 1, got {limit}")
        windows = _buckets(window, _check_bucket(bucket))
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            rows = sorted(queries.systems(conn), key=lambda r: r.id)
            if marker is not None:
                ids = [r.id for r in rows]
                if marker not in ids:
                    raise InvalidParameter(f"marker {marker} is not a system of this list")
                rows = rows[ids.index(marker) + 1:]
            page = rows[:limit]
            points = self._points(conn, page, windows, project_id)
        return {
            "bucket": bucket,
            "trends": [{"system": documents.identity(r), "points": points[r.id]} for r in page],
            "next_marker": page[-1].id if len(rows) > limit else None,
        }

    def history(self, key: str, since: datetime, until: datetime) -> dict:
        """The system's status changes in ``[since, until)`` (hourly evaluations)."""
        if not since < until:
            raise InvalidParameter("since: must be earlier than until")
        with self._connect() as conn:
            row = self._system(conn, key)
            changes = queries.status_changes(conn, row.id, since, until)
        return {
            "system": documents.identity(row),
            "changes": [documents.change_of_status(c) for c in changes if c.from_status],
        }

    def figures(self) -> dict:
        """The catalogue of figures and the thresholds in force."""
        cfg = self.cfg
        return catalogue.document({
            "score_failing_below": cfg.score_failing_below,
            "score_degraded_below": cfg.score_degraded_below,
            "report_deadline_s": cfg.report_deadline.total_seconds(),
            "silent_after_s": cfg.silent_after.total_seconds(),
            "unsupported_after_s": cfg.unsupported_after.total_seconds(),
            "watch_lookback_s": cfg.watch_lookback.total_seconds(),
            "status_window_s": self.settings.engine.status_window.total_seconds(),
            "weights": {name: getattr(cfg, f"weight_{name}") for name in stats.COMPONENTS},
        })

    # -- lists ---------------------------------------------------------------------------------
    def jobs(self, key: str, window: stats.Window, project: str | None = None) -> dict:
        """Per job of the system: runs in the window by class, success rate, p50 duration,
        last success (before the window's end, at any date) and voting; by runs descending."""
        _check_window(window)
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            runs = queries.job_runs(conn, row.id, window.since, window.until, project_id)
            jobs = documents.job_figures(runs)
            missing = [job["name"] for job in jobs if job["last_success_at"] is None]
            if missing:
                older = queries.job_last_success(conn, row.id, missing, window.since, project_id)
                for job in jobs:
                    job["last_success_at"] = job["last_success_at"] or older.get(job["name"])
        return {"system": documents.identity(row), "jobs": jobs}

    def reports(
        self,
        key: str,
        window: stats.Window,
        project: str | None = None,
        limit: int = 100,
        marker: int | None = None,
        filters: queries.ReportFilter = queries.NO_FILTER,
    ) -> dict:
        """The system's reports in the window (kept by ``filters``), newest first, ``limit``
        per page after ``marker`` (the id of the previous page's last report)."""
        _check_window(window)
        if limit < 1:
            raise InvalidParameter(f"limit must be at least 1, got {limit}")
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            after = None
            if marker is not None:
                date = queries.report_date(
                    conn, marker, row.id, window.since, window.until, project_id, filters
                )
                if date is None:
                    raise InvalidParameter(f"marker {marker} is not a report of this list")
                after = (date, marker)
            page = queries.report_page(
                conn, row.id, window.since, window.until, project_id, limit + 1, after, filters
            )
            more = len(page) > limit
            page = page[:limit]
            jobs = self._jobs_by_report(conn, [r.id for r in page])
        return {
            "system": documents.identity(row),
            "reports": [documents.report(r, jobs.get(r.id, []), self.links) for r in page],
            "next_marker": page[-1].id if more else None,
        }

    def failures(self, key: str, window: stats.Window, project: str | None = None,
                 top: int = 5) -> dict:
        """Why the system fails: its reports per result word, its failed job runs per job
        (with their result words and, for the ``top`` jobs, failures per day), and the
        reasons jobs gave (the free text after ERROR and similar), most frequent first."""
        _check_window(window)
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            results = queries.report_results(conn, row.id, window.since, window.until,
                                             project_id)
            runs = queries.failed_job_runs(conn, row.id, window.since, window.until, project_id)
        days = _buckets(window, "day")
        return {
            "system": documents.identity(row),
            **documents.failures(results, runs, days, top),
        }

    def missed(self, key: str, window: stats.Window, project: str | None = None,
               limit: int = 100, marker: int | None = None) -> dict:
        """The eligible patchsets of the window the system did not report on, newest first,
        paged by patchset id (``marker``)."""
        _check_window(window)
        if limit < 1:
            raise InvalidParameter(f"limit must be at least 1, got {limit}")
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            reader = self._reader(conn)
            after = None
            if marker is not None:
                after = reader.missed_marker(row.id, window, project_id, marker)
                if after is None:
                    raise InvalidParameter(f"marker {marker} is not a patchset of this list")
            page = reader.missed(row.id, window, project_id, limit + 1, after)
        more = len(page) > limit
        page = page[:limit]
        return {
            "system": documents.identity(row),
            "patchsets": [documents.missed_patchset(p, self.links) for p in page],
            "next_marker": page[-1].id if more else None,
        }

    def change(self, number: int) -> dict:
        """Every patchset of change ``number`` with each system's latest report on it."""
        with self._connect() as conn:
            change = queries.change(conn, number)
            if change is None:
                raise NotFound(f"no change {number}")
            patchsets = dict(queries.change_patchsets(conn, change.id))
            reports = queries.change_reports(conn, change.id)
            systems = queries.systems_by_ids(conn, {r.system_id for r in reports})
            jobs = self._jobs_by_report(conn, documents.latest_report_ids(reports))
        systems.sort(key=lambda s: ((s.name or "").casefold(), s.id))
        results = documents.change_grid(reports, [s.id for s in systems], jobs)
        return {
            "number": change.number,
            "project": change.name,
            "branch": change.branch,
            "subject": change.subject,
            "status": change.status,
            "gerrit_url": self.links.change(change.name, change.number),
            "systems": [documents.identity(s) for s in systems],
            "patchsets": [
                {
                    "number": n,
                    "created": patchsets.get(n),
                    "gerrit_url": self.links.change(change.name, change.number, n),
                    "results": results.get(n, []),
                }
                for n in sorted(set(patchsets) | set(results))
            ],
        }

    def projects(self) -> dict:
        """Every project with its numbers of changes, patchsets and reporting CI systems."""
        with self._connect() as conn:
            rows = queries.project_counts(conn)
        keys = ("name", "changes", "patchsets", "systems")
        return {"projects": [dict(zip(keys, row, strict=True)) for row in sorted(rows)]}

    def events(self, limit: int = 100, marker: int | None = None) -> dict:
        """Status changes, new data and alert deliveries, newest first, paged by id."""
        if limit < 1:
            raise InvalidParameter(f"limit must be at least 1, got {limit}")
        with self._connect() as conn:
            rows = queries.events_page(conn, limit + 1, marker)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "events": [documents.event(row) for row in rows],
            "next_marker": rows[-1].id if more else None,
        }

    def events_after(self, after_id: int, limit: int = 100) -> list[dict]:
        """Events newer than ``after_id``, oldest first (for the stream)."""
        with self._connect() as conn:
            return [documents.event(row) for row in queries.events_after(conn, after_id, limit)]

    def last_event_id(self) -> int:
        with self._connect() as conn:
            return queries.last_event_id(conn)

    def status(self, poll_interval: int) -> dict:
        """The collector's state (per query, latest polls, lag), row totals and alerts."""
        now = self._clock()
        with self._connect() as conn:
            state = self._collector_state(conn, now)
            totals = queries.totals(conn)
            ids = [row.id for row in queries.systems(conn)]
            totals["reports"] = (self._reader(conn).reports_before(ids, now)
                                 + queries.reports_from(conn, now))
            alerts = {
                "open": len(episodes.open_alerts(conn)),
                "deliveries": queries.delivery_counts(conn),
                "latest_deliveries": [d._asdict() for d in
                                      queries.latest_deliveries(conn, POLLS_SHOWN)],
            }
        return {"poll_interval": poll_interval, "now": now, **state, "totals": totals,
                "alerts": alerts}

    def collector_state(self) -> dict:
        """The part of ``status`` that /metrics reads: the collector's and the Gerrit quota's
        (not the row totals, whose counts grow with the history)."""
        with self._connect() as conn:
            return self._collector_state(conn, self._clock())

    def _collector_state(self, conn, now: datetime) -> dict:
        states = queries.poll_states(conn)
        polls = queries.latest_polls(conn, POLLS_SHOWN)
        usage = queries.gerrit_usage(conn, now - QUOTA_WINDOW)
        streams = queries.source_states(conn)
        last_success = max((s.last_success_at for s in states if s.last_success_at), default=None)
        if last_success is None:
            last_success = next((p.finished_at for p in polls if p.outcome == "ok"), None)
        latest = polls[0] if polls else None
        collector = {
            "last_poll_at": (latest.finished_at or latest.started_at) if latest else None,
            "last_success_at": last_success,
            "outcome": latest.outcome if latest else None,
            "lag_s": (now - last_success).total_seconds() if last_success else None,
            "queries": [s._asdict() for s in states],
            "polls": [p._asdict() for p in polls],
        }
        quota = {"window_s": int(QUOTA_WINDOW.total_seconds()), **usage,
                 "streams": [_stream_state(row, now) for row in streams]}
        return {"collector": collector, "quota": quota}

    def metrics(self) -> dict:
        """What /metrics adds to the figures: counters of every poll logged, the engine's run
        times, which systems are silenced and which have an open alert."""
        now = self._clock()
        with self._connect() as conn:
            counters = queries.poll_counters(conn)
            runs = queries.engine_runs(conn)
            everything, silenced = episodes.silenced(conn, now)
            open_alerts = episodes.open_alerts(conn)
            deliveries = queries.delivery_counts(conn)
        return {"polls": counters, "engine": runs._asdict() if runs else None,
                "silence_all": everything, "silenced": silenced, "open_alerts": open_alerts,
                "deliveries": deliveries}

    # -- writes (each needs a token: authenticate first) -------------------------------------
    def authenticate(self, authorization: str | None) -> str:
        """The token's name for an ``Authorization: Bearer`` header; Unauthorized otherwise."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("this request needs a token: Authorization: Bearer <token>")
        with transaction(self.engine) as session:
            name = tokens.verify(session, token.strip(), self._clock())
        if name is None:
            raise Unauthorized("the token is unknown or revoked")
        return name

    def silences(self, include_ended: bool = False) -> dict:
        with self._connect() as conn:
            rows = silences.listing(conn, self._clock(), include_ended)
            names = {s.id: s for s in queries.systems_by_ids(
                conn, {r.system_id for r in rows if r.system_id is not None})}
        return {"silences": [self._silence(r, names) for r in rows]}

    def create_silence(self, system: str | None, starts_at, ends_at, comment: str,
                       author: str) -> dict:
        now = self._clock()
        with transaction(self.engine) as session:
            row = self._system(session.connection(), system) if system else None
            try:
                silence = silences.create(session, row.id if row else None, starts_at or now,
                                          ends_at, comment, author, now)
            except silences.SilenceError as exc:
                raise InvalidParameter(str(exc)) from None
            return self._silence(silence, {row.id: row} if row else {})

    def end_silence(self, silence_id: int) -> dict:
        with transaction(self.engine) as session:
            silence = silences.end(session, silence_id, self._clock())
            if silence is None:
                raise NotFound(f"no silence {silence_id}")
            names = {}
            if silence.system_id is not None:
                names = {s.id: s for s in queries.systems_by_ids(session.connection(),
                                                                 {silence.system_id})}
            return self._silence(silence, names)

    def update_contacts(self, key: str, changes: dict) -> None:
        """Set the operator contacts given in ``changes`` (name, email, info_url,
        recheck_keyword; None clears one)."""
        columns = {"name": "contact_name", "email": "contact_email", "info_url": "info_url",
                   "recheck_keyword": "recheck_keyword"}
        with transaction(self.engine) as session:
            row = self._system(session.connection(), key)
            system = session.get(models.CISystem, row.id)
            for name, value in changes.items():
                if value is not None and len(value) > (1024 if name == "info_url" else 255):
                    raise InvalidParameter(f"contacts.{name}: too long")
                setattr(system, columns[name], value or None)

    def _silence(self, row, systems) -> dict:
        system = systems.get(row.system_id)
        now = self._clock()
        return {"id": row.id, "system_id": row.system_id,
                "username": system.username if system else None,
                "starts_at": row.starts_at, "ends_at": row.ends_at, "comment": row.comment,
                "author": row.author, "created_at": row.created_at,
                "active": row.starts_at <= now < row.ends_at}

    def project_exists(self, name: str) -> bool:
        with self._connect() as conn:
            return queries.project_id(conn, name) is not None

    # -- helpers ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self):
        """A connection (one transaction: one consistent snapshot); connection failures become
        DatabaseUnavailable. A failure to connect, or a lost connection, opens the breaker;
        a statement that fails on its own (MariaDB's max_statement_time) does not."""
        if not self._breaker.allow():
            raise DatabaseUnavailable("database unavailable: not tried again within "
                                      f"{self._breaker.seconds:g} s of a failure")
        try:
            conn = self.engine.connect()
        except DBAPIError as exc:
            self._breaker.failed()
            raise _unavailable(exc) from exc
        self._breaker.succeeded()
        with conn:
            try:
                yield conn
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    self._breaker.failed()
                elif not isinstance(exc, OperationalError):
                    raise
                raise _unavailable(exc) from exc

    def _reader(self, conn) -> Reader:
        return Reader(conn, self.settings.engine)

    def _since(self, conn, figures, window, project_id) -> dict:
        """status_since, for figures over every project (the history is of those)."""
        if project_id is not None:
            return {}
        statuses = {system_id: f.status for system_id, f in figures.items()}
        return status.status_since(conn, statuses, window.until, self.settings.engine.history_days)

    def _points(self, conn, rows, windows, project_id) -> dict[int, list[dict]]:
        """Per system of ``rows``: one trend point per window of ``windows``."""
        points: dict[int, list[dict]] = {row.id: [] for row in rows}
        series = self._reader(conn).series(_keys(rows), windows, project_id)
        for part, figures in zip(windows, series, strict=True):
            for row in rows:
                point = {"since": part.since, "until": part.until}
                point.update((name, getattr(figures[row.id], name)) for name in TREND_FIELDS)
                points[row.id].append(point)
        return points

    def _project_id(self, conn, project: str | None) -> int | None:
        if project is None:
            return None
        project_id = queries.project_id(conn, project)
        if project_id is None:
            raise NotFound(f"no project {project!r}")
        return project_id

    def _system(self, conn, key) -> object:
        row = _match(queries.systems_by_key(conn, str(key)), str(key))
        if row is None:
            raise NotFound(f"no CI system {str(key)!r}")
        return row

    def _jobs_by_report(self, conn, report_ids) -> dict[int, list[dict]]:
        jobs: dict[int, list[dict]] = {}
        for j in queries.jobs_of_reports(conn, report_ids):
            jobs.setdefault(j.report_id, []).append(documents.job(j))
        return jobs


def _keys(rows) -> list[SystemKey]:
    return [SystemKey(r.id, r.username, r.recheck_keyword) for r in rows]


def _match(rows, key: str):
    """The row whose id equals ``key`` (a number), else whose username does, else None."""
    if queries.is_number(key):
        for row in rows:
            if row.id == int(key):
                return row
    for row in rows:
        if row.username == key:
            return row
    return None


def _check_bucket(bucket: str) -> str:
    if bucket not in BUCKETS:
        raise InvalidParameter(f"bucket must be one of {', '.join(BUCKETS)}, got {bucket!r}")
    return bucket


def _check_window(window: stats.Window) -> None:
    if not window.since < window.until:
        raise InvalidParameter("window: since must be before until")


def _buckets(window: stats.Window, bucket: str) -> list[stats.Window]:
    """The window cut at every UTC midnight (``day``) or every Monday's (``week``) within it,
    oldest first: whole calendar days or weeks, but the first and the last, cut at since and
    until. (Ends at midnights are also ends the engine keeps counters at: buckets ending at the
    minutes of ``until`` each cost a partial hour's facts.)"""
    step = BUCKETS[bucket]
    first = window.since.replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "week":
        first -= timedelta(days=first.weekday())
    bounds, edge = [window.since], first + step
    while edge < window.until:
        bounds.append(edge)
        edge += step
    bounds.append(window.until)
    return [stats.Window(since, until) for since, until in itertools.pairwise(bounds)]


def _unavailable(exc: DBAPIError) -> DatabaseUnavailable:
    return DatabaseUnavailable(f"database unavailable: {_first_line(exc.orig)}")


def _first_line(error) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


QUOTA_WINDOW = timedelta(hours=1)  # the Gerrit quota monitor's window: requests per hour
STREAM_STALE = timedelta(minutes=2)  # a stream state older than this is not trusted as connected


def _stream_state(row, now: datetime) -> dict:
    """An event stream's state; 'connected' only while its collector keeps writing it."""
    fresh = row.updated_at is not None and now - row.updated_at <= STREAM_STALE
    return {
        "name": row.name,
        "connected": bool(row.connected) and fresh,
        "connected_since": row.connected_since,
        "connections": row.connections,
        "events": row.events,
        "malformed": row.malformed,
        "reports_stored": row.reports_stored,
        "last_event_at": row.last_event_at,
        "lag_s": row.lag_s,
        "last_error": row.last_error,
        "updated_at": row.updated_at,
    }
