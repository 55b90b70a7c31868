"""The database contract of the REST API: figures and lists shaped like docs/api.md.

:class:`Radar` fetches what the pure functions of :mod:`radar_core.stats` need and returns plain
Python data (dicts, lists, naive UTC datetimes); the API layer formats and pages it.

How figures are fed (every system in one pass): a system's figures over ``[since, until)``
depend on all its reports dated in the window, and outside it only on a few: its latest report
and latest success before ``since``, its latest report per project in the watch lookback, and
its reports on patchsets created or rechecked in the window. Those are fetched with a handful of
queries, and :func:`stats.system_figures` gets, per system, exactly those reports plus the
patchsets of the projects concerned (see :class:`_Earlier` and :func:`_inputs`).

A report whose patchset is unknown (``patchset_id`` NULL) counts in every report figure; for
the per-patchset figures (stability, flaky, duplicates, rechecks, agreement) it stands for the
patchset ``(change, patchset number)``, which never counts as eligible, reported or watched.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy.exc import DBAPIError, OperationalError

from radar_core import queries, stats
from radar_core.errors import DatabaseUnavailable, InvalidParameter, NotFound

BUCKETS = {"day": timedelta(days=1), "week": timedelta(days=7)}
POLLS_SHOWN = 20
HEALTH_FIELDS = ("score", "status", "coverage", "timeliness", "success_rate", "stability")
STATS_FIELDS = (
    "reports",
    "success",
    "failure",
    "error",
    "other",
    "patchsets_eligible",
    "patchsets_reported",
    "latency_p50_s",
    "latency_p90_s",
    "last_report_at",
    "last_success_at",
    "rechecks",
    "flaky_patchsets",
    "duplicate_reports",
    "agreement",
    "false_failure_rate",
)
TREND_FIELDS = (*HEALTH_FIELDS, "reports", "latency_p50_s")
COMPONENT_LABELS = {
    "coverage": "coverage",
    "timeliness": "timeliness",
    "success_rate": "success rate",
    "stability": "stability",
}
JOB_CLASSES = ("success", "failure", "error", "skipped")


@dataclass(frozen=True)
class Settings:
    health: stats.HealthConfig
    reference_account: str | None = None  # username or numeric id
    gerrit_url: str | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- fetched data ------------------------------------------------------------------------------


class _Keys:
    """Patchset keys: the patchset id, or a negative stand-in for an unknown patchset."""

    def __init__(self):
        self._stand_ins: dict[tuple, int] = {}

    def of(self, patchset_id, change_id, number, own: tuple) -> int:
        if patchset_id is not None:
            return patchset_id
        key = (change_id, number) if number is not None else own
        return self._stand_ins.setdefault(key, -1 - len(self._stand_ins))


@dataclass
class _Timeline:
    """Patchsets of one project ordered by creation."""

    created: list[datetime] = field(default_factory=list)
    patchsets: list[stats.Patchset] = field(default_factory=list)

    def since(self, start: datetime, until: datetime) -> list[stats.Patchset]:
        return self.patchsets[bisect_left(self.created, start) : bisect_left(self.created, until)]


@dataclass
class _Data:
    """Everything fetched for some systems over ``[since, until)``."""

    reports: dict[int, list[stats.Report]]  # per system, ordered by (date, seq)
    patchsets: dict[int, stats.Patchset]  # known patchsets by id
    timelines: dict[str, _Timeline]  # per project name
    rechecks: list[stats.Recheck]  # in the window, by date
    rechecks_by_key: dict[int, list[stats.Recheck]]
    reference: int | None  # system id of the reference account


class _Inputs(NamedTuple):
    """Arguments of stats.system_figures for one system and window."""

    reports: list[stats.Report]
    patchsets: list[stats.Patchset]
    rechecks: list[stats.Recheck]
    reference: list[stats.Report] | None


class _Earlier:
    """What a system's reports dated before a bucket contribute to it; fed in date order."""

    def __init__(self, patchsets: dict[int, stats.Patchset]):
        self.patchsets = patchsets
        self.last: stats.Report | None = None
        self.last_success: stats.Report | None = None
        self.last_per_project: dict[str, stats.Report] = {}
        self.by_key: dict[int, list[stats.Report]] = defaultdict(list)
        self.before_creation: list[stats.Report] = []  # reports dated before their patchset

    def add(self, reports: Iterable[stats.Report]) -> None:
        for r in reports:
            self.last = r
            if r.result_class == stats.SUCCESS:
                self.last_success = r
            self.by_key[r.patchset_id].append(r)
            patchset = self.patchsets.get(r.patchset_id)
            if patchset is not None:
                self.last_per_project[patchset.project] = r
                if r.date < patchset.created:
                    self.before_creation.append(r)

    def needed(self, rechecked: set[int]) -> list[stats.Report]:
        """The reports a bucket needs: latest, latest success, latest per project, those on
        patchsets rechecked in the bucket and those dated before their patchset's creation."""
        picked = [self.last, self.last_success, *self.last_per_project.values()]
        picked += self.before_creation
        if len(self.by_key) <= len(rechecked):
            keys = [key for key in self.by_key if key in rechecked]
        else:
            keys = [key for key in rechecked if key in self.by_key]
        for key in keys:
            picked += self.by_key[key]
        return [r for r in picked if r is not None]


