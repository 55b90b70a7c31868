"""SQL fetching helpers of :mod:`radar_core.service` for lists (the figures come from
radar_core.engine).

Each helper takes a SQLAlchemy ``Connection`` and returns plain rows (tuples) holding only the
columns asked for, never ORM objects. Reports are verdicts only (kind 'report'); a report's
project is its change's project. ``system_ids`` restricts to those systems; ``project_id``
(when not None) to one project.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.engine import Connection, Row

from radar_core.models import (
    Alert,
    AlertDelivery,
    Change,
    CISystem,
    EngineState,
    Event,
    JobResult,
    Patchset,
    PollLog,
    PollState,
    Project,
    Recheck,
    Report,
    ReportFact,
    SourceStatus,
    StatusChange,
    SystemProject,
)

CHUNK = 500  # ids per IN list
PATCHSET_DATE_INDEX = "ix_reports_patchset_id_date"
DAY = timedelta(days=1)

# id, system_id, patchset_id, change_id, patchset_number, date, result_class
REPORT_COLUMNS = (
    Report.id,
    Report.system_id,
    Report.patchset_id,
    Report.change_id,
    Report.patchset_number,
    Report.date,
    Report.result_class,
)
PATCHSET_COLUMNS = (Patchset.id, Patchset.project_id, Patchset.created, Patchset.superseded_at)
SYSTEM_COLUMNS = (
    CISystem.id,
    CISystem.name,
    CISystem.username,
    CISystem.recheck_keyword,
    CISystem.contact_name,
    CISystem.contact_email,
    CISystem.info_url,
)
JOB_COLUMNS = (
    JobResult.report_id,
    JobResult.name,
    JobResult.url,
    JobResult.result,
    JobResult.result_class,
    JobResult.duration_s,
    JobResult.voting,
    JobResult.detail,
)


def _chunks(values: Iterable, size: int = CHUNK):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _project_changes(project_id: int):
    return select(Change.id).where(Change.project_id == project_id)


def _verdicts(system_ids: Iterable[int], project_id: int | None, *columns):
    """SELECT ``columns`` of the reports (verdicts) of ``system_ids`` (and ``project_id``)."""
    stmt = select(*columns).where(Report.kind == "report")
    stmt = stmt.where(Report.system_id.in_(sorted(system_ids)))
    if project_id is not None:
        stmt = stmt.where(Report.change_id.in_(_project_changes(project_id)))
    return stmt


# --- systems and projects ------------------------------------------------------------------


def systems(conn: Connection) -> list[Row]:
    """Every CI system: id, name, username, recheck_keyword, contact_name, contact_email,
    info_url."""
    return list(conn.execute(select(*SYSTEM_COLUMNS)))


def is_number(key: str) -> bool:
    """ASCII digits only (str.isdigit accepts '³' and other digits int() may refuse)."""
    return key.isascii() and key.isdigit() and len(key) <= 18


def systems_by_key(conn: Connection, key: str) -> list[Row]:
    """Systems whose id (when ``key`` is a number) or username equals ``key``."""
    condition = CISystem.username == key
    if is_number(key):
        condition = or_(CISystem.id == int(key), condition)
    return list(conn.execute(select(*SYSTEM_COLUMNS).where(condition)))


def project_id(conn: Connection, name: str) -> int | None:
    return conn.scalar(select(Project.id).where(Project.name == name))


def project_names(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(Project.id, Project.name)).all())


# --- jobs and reports of one system ------------------------------------------------------------


def job_runs(conn, system_id, since, until, project_id) -> list[Row]:
    """Job results of the system's reports dated in the window: report date, report id, name,
    result_class, duration_s, voting, position."""
    stmt = (
        _verdicts(
            [system_id],
            project_id,
            Report.date,
            Report.id,
            JobResult.name,
            JobResult.result_class,
            JobResult.duration_s,
            JobResult.voting,
            JobResult.position,
        )
        .join(JobResult, JobResult.report_id == Report.id)
        .where(Report.date >= since, Report.date < until)
    )
    return list(conn.execute(stmt))


def job_last_success(conn, system_id, names, before, project_id) -> dict[str | None, datetime]:
    """Per job name, the date of the latest report before ``before`` where it succeeded."""
    names = set(names)
    named = [name for name in names if name is not None]
    conditions = [JobResult.name.in_(named)] if named else []
    if None in names:
        conditions.append(JobResult.name.is_(None))
    if not conditions:
        return {}
    stmt = (
        _verdicts([system_id], project_id, JobResult.name, func.max(Report.date))
        .join(JobResult, JobResult.report_id == Report.id)
        .where(Report.date < before, JobResult.result_class == "success", or_(*conditions))
        .group_by(JobResult.name)
    )
    return dict(conn.execute(stmt).all())


@dataclass(frozen=True)
class ReportFilter:
    """What a reports list keeps: each field None for any. ``result`` is a report's result
    word (FAILURE, NODE_FAILURE...), ``job`` a job name one of its jobs has, ``change`` a
    change number."""

    result: str | None = None
    job: str | None = None
    pipeline: str | None = None
    change: int | None = None

    def apply(self, stmt):
        if self.result is not None:
            stmt = stmt.where(Report.result == self.result)
        if self.pipeline is not None:
            stmt = stmt.where(Report.pipeline == self.pipeline)
        if self.change is not None:
            stmt = stmt.where(
                Report.change_id.in_(select(Change.id).where(Change.number == self.change)))
        if self.job is not None:
            stmt = stmt.where(
                select(JobResult.id)
                .where(JobResult.report_id == Report.id, JobResult.name == self.job)
                .exists()
            )
        return stmt


NO_FILTER = ReportFilter()


def report_date(conn, report_id, system_id, since, until, project_id,
                filters: ReportFilter = NO_FILTER) -> datetime | None:
    """Date of report ``report_id`` if it is one of the system's reports in the window."""
    stmt = _verdicts([system_id], project_id, Report.date).where(
        Report.id == report_id, Report.date >= since, Report.date < until
    )
    return conn.scalar(filters.apply(stmt))


