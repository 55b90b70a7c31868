"""SQL fetching helpers of :mod:`radar_core.service`.

Each helper takes a SQLAlchemy ``Connection`` and returns plain rows (tuples) holding only the
columns asked for, never ORM objects. Reports are verdicts only (kind 'report'); a report's
project is its change's project. ``system_ids`` restricts to those systems; ``project_id``
(when not None) to one project.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select, union, union_all
from sqlalchemy.engine import Connection, Row

from radar_core.models import (
    Change,
    CISystem,
    JobResult,
    Patchset,
    PollLog,
    PollState,
    Project,
    Recheck,
    Report,
    SystemDay,
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


def systems_by_key(conn: Connection, key: str) -> list[Row]:
    """Systems whose id (when ``key`` is a number) or username equals ``key``."""
    condition = CISystem.username == key
    if key.isdigit():
        condition = or_(CISystem.id == int(key), condition)
    return list(conn.execute(select(*SYSTEM_COLUMNS).where(condition)))


def project_id(conn: Connection, name: str) -> int | None:
    return conn.scalar(select(Project.id).where(Project.name == name))


def project_names(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(Project.id, Project.name)).all())


# --- what the figures need -------------------------------------------------------------------


def reports_between(conn, since, until, system_ids, project_id) -> list[Row]:
    """Reports dated in ``[since, until)``, by system, date and id (the order of the index on
    system and date: no sorting)."""
    stmt = _verdicts(system_ids, project_id, *REPORT_COLUMNS)
    stmt = stmt.where(Report.date >= since, Report.date < until)
    return list(conn.execute(stmt.order_by(Report.system_id, Report.date, Report.id)))


def latest_per_project(conn, since, before, system_ids, project_id) -> list[Row]:
    """Per system and project, its latest reports on known patchsets dated in ``[since,
    before)`` (all of them when several share that date); rows end with the project id."""
    latest = (
        _verdicts(
            system_ids, project_id, Report.system_id, Patchset.project_id, func.max(Report.date)
        )
        .join(Patchset, Patchset.id == Report.patchset_id)
        .where(Report.date >= since, Report.date < before)
        .group_by(Report.system_id, Patchset.project_id)
    )
    wanted = {tuple(row) for row in conn.execute(latest)}
    rows = []
    for chunk in _chunks({(system, when) for system, _, when in wanted}):
        stmt = (
            _verdicts(system_ids, project_id, *REPORT_COLUMNS, Patchset.project_id)
            .join(Patchset, Patchset.id == Report.patchset_id)
            .where(or_(*(and_(Report.system_id == s, Report.date == d) for s, d in chunk)))
        )
        rows += [row for row in conn.execute(stmt) if (row[1], row[-1], row[5]) in wanted]
    return rows


def reported_pairs(conn, first_day, last_day, system_ids, project_id) -> dict[tuple, date]:
    """(system_id, project_id) -> last day with reports, from the per-day counts of the days
    ``first_day`` to ``last_day`` (inclusive)."""
    stmt = (
        select(SystemDay.system_id, SystemDay.project_id, func.max(SystemDay.day))
        .where(SystemDay.day >= first_day, SystemDay.day <= last_day, SystemDay.reports > 0)
        .where(SystemDay.system_id.in_(sorted(system_ids)))
        .group_by(SystemDay.system_id, SystemDay.project_id)
    )
    if project_id is not None:
        stmt = stmt.where(SystemDay.project_id == project_id)
    return {(system_id, project): day for system_id, project, day in conn.execute(stmt)}


def latest_in_projects(conn, since, before, pairs: dict[tuple, date | None]) -> list[Row]:
    """Per (system_id, project_id) pair, the system's latest report on a known patchset of the
    project dated in ``[since, before)``, if any, searched only on the day the pair maps to
    (unless None); rows end with the project id."""
    rows = []
    for chunk in _chunks(pairs.items(), 50):
        latest = []
        for (system_id, project_id), day in chunk:
            start, end = since, before
            if day is not None:
                start = max(since, datetime.combine(day, time()))
                end = min(before, datetime.combine(day, time()) + DAY)
            latest.append(
                select(*REPORT_COLUMNS, Patchset.project_id)
                .join(Patchset, Patchset.id == Report.patchset_id)
                .where(Report.system_id == system_id, Patchset.project_id == project_id)
                .where(Report.kind == "report", Report.date >= start, Report.date < end)
                .order_by(Report.date.desc(), Report.id.desc())
                .limit(1)
                .subquery()
            )
        rows += conn.execute(union_all(*(select(*sub.c) for sub in latest)))
    return rows


def early_reports(conn, since, until, system_ids, project_id) -> list[Row]:
    """Reports dated before ``since`` on patchsets created in ``[since, until)`` or rechecked
    in it (first report times and the report a recheck follows)."""
    created = select(Patchset.id).where(Patchset.created >= since, Patchset.created < until)
    rechecked = select(Recheck.patchset_id.label("id")).where(
        Recheck.date >= since, Recheck.date < until, Recheck.patchset_id.is_not(None)
    )
    if project_id is not None:
        created = created.where(Patchset.project_id == project_id)
        rechecked = rechecked.where(Recheck.change_id.in_(_project_changes(project_id)))
    targets = union(created, rechecked).subquery()
    # No condition on the system here, so that the (patchset_id, date) index is used.
    stmt = (
        select(*REPORT_COLUMNS)
        .join(targets, Report.patchset_id == targets.c.id)
        .where(Report.kind == "report", Report.date < since)
    )
    for dialect in ("mysql", "mariadb"):  # MariaDB prefers the index without the date
        stmt = stmt.with_hint(Report, f"FORCE INDEX ({PATCHSET_DATE_INDEX})", dialect)
    wanted = set(system_ids)
    return [row for row in conn.execute(stmt) if row.system_id in wanted]


def early_unmatched_reports(conn, since, change_ids, system_ids, project_id) -> list[Row]:
    """Reports without a known patchset, dated before ``since``, on the changes given."""
    rows = []
    for chunk in _chunks(change_ids):
        stmt = _verdicts(system_ids, project_id, *REPORT_COLUMNS).where(
            Report.patchset_id.is_(None), Report.change_id.in_(chunk), Report.date < since
        )
        rows += conn.execute(stmt)
    return rows


def latest_days(conn, last_day, system_ids, project_id) -> dict[int, tuple]:
    """Per system, from the per-day counts up to ``last_day`` (inclusive): the last day with a
    report and the last day with a success (None when there is none)."""
    stmt = (
        select(
            SystemDay.system_id,
            func.max(case((SystemDay.reports > 0, SystemDay.day))),
            func.max(case((SystemDay.success > 0, SystemDay.day))),
        )
        .where(SystemDay.day <= last_day, SystemDay.system_id.in_(sorted(system_ids)))
        .group_by(SystemDay.system_id)
    )
    if project_id is not None:
        stmt = stmt.where(SystemDay.project_id == project_id)
    return {system_id: (last, success) for system_id, last, success in conn.execute(stmt)}


def latest_report(conn, system_id, before, project_id, result_class=None) -> Row | None:
    """The system's latest report dated before ``before`` (of ``result_class`` if given)."""
    stmt = _verdicts([system_id], project_id, *REPORT_COLUMNS).where(Report.date < before)
    if result_class is not None:
        stmt = stmt.where(Report.result_class == result_class)
    return conn.execute(stmt.order_by(Report.date.desc(), Report.id.desc()).limit(1)).first()