def _window_rows_key(row) -> tuple:
    return row[5], row[0]


# --- the service -------------------------------------------------------------------------------


class Radar:
    """Figures and lists of docs/api.md read from the database of ``engine``."""

    def __init__(self, engine, settings: Settings, *, clock: Callable[[], datetime] = _utcnow):
        self.engine = engine
        self.settings = settings
        self.cfg = settings.health
        self._clock = clock

    # -- public contract ----------------------------------------------------------------------
    def systems(self, window: stats.Window, project: str | None = None) -> list[dict]:
        """Every CI system with its health and stats over ``window`` (unsorted)."""
        _check_window(window)
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            rows = queries.systems(conn)
            data = self._fetch(conn, rows, [window], project_id, rows)
        return [_summary(row, self._series(row, data, [window])[0]) for row in rows]

    def system(self, key: str, window: stats.Window, project: str | None = None) -> dict:
        """One system (by id or username) with contacts and the reasons of its status."""
        _check_window(window)
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            data = self._fetch(conn, [row], [window], project_id)
        inputs = _inputs(row, data, window, self.cfg)
        figures = self._call_figures(row, inputs, window)
        result = _summary(row, figures)
        result["contacts"] = {
            "name": row.contact_name,
            "email": row.contact_email,
            "info_url": row.info_url,
            "recheck_keyword": row.recheck_keyword,
        }
        result["reasons"] = _reasons(
            figures, window, self.cfg, _waiting(inputs, figures, window, self.cfg)
        )
        return result

    def jobs(self, key: str, window: stats.Window, project: str | None = None) -> dict:
        """Per job of the system: runs in the window by class, success rate, p50 duration,
        last success (before the window's end, at any date) and voting; by runs descending."""
        _check_window(window)
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            runs = queries.job_runs(conn, row.id, window.since, window.until, project_id)
            jobs = _job_figures(runs)
            missing = [job["name"] for job in jobs if job["last_success_at"] is None]
            if missing:
                older = queries.job_last_success(conn, row.id, missing, window.since, project_id)
                for job in jobs:
                    job["last_success_at"] = job["last_success_at"] or older.get(job["name"])
        return {"system": _identity(row), "jobs": jobs}

    def reports(
        self,
        key: str,
        window: stats.Window,
        project: str | None = None,
        limit: int = 100,
        marker: int | None = None,
    ) -> dict:
        """The system's reports in the window, newest first, ``limit`` per page after
        ``marker`` (the id of the previous page's last report)."""
        _check_window(window)
        if limit < 1:
            raise InvalidParameter(f"limit must be at least 1, got {limit}")
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            after = None
            if marker is not None:
                date = queries.report_date(
                    conn, marker, row.id, window.since, window.until, project_id
                )
                if date is None:
                    raise InvalidParameter(f"marker {marker} is not a report of this list")
                after = (date, marker)
            page = queries.report_page(
                conn, row.id, window.since, window.until, project_id, limit + 1, after
            )
            more = len(page) > limit
            page = page[:limit]
            jobs = self._jobs_by_report(conn, [r.id for r in page])
        return {
            "system": _identity(row),
            "reports": [self._report(r, jobs.get(r.id, [])) for r in page],
            "next_marker": page[-1].id if more else None,
        }

    def trend(
        self, key: str, window: stats.Window, project: str | None = None, bucket: str = "day"
    ) -> dict:
        """Figures per bucket (``day`` or ``week``), buckets ending at the window's end; the
        oldest one starts at the window's start, so it may be shorter. Oldest first."""
        _check_window(window)
        if bucket not in BUCKETS:
            raise InvalidParameter(f"bucket must be one of {', '.join(BUCKETS)}, got {bucket!r}")
        windows = _buckets(window, BUCKETS[bucket])
        with self._connect() as conn:
            project_id = self._project_id(conn, project)
            row = self._system(conn, key)
            data = self._fetch(conn, [row], windows, project_id)
        points = []
        for part, figures in zip(windows, self._series(row, data, windows), strict=True):
            point = {"since": part.since, "until": part.until}
            point.update((name, getattr(figures, name)) for name in TREND_FIELDS)
            points.append(point)
        return {"system": _identity(row), "bucket": bucket, "points": points}

    def change(self, number: int) -> dict:
        """Every patchset of change ``number`` with each system's latest report on it."""
        with self._connect() as conn:
            change = queries.change(conn, number)
            if change is None:
                raise NotFound(f"no change {number}")
            patchsets = dict(queries.change_patchsets(conn, change.id))
            reports = queries.change_reports(conn, change.id)
            systems = queries.systems_by_ids(conn, {r.system_id for r in reports})
            latest = _latest_per_patchset_and_system(reports)
            jobs = self._jobs_by_report(conn, [r.id for r, _ in latest.values()])
        systems.sort(key=lambda s: ((s.name or "").casefold(), s.id))
        results = _results_per_patchset(latest, [s.id for s in systems], jobs)
        return {
            "number": change.number,
            "project": change.name,
            "branch": change.branch,
            "subject": change.subject,
            "status": change.status,
            "gerrit_url": self._link(change.name, change.number),
            "systems": [_identity(s) for s in systems],
            "patchsets": [
                {
                    "number": n,
                    "created": patchsets.get(n),
                    "gerrit_url": self._link(change.name, change.number, n),
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

    def status(self, poll_interval: int) -> dict:
        """The collector's state (per query, latest polls, lag) and row totals."""
        now = self._clock()
        with self._connect() as conn:
            states = queries.poll_states(conn)
            polls = queries.latest_polls(conn, POLLS_SHOWN)
            totals = queries.totals(conn)
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
        return {
            "poll_interval": poll_interval,
            "now": now,
            "collector": collector,
            "totals": totals,
        }

    def project_exists(self, name: str) -> bool:
        with self._connect() as conn:
            return queries.project_id(conn, name) is not None

    # -- database access ----------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self):
        """A connection (one transaction: one consistent snapshot); connection failures become
        DatabaseUnavailable."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise DatabaseUnavailable(f"database unavailable: {_first_line(exc.orig)}") from exc
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            raise DatabaseUnavailable(f"database unavailable: {_first_line(exc.orig)}") from exc

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

    def _reference_id(self, conn, known: Sequence) -> int | None:
        """Id of the reference account's system, or None when not configured or unknown."""
        ref = self.settings.reference_account
        if not ref:
            return None
        row = _match(known, ref) or _match(queries.systems_by_key(conn, ref), ref)
        return row.id if row is not None else None

    def _fetch(self, conn, rows, windows, project_id, known=()) -> _Data:
        """Everything the figures of ``rows`` need over ``windows`` (consecutive, oldest
        first)."""
        since, until, first_until = windows[0].since, windows[-1].until, windows[0].until
        look_since = first_until - self.cfg.watch_lookback
        reference = self._reference_id(conn, known)
        ids = {row.id for row in rows} | ({reference} if reference is not None else set())
        window_rows = queries.reports_between(conn, since, until, ids, project_id)
        recheck_rows = queries.rechecks_between(conn, since, until, project_id)
        extra = queries.early_reports(conn, since, until, ids, project_id)
        unmatched = {r.change_id for r in recheck_rows if r.patchset_id is None}
        if unmatched:
            extra += queries.early_unmatched_reports(conn, since, unmatched, ids, project_id)
        extra += self._latest_before(conn, window_rows, rows, since, first_until, project_id)
        patchsets = {
            r.id: r
            for r in queries.patchsets_created(conn, min(since, look_since), until, project_id)
        }
        _add_patchsets(conn, patchsets, window_rows + extra)
        if look_since < since:
            scope = (ids, project_id)
            watch = _watch_reports(conn, window_rows, patchsets, look_since, windows, scope)
            _add_patchsets(conn, patchsets, watch)
            extra += watch
        keys = _Keys()
        rechecks = _rechecks(recheck_rows, keys)
        known_patchsets = _stats_patchsets(conn, patchsets.values())
        return _Data(
            reports=_reports_by_system(window_rows + extra, keys),
            patchsets=known_patchsets,
            timelines=_timelines(known_patchsets.values()),
            rechecks=rechecks,
            rechecks_by_key=_group(rechecks, lambda rc: rc.patchset_id),
            reference=reference,
        )

    @staticmethod
    def _latest_before(conn, window_rows, rows, since, first_until, project_id) -> list:
        """Latest report and latest success before ``since`` of the systems that have none in
        ``[since, first_until)``."""
        has_report, has_success = set(), set()
        for r in window_rows:
            if r.date < first_until:
                has_report.add(r.system_id)
                if r.result_class == stats.SUCCESS:
                    has_success.add(r.system_id)
        found = []
        for row in rows:
            if row.id not in has_report:
                found.append(queries.latest_report(conn, row.id, since, project_id))
            if row.id not in has_success:
                found.append(queries.latest_report(conn, row.id, since, project_id, stats.SUCCESS))
        return [r for r in found if r is not None]

    def _jobs_by_report(self, conn, report_ids) -> dict[int, list[dict]]:
        jobs = defaultdict(list)
        for j in queries.jobs_of_reports(conn, report_ids):
            jobs[j.report_id].append(
                {
                    "name": j.name,
                    "url": j.url,
                    "result": j.result,
                    "result_class": j.result_class,
                    "duration_s": j.duration_s,
                    "voting": bool(j.voting),
                    "detail": j.detail,
                }
            )
        return jobs

    # -- figures ------------------------------------------------------------------------------
    def _series(self, row, data: _Data, windows) -> list[stats.SystemFigures]:
        """The system's figures for each window (consecutive, oldest first)."""
        reports = data.reports.get(row.id, [])
        dates = [r.date for r in reports]
        earlier = _Earlier(data.patchsets)
        figures, fed = [], 0
        for window in windows:
            start = bisect_left(dates, window.since)
            earlier.add(reports[fed:start])
            fed = start
            inputs = _inputs(row, data, window, self.cfg, earlier)
            figures.append(self._call_figures(row, inputs, window))
        return figures

    def _call_figures(self, row, inputs: _Inputs, window) -> stats.SystemFigures:
        return stats.system_figures(
            row.id,
            row.username,
            row.recheck_keyword,
            inputs.patchsets,
            inputs.reports,
            inputs.rechecks,
            window,
            self.cfg,
            inputs.reference,
        )

    def _report(self, r, jobs) -> dict:
        return {
            "id": r.id,
            "date": r.date,
            "result": r.result,
            "result_class": r.result_class,
            "vote": r.vote,
            "pipeline": r.pipeline,
            "project": r.name,
            "change": r.number,
            "patchset": r.patchset_number,
            "gerrit_url": self._link(r.name, r.number, r.patchset_number),
            "jobs": jobs,
        }

    def _link(self, project: str, change: int, patchset: int | None = None) -> str | None:
        """``{gerrit}/c/{project}/+/{change}[/{patchset}]``, None without a Gerrit URL."""
        if not self.settings.gerrit_url:
            return None
        url = f"{self.settings.gerrit_url.rstrip('/')}/c/{project}/+/{change}"
        return url if patchset is None else f"{url}/{patchset}"


# --- building the inputs of stats ----------------------------------------------------------------


def _add_patchsets(conn, patchsets: dict, report_rows) -> None:
    """Add to ``patchsets`` (rows by id) the known patchsets of ``report_rows`` it lacks."""
    missing = {r[2] for r in report_rows} - patchsets.keys() - {None}
    patchsets.update((r.id, r) for r in queries.patchsets_by_ids(conn, missing))


def _stats_patchsets(conn, rows) -> dict[int, stats.Patchset]:
    names = queries.project_names(conn)
    return {
        r.id: stats.Patchset(r.id, names[r.project_id], r.created, r.superseded_at) for r in rows
    }


def _watch_reports(conn, window_rows, patchsets, look_since, windows, scope) -> list[tuple]:
    """Per system and project, its latest report dated in ``[look_since, since)`` (what the
    watched projects need beyond the window), for the projects it has no report on in the
    first window.

    The per-day counts the collector keeps say which projects to look at; when they do not
    cover the window's reports (data stored some other way), every report is scanned instead.
    """
    ids, project_id = scope
    since, until, first_until = windows[0].since, windows[-1].until, windows[0].until

    def pairs(report_rows):
        return {(r[1], patchsets[r[2]].project_id) for r in report_rows if r[2] in patchsets}

    counted = queries.reported_pairs(conn, since.date(), until.date(), ids, project_id)
    if not pairs(window_rows) <= counted:
        rows = queries.latest_per_project(conn, look_since, since, ids, project_id)
    else:
        candidates = queries.reported_pairs(conn, look_since.date(), since.date(), ids, project_id)
        candidates -= pairs(r for r in window_rows if r.date < first_until)
        rows = queries.latest_in_projects(conn, candidates, look_since, since)
    return [tuple(r)[:7] for r in rows]


def _reports_by_system(rows, keys: _Keys) -> dict[int, list[stats.Report]]:
    """Report rows (deduplicated) as stats reports per system, ordered by (date, seq)."""
    unique = {row[0]: row for row in rows}
    by_system: dict[int, list[stats.Report]] = defaultdict(list)
    for rid, system_id, patchset_id, change_id, number, date, result_class in sorted(
        unique.values(), key=_window_rows_key
    ):
        key = keys.of(patchset_id, change_id, number, ("report", rid))
        by_system[system_id].append(stats.Report(system_id, key, date, result_class, rid))
    return by_system


def _rechecks(rows, keys: _Keys) -> list[stats.Recheck]:
    rechecks = [
        stats.Recheck(
            keys.of(r.patchset_id, r.change_id, r.patchset_number, ("recheck", i)), r.date, r.target
        )
        for i, r in enumerate(rows)
    ]
    return sorted(rechecks, key=lambda rc: rc.date)


def _timelines(patchsets: Iterable[stats.Patchset]) -> dict[str, _Timeline]:
    timelines: dict[str, _Timeline] = defaultdict(_Timeline)
    for p in sorted(patchsets, key=lambda p: p.created):
        timelines[p.project].created.append(p.created)
        timelines[p.project].patchsets.append(p)
    return timelines


def _group(items, key) -> dict:
    groups = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def _inputs(row, data: _Data, window, cfg, earlier: _Earlier | None = None) -> _Inputs:
    """The reports, patchsets and rechecks stats.system_figures needs for one window."""
    mine = data.reports.get(row.id, [])
    dates = [r.date for r in mine]
    lo, hi = bisect_left(dates, window.since), bisect_left(dates, window.until)
    if earlier is None:
        earlier = _Earlier(data.patchsets)
        earlier.add(mine[:lo])
    in_window = mine[lo:hi]
    rechecked = {rc.patchset_id for rc in _between(data.rechecks, window)}
    picked = {r.seq: r for r in earlier.needed(rechecked)}
    reports = sorted(picked.values(), key=lambda r: (r.date, r.seq)) + in_window
    return _Inputs(
        reports=reports,
        patchsets=_candidate_patchsets(reports, data, window, cfg),
        rechecks=_rechecks_on(reports, data, window),
        reference=_reference_reports(data, window),
    )


def _candidate_patchsets(reports, data: _Data, window, cfg) -> list[stats.Patchset]:
    """Patchsets that can be eligible or pending for the system, plus those it reported on:
    of the projects it reported on, created since the window's start or its last report."""
    if not reports:
        return []
    reported = {
        r.patchset_id: data.patchsets[r.patchset_id]
        for r in reports
        if r.patchset_id in data.patchsets
    }
    last = reports[-1].date
    start = min(window.since, max(last, window.until - cfg.watch_lookback))
    candidates = dict(reported)
    for project in {p.project for p in reported.values()}:
        for p in data.timelines[project].since(start, window.until):
            candidates[p.id] = p
    return list(candidates.values())


def _rechecks_on(reports, data: _Data, window) -> list[stats.Recheck]:
    """Rechecks in the window on the patchsets of ``reports``."""
    keys = {r.patchset_id for r in reports}
    return [
        rc
        for key in keys
        for rc in data.rechecks_by_key.get(key, ())
        if window.since <= rc.date < window.until
    ]


def _reference_reports(data: _Data, window) -> list[stats.Report] | None:
    if data.reference is None:
        return None
    reports = data.reports.get(data.reference, [])
    dates = [r.date for r in reports]
    return reports[bisect_left(dates, window.since) : bisect_left(dates, window.until)]


def _between(rechecks: list[stats.Recheck], window) -> list[stats.Recheck]:
    dates = [rc.date for rc in rechecks]
    return rechecks[bisect_left(dates, window.since) : bisect_left(dates, window.until)]


# --- shaping results ---------------------------------------------------------------------------


def _identity(row) -> dict:
    return {"id": row.id, "name": row.name, "username": row.username}


def _summary(row, figures: stats.SystemFigures) -> dict:
    result = _identity(row)
    result["health"] = {name: getattr(figures, name) for name in HEALTH_FIELDS}
    result["stats"] = {name: getattr(figures, name) for name in STATS_FIELDS}
    return result


def _match(rows: Sequence, key: str):
    """The row whose id equals ``key`` (a number), else whose username does, else None."""
    if key.isdigit():
        for row in rows:
            if row.id == int(key):
                return row
    for row in rows:
        if row.username == key:
            return row
    return None


def _check_window(window: stats.Window) -> None:
    if not window.since < window.until:
        raise InvalidParameter("window: since must be before until")


def _buckets(window: stats.Window, size: timedelta) -> list[stats.Window]:
    """Consecutive buckets of ``size`` ending at ``window.until``, the oldest cut at since."""
    buckets, until = [], window.until
    while until > window.since:
        buckets.append(stats.Window(max(window.since, until - size), until))
        until -= size
    return buckets[::-1]


def _job_figures(runs) -> list[dict]:
    """Per job name: runs by class, success rate, p50 duration, last success, voting."""
    jobs = []
    for name, group in _group(runs, lambda run: run.name).items():
        counts = {cls: sum(run.result_class == cls for run in group) for cls in JOB_CLASSES}
        decided = counts["success"] + counts["failure"] + counts["error"]
        successes = [run.date for run in group if run.result_class == stats.SUCCESS]
        latest = max(group, key=lambda run: (run.date, run.id, run.position))
        jobs.append(
            {
                "name": name,
                "runs": len(group),
                **counts,
                "success_rate": counts["success"] / decided if decided else None,
                "duration_p50_s": stats.percentile(
                    [run.duration_s for run in group if run.duration_s is not None], 0.5
                ),
                "last_success_at": max(successes, default=None),
                "voting": bool(latest.voting),
            }
        )
    jobs.sort(key=lambda job: (-job["runs"], job["name"] is None, job["name"] or ""))
    return jobs


def _latest_per_patchset_and_system(reports) -> dict[tuple[int, int], tuple]:
    """(patchset number, system id) -> (latest report, number of reports); reports without a
    patchset number are left out."""
    latest: dict[tuple[int, int], tuple] = {}
    for r in sorted(reports, key=lambda r: (r.date, r.id)):
        if r.patchset_number is None:
            continue
        key = (r.patchset_number, r.system_id)
        latest[key] = (r, latest[key][1] + 1 if key in latest else 1)
    return latest


def _results_per_patchset(latest, system_order, jobs) -> dict[int, list[dict]]:
    """Per patchset number, the grid's results in the order of ``system_order``."""
    rank = {system_id: index for index, system_id in enumerate(system_order)}
    results = defaultdict(list)
    for (number, _), (report, count) in sorted(
        latest.items(), key=lambda item: (item[0][0], rank[item[0][1]])
    ):
        results[number].append(_result(report, count, jobs.get(report.id, [])))
    return results


def _result(report, count: int, jobs: list[dict]) -> dict:
    return {
        "system_id": report.system_id,
        "result": report.result,
        "result_class": report.result_class,
        "date": report.date,
        "report_id": report.id,
        "reports": count,
        "jobs": jobs,
    }


# --- reasons -----------------------------------------------------------------------------------


def _waiting(inputs: _Inputs, figures: stats.SystemFigures, window, cfg) -> int:
    """How many patchsets waited for the system after its last report (the silent check)."""
    by_id = {p.id: p for p in inputs.patchsets}
    watched = stats.watched_projects(inputs.reports, by_id, window.until, cfg)
    return sum(
        stats.pending_patchsets_after([p], watched, figures.last_report_at, window.until, cfg)
        for p in inputs.patchsets
    )


def _reasons(figures: stats.SystemFigures, window, cfg, waiting: int) -> list[str]:
    """Short sentences saying what pulls the status down; empty when healthy."""
    if figures.status == "healthy":
        return []
    until = window.until
    if figures.status == "unknown":
        return [f"no report in the {_span(cfg.watch_lookback)} before the end of the window"]
    reasons = []
    if figures.status == "silent":
        quiet = _span(until - figures.last_report_at)
        reasons.append(f"no report for {quiet} while {waiting} patchsets waited")
    last_success = figures.last_success_at
    if last_success is None or last_success < until - cfg.unsupported_after:
        reasons.append(f"no successful report in {_span(cfg.unsupported_after)}")
    if figures.score is not None and figures.score < cfg.score_degraded_below:
        reasons += _component_reasons(figures, cfg)
    return reasons


def _component_reasons(figures: stats.SystemFigures, cfg) -> list[str]:
    reasons = []
    healthy = cfg.score_degraded_below / 100
    for name, label in COMPONENT_LABELS.items():
        value = getattr(figures, name)
        if value is not None and value < healthy:
            reasons.append(f"{label} {value:.0%} is below what a healthy system reaches")
            deadline = cfg.report_deadline
            p50 = figures.latency_p50_s
            if name == "timeliness" and p50 is not None and p50 > deadline.total_seconds():
                reasons.append(
                    f"latency p50 {_span(timedelta(seconds=p50))} exceeds the "
                    f"{_span(deadline)} deadline"
                )
    return reasons


def _span(delta: timedelta) -> str:
    """'45 min', '5.2 h', '3 days'."""
    seconds = delta.total_seconds()
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f}".removesuffix(".0") + " h"
    return f"{int(seconds // 86400)} days"


def _first_line(error) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