def report_page(conn, system_id, since, until, project_id, limit, after=None,
                filters: ReportFilter = NO_FILTER) -> list[Row]:
    """Up to ``limit`` reports, newest first (date, then id), after ``(date, id)`` if given:
    id, date, result, result_class, vote, pipeline, project name, change number, patchset."""
    stmt = (
        _verdicts(
            [system_id],
            project_id,
            Report.id,
            Report.date,
            Report.result,
            Report.result_class,
            Report.vote,
            Report.pipeline,
            Project.name,
            Change.number,
            Report.patchset_number,
            Report.sanitised,
            Report.jobs_dropped,
        )
        .join(Change, Change.id == Report.change_id)
        .join(Project, Project.id == Change.project_id)
        .where(Report.date >= since, Report.date < until)
    )
    if after is not None:
        date, report_id = after
        stmt = stmt.where(or_(Report.date < date, and_(Report.date == date, Report.id < report_id)))
    stmt = filters.apply(stmt).order_by(Report.date.desc(), Report.id.desc()).limit(limit)
    return list(conn.execute(stmt))


def report_results(conn, system_id, since, until, project_id) -> list[Row]:
    """The system's reports in the window counted per result word: result, result_class,
    reports, last (the newest date)."""
    stmt = (
        _verdicts([system_id], project_id, Report.result, Report.result_class,
                  func.count().label("reports"), func.max(Report.date).label("last"))
        .where(Report.date >= since, Report.date < until)
        .group_by(Report.result, Report.result_class)
    )
    return list(conn.execute(stmt))


def failed_job_runs(conn, system_id, since, until, project_id) -> list[Row]:
    """Job runs that did not succeed (class failure or error) in the system's reports of the
    window: date, name, result, result_class, detail, voting."""
    stmt = (
        _verdicts([system_id], project_id, Report.date, JobResult.name, JobResult.result,
                  JobResult.result_class, JobResult.detail, JobResult.voting)
        .join(JobResult, JobResult.report_id == Report.id)
        .where(Report.date >= since, Report.date < until,
               JobResult.result_class.in_(("failure", "error")))
    )
    return list(conn.execute(stmt))


def jobs_of_reports(conn, report_ids: Iterable[int]) -> list[Row]:
    """Job results of the reports, by report then position (JOB_COLUMNS)."""
    rows = []
    for chunk in _chunks(report_ids):
        stmt = (
            select(*JOB_COLUMNS)
            .where(JobResult.report_id.in_(chunk))
            .order_by(JobResult.report_id, JobResult.position)
        )
        rows += conn.execute(stmt)
    return rows