def patchsets_created(conn, since, until, project_id) -> list[Row]:
    """Patchsets created in ``[since, until)``: id, project_id, created, superseded_at."""
    stmt = select(*PATCHSET_COLUMNS).where(Patchset.created >= since, Patchset.created < until)
    if project_id is not None:
        stmt = stmt.where(Patchset.project_id == project_id)
    return list(conn.execute(stmt))


def patchsets_by_ids(conn, ids: Iterable[int]) -> list[Row]:
    rows = []
    for chunk in _chunks(ids):
        rows += conn.execute(select(*PATCHSET_COLUMNS).where(Patchset.id.in_(chunk)))
    return rows


def rechecks_between(conn, since, until, project_id) -> list[Row]:
    """Rechecks dated in ``[since, until)``: patchset_id, change_id, patchset_number, date,
    target."""
    stmt = select(
        Recheck.patchset_id,
        Recheck.change_id,
        Recheck.patchset_number,
        Recheck.date,
        Recheck.target,
    ).where(Recheck.date >= since, Recheck.date < until)
    if project_id is not None:
        stmt = stmt.where(Recheck.change_id.in_(_project_changes(project_id)))
    return list(conn.execute(stmt))


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


def report_date(conn, report_id, system_id, since, until, project_id) -> datetime | None:
    """Date of report ``report_id`` if it is one of the system's reports in the window."""
    stmt = _verdicts([system_id], project_id, Report.date).where(
        Report.id == report_id, Report.date >= since, Report.date < until
    )
    return conn.scalar(stmt)


def report_page(conn, system_id, since, until, project_id, limit, after=None) -> list[Row]:
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
        )
        .join(Change, Change.id == Report.change_id)
        .join(Project, Project.id == Change.project_id)
        .where(Report.date >= since, Report.date < until)
    )
    if after is not None:
        date, report_id = after
        stmt = stmt.where(or_(Report.date < date, and_(Report.date == date, Report.id < report_id)))
    stmt = stmt.order_by(Report.date.desc(), Report.id.desc()).limit(limit)
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
    """Per project: name, changes, patchsets, and CI systems that reported on it (from the
    per-day counts the collector keeps)."""
    changes = dict(
        conn.execute(select(Change.project_id, func.count()).group_by(Change.project_id)).all()
    )
    patchsets = dict(
        conn.execute(select(Patchset.project_id, func.count()).group_by(Patchset.project_id)).all()
    )
    systems = dict(
        conn.execute(
            select(SystemDay.project_id, func.count(SystemDay.system_id.distinct()))
            .where(SystemDay.reports > 0)
            .group_by(SystemDay.project_id)
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


def totals(conn) -> dict[str, int]:
    """Row counts: systems, changes, patchsets, reports (verdicts, from the per-day counts the
    collector keeps: counting them in the reports table reads all of it), rechecks."""
    counts = {
        "systems": select(func.count()).select_from(CISystem),
        "changes": select(func.count()).select_from(Change),
        "patchsets": select(func.count()).select_from(Patchset),
        "reports": select(func.coalesce(func.sum(SystemDay.reports), 0)),
        "rechecks": select(func.count()).select_from(Recheck),
    }
    return {name: int(conn.scalar(stmt)) for name, stmt in counts.items()}
