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

from sqlalchemy.engine import Row
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
    _dates: dict = field(default_factory=dict)  # report dates per system
    _rechecked: dict = field(default_factory=dict)  # patchset keys rechecked per window

    def span(self, system_id: int, window: stats.Window) -> tuple[int, int]:
        """Index range of the system's reports dated in ``window``."""
        if system_id not in self._dates:
            self._dates[system_id] = [r.date for r in self.reports.get(system_id, ())]
        dates = self._dates[system_id]
        return bisect_left(dates, window.since), bisect_left(dates, window.until)

    def in_window(self, system_id: int, window: stats.Window) -> list[stats.Report]:
        lo, hi = self.span(system_id, window)
        return self.reports.get(system_id, [])[lo:hi]

    def rechecked(self, window: stats.Window) -> set[int]:
        """Keys of the patchsets rechecked in ``window``."""
        if window not in self._rechecked:
            dates = [rc.date for rc in self.rechecks]
            lo, hi = bisect_left(dates, window.since), bisect_left(dates, window.until)
            self._rechecked[window] = {rc.patchset_id for rc in self.rechecks[lo:hi]}
        return self._rechecked[window]


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


# --- fetching ------------------------------------------------------------------------------------


class _Fetch:
    """The queries behind the figures of some systems over consecutive windows.

    Report rows are tuples (id, system_id, patchset_id, change_id, patchset_number, date,
    result_class). Beyond the reports in ``[since, until)`` it fetches the few older ones that
    matter (see the module docstring). The collector's per-day counts (system_days) tell which
    systems and projects have older reports, so that queries which would find nothing are
    skipped; they are used only when they cover every system and project of the window's
    reports, else the reports themselves are searched.
    """

    def __init__(self, conn, rows, windows, project_id, reference, cfg):
        self.conn, self.rows, self.project_id, self.reference = conn, rows, project_id, reference
        self.since, self.until = windows[0].since, windows[-1].until
        self.first_until = windows[0].until  # reports before it serve every window
        self.look_since = self.first_until - cfg.watch_lookback
        self.ids = {row.id for row in rows} | ({reference} if reference is not None else set())
        self.patchsets: dict[int, Row] = {}  # patchset rows by id
        self.created_since = self.until  # patchsets created since then are fetched

    def run(self) -> _Data:
        conn, ids, project_id = self.conn, self.ids, self.project_id
        window = queries.reports_between(conn, self.since, self.until, ids, project_id)
        recheck_rows = queries.rechecks_between(conn, self.since, self.until, project_id)
        self._add_created(self.since)
        self._add_patchsets(window)
        counted = self._counts_cover(window)
        extra = queries.early_reports(conn, self.since, self.until, ids, project_id)
        unmatched = {r.change_id for r in recheck_rows if r.patchset_id is None}
        if unmatched:
            extra += queries.early_unmatched_reports(conn, self.since, unmatched, ids, project_id)
        latest, latest_success = self._latest_before(window, counted)
        # A system whose last report is older than the window may have patchsets waiting
        # since then (the silent status).
        self._add_created(max(self.look_since, min([self.since] + [r[5] for r in latest])))
        extra += latest + latest_success
        if self.look_since < self.since:
            extra += self._watch(window, counted)
        self._add_patchsets(extra)
        return self._data(window, extra, recheck_rows)

    def _add_created(self, start: datetime) -> None:
        """Fetch the patchsets created since ``start`` not fetched yet."""
        if start < self.created_since:
            rows = queries.patchsets_created(self.conn, start, self.created_since, self.project_id)
            self.patchsets.update((r.id, r) for r in rows)
            self.created_since = start

    def _data(self, window, earlier, recheck_rows) -> _Data:
        keys = _Keys()
        rechecks = _rechecks(recheck_rows, keys)
        names = queries.project_names(self.conn)
        patchsets = {
            r.id: stats.Patchset(r.id, names[r.project_id], r.created, r.superseded_at)
            for r in self.patchsets.values()
        }
        return _Data(
            reports=_reports_by_system(window, earlier, keys),
            patchsets=patchsets,
            timelines=_timelines(patchsets.values()),
            rechecks=rechecks,
            rechecks_by_key=_group(rechecks, lambda rc: rc.patchset_id),
            reference=self.reference,
        )

    def _add_patchsets(self, report_rows) -> None:
        """Fetch the known patchsets of ``report_rows`` not fetched yet."""
        missing = {r[2] for r in report_rows} - self.patchsets.keys() - {None}
        self.patchsets.update((r.id, r) for r in queries.patchsets_by_ids(self.conn, missing))

    def _pairs(self, report_rows) -> set[tuple[int, int]]:
        """(system id, project id) of the reports on known patchsets."""
        return {
            (r[1], self.patchsets[r[2]].project_id) for r in report_rows if r[2] in self.patchsets
        }

    def _counts_cover(self, window) -> bool:
        """Whether the per-day counts cover every (system, project) of the window's reports."""
        in_window = self._pairs(window)
        if not in_window:
            return False
        counted = queries.reported_pairs(
            self.conn, self.since.date(), self.until.date(), self.ids, self.project_id
        )
        return in_window <= counted.keys()

    def _latest_before(self, window, counted: bool) -> tuple[list, list]:
        """Latest reports and latest successes before ``since`` of the systems that have none
        before ``first_until``."""
        first = [r for r in window if r[5] < self.first_until]
        has_report = {r[1] for r in first}
        has_success = {r[1] for r in first if r[6] == stats.SUCCESS}
        lacking = {row.id for row in self.rows} - (has_report & has_success)
        days = {}
        if counted and lacking:
            days = queries.latest_days(self.conn, self.since.date(), lacking, self.project_id)
        latest = [self._latest(s, None, counted, days) for s in lacking - has_report]
        successes = [self._latest(s, stats.SUCCESS, counted, days) for s in lacking - has_success]
        return [r for r in latest if r is not None], [r for r in successes if r is not None]

    def _latest(self, system_id, result_class, counted, days):
        """The system's latest report (of ``result_class``) before ``since``; with the per-day
        counts, searched from the last day they show, or not at all when they show none."""
        before = self.since
        if counted:
            last_day, last_success_day = days.get(system_id, (None, None))
            day = last_day if result_class is None else last_success_day
            if day is None:
                return None
            before = min(before, datetime.combine(day, datetime.min.time()) + timedelta(days=1))
        return queries.latest_report(self.conn, system_id, before, self.project_id, result_class)

    def _watch(self, window, counted: bool) -> list[tuple]:
        """Per system and project, its latest report dated in ``[look_since, since)`` (for the
        watched projects), for the projects it has no report on before ``first_until``."""
        args = (self.conn, self.look_since, self.since)
        if not counted:
            rows = queries.latest_per_project(*args, self.ids, self.project_id)
            return [tuple(r)[:7] for r in rows]
        first_day, last_day = self.look_since.date(), self.since.date()
        days = queries.reported_pairs(self.conn, first_day, last_day, self.ids, self.project_id)
        for pair in self._pairs(r for r in window if r[5] < self.first_until):
            days.pop(pair, None)
        rows = queries.latest_in_projects(*args, days)
        # Not on the last day counted (its reports were later, or on unknown patchsets): search
        # the whole range.
        missing = days.keys() - {(r[1], r[-1]) for r in rows}
        rows += queries.latest_in_projects(*args, dict.fromkeys(missing))
        return [tuple(r)[:7] for r in rows]


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

    @staticmethod
    def anchored(window: stats.Window) -> stats.Window:
        """The window a question about ``window`` is answered for: itself, as every answer is
        computed afresh (a cache may answer for an earlier one: radar_core.cache)."""
        return window

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
        reference = self._reference_id(conn, known)
        return _Fetch(conn, rows, windows, project_id, reference, self.cfg).run()

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
        earlier = _Earlier(data.patchsets)
        figures, fed = [], 0
        for window in windows:
            start, _ = data.span(row.id, window)
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