# --- changes, projects, status ---------------------------------------------------------------


def change(conn, number: int) -> Row | None:
    """id, number, project name, branch, subject, status of change ``number``."""
    stmt = (
        select(Change.id, Change.number, Project.name, Change.branch, Change.subject, Change.status)
        .join(Project, Project.id == Change.project_id)
        .where(Change.number == number)
    )
    return conn.execute(stmt).first()


def change_patchsets(conn, change_id: int) -> list[Row]:
    """number, created of the change's patchsets."""
    stmt = select(Patchset.number, Patchset.created).where(Patchset.change_id == change_id)
    return list(conn.execute(stmt))


def change_reports(conn, change_id: int) -> list[Row]:
    """id, system_id, patchset_number, date, result, result_class of the change's reports."""
    stmt = select(
        Report.id,
        Report.system_id,
        Report.patchset_number,
        Report.date,
        Report.result,
        Report.result_class,
    ).where(Report.change_id == change_id, Report.kind == "report")
    return list(conn.execute(stmt))


def systems_by_ids(conn, ids: Iterable[int]) -> list[Row]:
    rows = []
    for chunk in _chunks(ids):
        rows += conn.execute(select(*SYSTEM_COLUMNS).where(CISystem.id.in_(chunk)))
    return rows


def project_counts(conn) -> list[tuple[str, int, int, int]]:
    """Per project: name, changes, patchsets, and CI systems that reported on it."""
    changes = dict(
        conn.execute(select(Change.project_id, func.count()).group_by(Change.project_id)).all()
    )
    patchsets = dict(
        conn.execute(select(Patchset.project_id, func.count()).group_by(Patchset.project_id)).all()
    )
    systems = dict(
        conn.execute(
            select(SystemProject.project_id, func.count()).group_by(SystemProject.project_id)
        ).all()
    )
    return [
        (name, changes.get(pid, 0), patchsets.get(pid, 0), systems.get(pid, 0))
        for pid, name in conn.execute(select(Project.id, Project.name))
    ]


def poll_states(conn) -> list[Row]:
    """query, watermark, last_success_at, locked_by of every polled query, by query."""
    stmt = select(
        PollState.query, PollState.watermark, PollState.last_success_at, PollState.locked_by
    ).order_by(PollState.query)
    return list(conn.execute(stmt))


def latest_polls(conn, limit: int) -> list[Row]:
    """The latest polls, newest first."""
    stmt = select(
        PollLog.id,
        PollLog.query,
        PollLog.started_at,
        PollLog.finished_at,
        PollLog.outcome,
        PollLog.requests,
        PollLog.errors,
        PollLog.rate_limited,
        PollLog.changes,
        PollLog.reports_stored,
        PollLog.rechecks_stored,
        PollLog.message,
    ).order_by(PollLog.started_at.desc(), PollLog.id.desc())
    return list(conn.execute(stmt.limit(limit)))


def gerrit_usage(conn, since: datetime) -> dict:
    """What the polls that started at or after ``since`` asked of Gerrit: requests, errors,
    HTTP 429 replies and seconds waited as Retry-After asked."""
    row = conn.execute(
        select(
            func.count().label("polls"),
            func.coalesce(func.sum(PollLog.requests), 0).label("requests"),
            func.coalesce(func.sum(PollLog.errors), 0).label("errors"),
            func.coalesce(func.sum(PollLog.rate_limited), 0).label("rate_limited"),
            func.coalesce(func.sum(PollLog.retry_wait_s), 0).label("retry_wait_s"),
        ).where(PollLog.started_at >= since)
    ).one()
    return {
        "polls": int(row.polls),
        "requests": int(row.requests),
        "errors": int(row.errors),
        "rate_limited": int(row.rate_limited),
        "retry_wait_s": round(float(row.retry_wait_s), 3),
    }


def source_states(conn) -> list[Row]:
    """The event streams' states as their collectors last wrote them, by name."""
    return list(conn.execute(select(SourceStatus).order_by(SourceStatus.name)))


def totals(conn) -> dict[str, int]:
    """Row counts: systems, changes, patchsets, rechecks (the reports are counted by the health
    engine: a COUNT of a million rows takes a quarter of a second)."""
    counts = {
        "systems": select(func.count()).select_from(CISystem),
        "changes": select(func.count()).select_from(Change),
        "patchsets": select(func.count()).select_from(Patchset),
        "rechecks": select(func.count()).select_from(Recheck),
    }
    return {name: int(conn.scalar(stmt)) for name, stmt in counts.items()}


