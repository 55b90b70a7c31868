"""How much each of a system's counters (counters.py) grows per hour, read from the facts; and
the newest timestamp of its facts. The refresh rebuilds the hourly counter rows from these, the
reader adds a window's partial hours with them."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, literal, or_, select, union_all

from radar_core import models
from radar_core.engine import counters
from radar_core.engine.sql import chunks, dialect_of, hour_of, parse_hour


def _counter_groups():
    """Counters by (table, column): each group is one GROUP BY query."""
    groups: dict[tuple[str, str], list[counters.Counter]] = defaultdict(list)
    for counter in counters.COUNTERS:
        groups[(counter.table, counter.column)].append(counter)
    return groups


def _condition(table, counter: counters.Counter):
    parts = []
    for column, value in counter.where:
        col = table.c[column]
        parts.append(col.is_(None) if value is None else col == value)
    parts += [table.c[column].is_not(None) for column in counter.not_null]
    return and_(*parts) if parts else None


def _sum(table, counter):
    condition = _condition(table, counter)
    if condition is None:
        return func.count()
    return func.sum(case((condition, 1), else_=0))


NARROW = timedelta(days=2)  # a range of timestamps this short holds few facts of all systems


def narrow_enough(short: bool, systems: int, total: int) -> bool:
    """Whether the timestamps' own indexes, which read the facts of every system in the ranges,
    beat a look-up per system: the ranges are short (NARROW) and the systems many (more than a
    quarter of the ``total``); for a few systems, each one's own rows cost far less."""
    return short and 4 * systems > total


def systems_total(session) -> int:
    return session.scalar(select(func.count()).select_from(models.CISystem))


def counter_increments(session, system_ids, start: datetime, end: datetime | None, narrow: bool):
    """Per system and hour in [start, end), how much each counter grows in that hour:
    {system: {hour: [increments in counters.COUNTERS order]}}; ``narrow`` as
    ``narrow_enough`` says."""
    return counter_increments_in(session, system_ids, [(start, end)], narrow)


def counter_increments_in(session, system_ids, ranges, narrow: bool):
    """``counter_increments`` over the union of ``ranges`` ([start, end) pairs, end None: no
    end): one statement per chunk of systems."""
    dialect = dialect_of(session)
    stmt = _increments_statement(dialect, tuple(end is None for _, end in ranges), narrow)
    params = {}
    for n, (start, end) in enumerate(ranges):
        params[f"s{n}"], params[f"e{n}"] = start, end
    groups = list(_counter_groups().values())
    out: dict[int, dict[datetime, list[int]]] = defaultdict(dict)
    for chunk in chunks(system_ids):
        for number, system_id, when, *values in session.execute(stmt, {**params, "ids": chunk}):
            slot = out[system_id].setdefault(parse_hour(when), counters.zeros())
            for counter, value in zip(groups[int(number)], values, strict=False):
                slot[counters.INDEX[counter.name]] += int(value or 0)
    return out


@functools.lru_cache(maxsize=64)
def _increments_statement(dialect: str, open_ended: tuple[bool, ...], narrow: bool):
    """A UNION ALL of one GROUP BY per (table, column), padded to the same width, over the
    ranges :s0/:e0... (built once per shape: a statement of many ranges costs more to build
    than to run).

    ``narrow``: the ranges are short and the systems many (a window's partial hours, the hours
    since a poll's changes): the index on the timestamp itself finds the few rows of all the
    systems at once, "system_id + 0" keeping the planner from (system_id, timestamp); else
    each system's rows are found in the latter."""
    groups = list(_counter_groups().items())
    width = max(len(group) for _, group in groups)
    parts = []
    for number, ((table_name, column_name), group) in enumerate(groups):
        table = models.Base.metadata.tables[table_name]
        column = table.c[column_name]
        hour = hour_of(column, dialect).label("hour")
        sums = [_sum(table, c).label(f"v{n}") for n, c in enumerate(group)]
        sums += [literal(0).label(f"v{n}") for n in range(len(group), width)]
        in_ranges = or_(*(
            column >= bindparam(f"s{n}") if no_end
            else and_(column >= bindparam(f"s{n}"), column < bindparam(f"e{n}"))
            for n, no_end in enumerate(open_ended)
        ))
        system_id = table.c.system_id + 0 if narrow else table.c.system_id
        parts.append(
            select(literal(number).label("part"), table.c.system_id.label("system_id"),
                   hour, *sums)
            .where(system_id.in_(bindparam("ids", expanding=True)), in_ranges)
            .group_by(table.c.system_id, hour)
        )
    return union_all(*parts)


def newest_since(session, system_ids, start: datetime, narrow: bool) -> dict[int, datetime]:
    """Per system, the newest timestamp at or after ``start`` of any fact a counter counts
    (no entry: none); ``narrow`` as ``narrow_enough`` says."""
    stmt = _newest_statement(narrow)
    out: dict[int, datetime] = {}
    for chunk in chunks(system_ids):
        for system_id, newest in session.execute(stmt, {"ids": chunk, "start": start}):
            if newest is not None and (system_id not in out or newest > out[system_id]):
                out[system_id] = newest
    return out


@functools.lru_cache(maxsize=4)
def _newest_statement(narrow: bool):
    """A UNION ALL of one maximum per system for each timestamp the counters count."""
    parts = []
    for table_name, column_name in _counter_groups():
        table = models.Base.metadata.tables[table_name]
        column = table.c[column_name]
        system_id = table.c.system_id + 0 if narrow else table.c.system_id
        parts.append(
            select(table.c.system_id, func.max(column).label("newest"))
            .where(system_id.in_(bindparam("ids", expanding=True)), column >= bindparam("start"))
            .group_by(table.c.system_id)
        )
    return union_all(*parts)
