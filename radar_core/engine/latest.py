"""The latest facts of each system before moments, looked up in the indexes or kept at ingest.

What a window's end needs of a system (its last report and last success, its last report on a
known patchset per project, and its counters) is the latest of its facts before that end. Looked
up, that costs a few index look-ups per system and end (``looked_up``). For an end after every
fact of the system, which is what a window ending now has, the answer is the same whatever the
end: the refresh keeps it per system in system_latest (``rebuild``) and the reader takes it
from there (``read``, ``Latest.covers``).
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, func, literal_column, null, select, true, union_all

from radar_core import models
from radar_core.engine import counters
from radar_core.engine.increments import (
    counter_increments,
    narrow_enough,
    newest_since,
    systems_total,
)
from radar_core.engine.sql import chunks, dialect_of, upsert

AFTER_ALL = datetime(9999, 12, 31)  # an end after every fact: the latest facts of all
UNTILS_PER_STATEMENT = 100  # within SQLite's limit of 500 terms of a compound SELECT


@dataclass(frozen=True)
class Latest:
    """A system's row of system_latest."""

    counted_from: datetime
    newest_at: datetime | None
    counts: list[int]
    last_report_at: datetime | None
    last_success_at: datetime | None
    last_known: dict[int, datetime]

    def covers(self, until: datetime) -> bool:
        """Whether every fact of the system lies before ``until``, so that what holds at
        ``until`` is this row."""
        return until >= self.counted_from and (self.newest_at is None or until > self.newest_at)


def read(conn, system_ids) -> dict[int, Latest]:
    """The rows of ``system_ids`` there are (a system the engine has not seen yet has none)."""
    table = models.SystemLatest.__table__
    out = {}
    for chunk in chunks(system_ids):
        for row in conn.execute(select(table).where(table.c.system_id.in_(chunk))):
            out[row.system_id] = Latest(
                counted_from=row.counted_from, newest_at=row.newest_at,
                counts=json.loads(row.counts), last_report_at=row.last_report_at,
                last_success_at=row.last_success_at,
                last_known={int(project): datetime.fromisoformat(when)
                            for project, when in json.loads(row.last_known).items()},
            )
    return out


def rebuild(session, system_ids, end: datetime) -> None:
    """Rewrite the rows of ``system_ids`` from their facts. Call once their counter rows are
    rebuilt up to ``end`` (an hour): the counts are the row at ``end`` and the facts since."""
    ids = sorted(system_ids)
    if not ids:
        return
    narrow = narrow_enough(True, len(ids), systems_total(session))
    hours = models.SystemHour.__table__
    counts = {system_id: counters.zeros() for system_id in ids}
    for chunk in chunks(ids):
        counts.update(
            (system_id, json.loads(stored)) for system_id, stored in session.execute(
                select(hours.c.system_id, hours.c.counts)
                .where(hours.c.system_id.in_(chunk), hours.c.hour == end))
        )
    for system_id, steps in counter_increments(session, ids, end, None, narrow).items():
        for step in steps.values():
            counts[system_id] = [a + b for a, b in zip(counts[system_id], step, strict=True)]
    newest = newest_since(session, ids, end, narrow)
    reports, successes, known_at = looked_up(session, ids, [AFTER_ALL], None)
    known: dict[int, dict[str, str]] = {system_id: {} for system_id in ids}
    for system_id, project, when in known_at[AFTER_ALL]:
        known[system_id][str(project)] = when.isoformat()
    rows = [
        {"system_id": system_id, "counted_from": end, "newest_at": newest.get(system_id),
         "counts": json.dumps(counts[system_id]),
         "last_report_at": reports[AFTER_ALL].get(system_id),
         "last_success_at": successes[AFTER_ALL].get(system_id),
         "last_known": json.dumps(known[system_id], sort_keys=True)}
        for system_id in ids
    ]
    upsert(session, models.SystemLatest.__table__, rows, ("system_id",))


def missing(session) -> set[int]:
    """The CI systems without a row (new ones, and every one after an upgrade or a reset)."""
    cs, sl = models.CISystem, models.SystemLatest
    return set(session.scalars(
        select(cs.id).where(~select(sl.system_id).where(sl.system_id == cs.id).exists())))


def looked_up(conn, ids, untils, project_id):
    """The latest facts of ``ids`` before each of ``untils`` (of ``project_id``, if given), from
    the indexes; per until: {system: last report}, {system: last success} and the (system,
    project, last report on a known patchset) there are."""
    reports, successes = defaultdict(dict), defaultdict(dict)
    known = defaultdict(list)
    for at, system_id, report, success in _look_up(conn, _latest_statement, ids, untils,
                                                   project_id):
        if report is not None:  # MariaDB's rows hold one of the two, SQLite's both
            reports[at][system_id] = report
        if success is not None:
            successes[at][system_id] = success
    for at, system_id, project, when in _look_up(conn, _latest_known_statement, ids, untils,
                                                 project_id):
        if when is not None:
            known[at].append((system_id, project, when))
    return reports, successes, known