def reports_from(conn, moment: datetime) -> int:
    """How many verdicts are dated at or after ``moment``."""
    return int(conn.scalar(
        select(func.count()).select_from(ReportFact).where(ReportFact.date >= moment)
    ))


# --- history and events ------------------------------------------------------------------------


def status_changes(conn, system_id: int, since, until) -> list[Row]:
    """The system's status changes in [since, until), oldest first."""
    sc = StatusChange
    stmt = (
        select(sc.at, sc.from_status, sc.to_status, sc.score, sc.reasons)
        .where(sc.system_id == system_id, sc.at >= since, sc.at < until)
        .order_by(sc.at, sc.id)
    )
    return list(conn.execute(stmt))


EVENT_COLUMNS = (Event.id, Event.at, Event.kind, Event.system_id, Event.payload)


def events_page(conn, limit: int, before_id: int | None = None, system_id=None) -> list[Row]:
    """Events newest first, ``limit`` of them, older than ``before_id`` if given."""
    stmt = select(*EVENT_COLUMNS).order_by(Event.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(Event.id < before_id)
    if system_id is not None:
        stmt = stmt.where(Event.system_id == system_id)
    return list(conn.execute(stmt))


def events_after(conn, after_id: int, limit: int = 100) -> list[Row]:
    """Events newer than ``after_id``, oldest first (what a stream sends next)."""
    stmt = select(*EVENT_COLUMNS).where(Event.id > after_id).order_by(Event.id).limit(limit)
    return list(conn.execute(stmt))


def last_event_id(conn) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(Event.id), 0))))


# --- counters for /metrics ---------------------------------------------------------------------

POLL_DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)


def _seconds_between(conn, start, end):
    if conn.dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.timestampdiff(text("MICROSECOND"), start, end) / 1e6


def poll_counters(conn) -> dict:
    """Every poll logged, summed: polls per outcome, requests, errors, rate limited, reports
    and rechecks stored, and the finished polls' durations as histogram buckets."""
    p = PollLog
    by_outcome = dict(conn.execute(select(p.outcome, func.count()).group_by(p.outcome)).all())
    sums = conn.execute(select(
        func.coalesce(func.sum(p.requests), 0), func.coalesce(func.sum(p.errors), 0),
        func.coalesce(func.sum(p.rate_limited), 0), func.coalesce(func.sum(p.reports_stored), 0),
        func.coalesce(func.sum(p.rechecks_stored), 0))).one()
    seconds = _seconds_between(conn, p.started_at, p.finished_at)
    finished = p.finished_at.is_not(None)
    columns = [func.count(), func.coalesce(func.sum(seconds), 0)] + [
        func.coalesce(func.sum(case((seconds <= bound, 1), else_=0)), 0)
        for bound in POLL_DURATION_BUCKETS]
    count, total, *buckets = conn.execute(select(*columns).where(finished)).one()
    return {
        "polls": {k: int(v) for k, v in by_outcome.items()},
        "requests": int(sums[0]), "errors": int(sums[1]), "rate_limited": int(sums[2]),
        "reports_stored": int(sums[3]), "rechecks_stored": int(sums[4]),
        "duration": {"count": int(count), "sum": float(total),
                     "buckets": list(zip(POLL_DURATION_BUCKETS, map(int, buckets),
                                         strict=True))},
    }


def engine_runs(conn):
    return conn.execute(select(EngineState.runs, EngineState.run_seconds,
                               EngineState.last_run_at, EngineState.last_run_seconds)).first()


def delivery_counts(conn) -> dict[str, int]:
    rows = conn.execute(select(AlertDelivery.state, func.count()).group_by(AlertDelivery.state))
    return {state: int(n) for state, n in rows}


def latest_deliveries(conn, limit: int) -> list[Row]:
    d = AlertDelivery
    stmt = (select(d.id, d.alert_id, Alert.system_id, d.channel, d.kind, d.state, d.attempts,
                   d.due_at, d.sent_at, d.last_error)
            .join(Alert, Alert.id == d.alert_id).order_by(d.id.desc()).limit(limit))
    return list(conn.execute(stmt))