def _reports_by_system(window, earlier, keys: _Keys) -> dict[int, list[stats.Report]]:
    """Report rows as stats reports per system, ordered by (date, seq): ``window`` rows are
    ordered by system, date and id; ``earlier`` ones (dated before them) may repeat."""
    by_system: dict[int, list[stats.Report]] = defaultdict(list)
    earlier = sorted({row[0]: row for row in earlier}.values(), key=lambda row: (row[5], row[0]))
    for rows in (earlier, window):
        for rid, system_id, patchset_id, change_id, number, date, result_class in rows:
            if patchset_id is None:
                patchset_id = keys.of(patchset_id, change_id, number, ("report", rid))
            by_system[system_id].append(
                stats.Report(system_id, patchset_id, date, result_class, rid)
            )
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
    """The reports, patchsets and rechecks stats.system_figures needs for one window;
    ``earlier`` holds the system's reports dated before the window."""
    if earlier is None:
        earlier = _Earlier(data.patchsets)
        earlier.add(data.reports.get(row.id, [])[: data.span(row.id, window)[0]])
    picked = {r.seq: r for r in earlier.needed(data.rechecked(window))}
    reports = sorted(picked.values(), key=lambda r: (r.date, r.seq))
    reports += data.in_window(row.id, window)
    reference = None if data.reference is None else data.in_window(data.reference, window)
    return _Inputs(
        reports=reports,
        patchsets=_candidate_patchsets(reports, data, window, cfg),
        rechecks=_rechecks_on(reports, data, window),
        reference=reference,
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