def _look_up(conn, statement, ids, untils, project_id):
    """Rows of ``statement(dialect, count, by_project, single)`` (``_latest_statement`` or
    ``_latest_known_statement``) for each chunk of systems and of untils, their first column
    the until they are of."""
    dialect = dialect_of(conn)
    for chunk in chunks(ids):
        for start in range(0, len(untils), UNTILS_PER_STATEMENT):
            group = untils[start:start + UNTILS_PER_STATEMENT]
            params = {"ids": chunk, "system": chunk[0], "project": project_id,
                      **{f"u{n}": until for n, until in enumerate(group)}}
            stmt = statement(dialect, len(group), project_id is not None, len(chunk) == 1)
            for n, *row in conn.execute(stmt, params):
                yield group[int(n)], *row


# The look-ups of the latest facts before each until (built once per shape: the statements of
# many untils cost more to build than to run). SQLite seeks each one in the index, correlated to
# each system; MariaDB would rather read a correlated look-up's index entries back from the
# newest, one by one, down to the until (a millisecond for each day back), but finds every
# system's maximum at once by a loose index scan ("Using index for group-by"). With one system
# (a system's detail or trend), MariaDB reads a GROUP BY's whole range of the system's facts
# before the until instead, and a maximum over the constant system is read off the end of the
# range ("Select tables optimized away").


@functools.lru_cache(maxsize=32)
def _latest_statement(dialect: str, count: int, by_project: bool, single: bool):
    """Per system of :ids (or the one :system) and each until :u0..: its last report and last
    success before it; rows (n, system, report, success), a row for each or one for both."""
    rf, cs = models.ReportFact, models.CISystem

    def conditions(n, *more):
        found = [rf.date < bindparam(f"u{n}"), *more]
        if by_project:
            found.append(rf.project_id == bindparam("project"))
        return found

    if dialect == "sqlite":
        systems = select(cs.id).where(cs.id.in_(bindparam("ids", expanding=True))).subquery()

        def latest(n, *more):
            return (
                select(rf.date).where(rf.system_id == systems.c.id, *conditions(n, *more))
                .order_by(rf.date.desc()).limit(1).scalar_subquery()
            )

        return union_all(*(
            select(literal_column(str(n)), systems.c.id, latest(n),
                   latest(n, rf.result_class == "success"))
            for n in range(count)
        ))
    if single and not by_project:  # the project filter has no index of (system, project, date)
        system = bindparam("system", type_=Integer)

        def newest(n, *more):
            return (
                select(func.max(rf.date))
                .where(rf.system_id == system, rf.date < bindparam(f"u{n}"), *more)
                .scalar_subquery()
            )

        return union_all(*(
            select(literal_column(str(n)), system, newest(n),
                   newest(n, rf.result_class == "success"))
            for n in range(count)
        ))
    parts = []
    for n in range(count):
        for success in (False, True):
            newest = func.max(rf.date)
            columns = (null(), newest) if success else (newest, null())
            more = [rf.result_class == "success"] if success else []
            parts.append(
                select(literal_column(str(n)), rf.system_id, *columns)
                .where(rf.system_id.in_(bindparam("ids", expanding=True)), *conditions(n, *more))
                .group_by(rf.system_id)
            )
    return union_all(*parts)


@functools.lru_cache(maxsize=32)
def _latest_known_statement(dialect: str, count: int, by_project: bool, single: bool):
    """Per (system of :ids, project) and each until :u0..: the last report on a known patchset
    before it, what the watched projects are made of; rows (n, system, project, date).
    ``single`` changes nothing here: grouped by project too, one system's maxima are found by
    MariaDB's loose index scan as well."""
    rf, sp = models.ReportFact, models.SystemProject
    parts = []
    for n in range(count):
        if dialect == "sqlite":
            latest = (
                select(rf.date)
                .where(rf.system_id == sp.system_id, rf.project_id == sp.project_id,
                       rf.known == true(), rf.date < bindparam(f"u{n}"))
                .order_by(rf.date.desc()).limit(1)
                .scalar_subquery()
            )
            stmt = select(literal_column(str(n)), sp.system_id, sp.project_id, latest).where(
                sp.system_id.in_(bindparam("ids", expanding=True)))
            if by_project:
                stmt = stmt.where(sp.project_id == bindparam("project"))
        else:
            # '= true', not 'IS true': MariaDB uses the index's known part only for an
            # equality.
            stmt = (
                select(literal_column(str(n)), rf.system_id, rf.project_id, func.max(rf.date))
                .where(rf.system_id.in_(bindparam("ids", expanding=True)), rf.known == true(),
                       rf.date < bindparam(f"u{n}"))
                .group_by(rf.system_id, rf.project_id)
            )
            if by_project:
                stmt = stmt.where(rf.project_id == bindparam("project"))
        parts.append(stmt)
    return union_all(*parts)
