"""Keep the engine's tables in step with the stored changes, in the transaction that stores them.

``refresh(session, change_ids, ...)`` recomputes the facts (facts.py) of every patchset of those
changes from the stored rows, writes the ones that differ, and rebuilds from the earliest
changed timestamp on: the hourly counters of the systems concerned (system_hours), the
projects' eligible patchsets (project_hours) and the latency blocks. ``lock(session)`` must be
the transaction's first statement: stores (and so refreshes) of several collectors then run one
after the other, each on the data the previous committed.
"""

from __future__ import annotations

import array
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import (
    case,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from radar_core import models
from radar_core.engine import counters, facts, latest
from radar_core.engine.increments import NARROW, counter_increments, narrow_enough, systems_total
from radar_core.engine.settings import EngineSettings
from radar_core.engine.sql import (
    BATCH,
    HOUR,
    chunks,
    dialect_of,
    hour_floor,
    hour_of,
    insert_all,
    parse_hour,
    upsert,
)

LONG = timedelta(days=1)  # pairs of timestamps at least this far apart are kept as long spans
EPOCH = datetime(1970, 1, 1)
STATE_ID = 1
# patchsets.lifetime_s of a patchset no newer one supersedes (null: not seen by the engine yet),
# so that "not superseded within the deadline" is lifetime_s >= deadline.
LATEST = 2**31 - 1


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


# --- the lock ------------------------------------------------------------------------------------


def lock(session: Session) -> models.EngineState:
    """Take the engine's row lock for the rest of the transaction, creating the row if needed."""
    state = session.get(models.EngineState, STATE_ID, with_for_update=True)
    if state is None:
        session.add(models.EngineState(id=STATE_ID))
        session.flush()
        state = session.get(models.EngineState, STATE_ID, with_for_update=True)
    # A write, so that SQLite takes its write lock now rather than at the first insert.
    session.execute(
        update(models.EngineState).where(models.EngineState.id == STATE_ID).values(id=STATE_ID)
    )
    return state


# --- what is read ------------------------------------------------------------------------------


@dataclass
class _Rows:
    projects: dict[int, int]  # change id -> project id
    patchsets: list  # rows of patchsets
    reports: list  # rows of reports (verdicts)
    rechecks: list  # rows of rechecks
    systems: dict[int, facts.System]


def _key(change_id: int, number: int | None, own_id: int) -> tuple[int, int]:
    return change_id, (number if number is not None else -own_id)


def _load(session: Session, change_ids) -> _Rows:
    m = models
    projects, patchsets, reports, rechecks = {}, [], [], []
    for chunk in chunks(change_ids):
        projects.update(session.execute(
            select(m.Change.id, m.Change.project_id).where(m.Change.id.in_(chunk))
        ).all())
        patchsets += session.execute(
            select(m.Patchset.id, m.Patchset.change_id, m.Patchset.number, m.Patchset.project_id,
                   m.Patchset.created, m.Patchset.superseded_at, m.Patchset.lifetime_s)
            .where(m.Patchset.change_id.in_(chunk))
        ).all()
        reports += session.execute(
            select(m.Report.id, m.Report.change_id, m.Report.patchset_id,
                   m.Report.patchset_number, m.Report.system_id, m.Report.date,
                   m.Report.result_class, m.Report.pipeline)
            .where(m.Report.change_id.in_(chunk), m.Report.kind == "report")
        ).all()
        rechecks += session.execute(
            select(m.Recheck.id, m.Recheck.change_id, m.Recheck.patchset_number,
                   m.Recheck.date, m.Recheck.target)
            .where(m.Recheck.change_id.in_(chunk))
        ).all()
    systems = {
        row.id: facts.System(row.id, row.username, row.recheck_keyword)
        for row in session.execute(
            select(m.CISystem.id, m.CISystem.username, m.CISystem.recheck_keyword)
        )
    }
    return _Rows(projects, patchsets, reports, rechecks, systems)


def reference_id(session: Session, reference: str | None) -> int | None:
    """The system id of the reference account (username or numeric id), if it is known."""
    if not reference:
        return None
    condition = models.CISystem.username == reference
    if reference.isascii() and reference.isdigit():
        condition = or_(condition, models.CISystem.id == int(reference))
    return session.scalar(select(models.CISystem.id).where(condition).order_by(models.CISystem.id))


# --- what is computed ----------------------------------------------------------------------------


@dataclass
class _Facts:
    reports: dict[int, dict] = field(default_factory=dict)  # report id -> row
    rechecks: dict[tuple[int, int], dict] = field(default_factory=dict)  # (recheck, system)
    patchsets: dict[tuple[int, int], dict] = field(default_factory=dict)  # (system, patchset)
    events: dict[tuple, list[dict]] = field(default_factory=dict)  # (system, change, ps) -> rows
    spans: list[dict] = field(default_factory=list)
    lifetimes: dict[int, int | None] = field(default_factory=dict)  # patchset id -> seconds


def _compute(rows: _Rows, reference: int | None, deadline: timedelta) -> _Facts:
    out = _Facts()
    deadline_s = deadline.total_seconds()
    by_number = {(p.change_id, p.number): p for p in rows.patchsets}
    for patchset in _lifetimes(rows.patchsets):
        out.lifetimes[patchset[0]] = patchset[1]
    reports_by_key: dict[tuple, list] = defaultdict(list)
    for r in rows.reports:
        reports_by_key[_key(r.change_id, r.patchset_number, r.id)].append(r)
    rechecks_by_key: dict[tuple, list] = defaultdict(list)
    for rc in rows.rechecks:
        rechecks_by_key[_key(rc.change_id, rc.patchset_number, rc.id)].append(
            facts.RecheckRow(rc.id, rc.date, rc.target)
        )
    for key, key_reports in reports_by_key.items():
        change_id, ps_number = key
        project_id = rows.projects[change_id]
        patchset = by_number.get(key)
        plain = [
            facts.ReportRow(r.id, r.system_id, r.date, r.result_class, r.pipeline)
            for r in key_reports
        ]
        grouped = facts.by_system(plain)
        for system_id, mine in grouped.items():
            system = rows.systems.get(system_id) or facts.System(system_id, None, None)
            _add_report_facts(out, mine, rechecks_by_key.get(key, []), system, key, project_id,
                              patchset is not None)
            if patchset is not None:
                first = facts.first_report(mine)
                out.patchsets[(system_id, patchset.id)] = {
                    "system_id": system_id, "patchset_id": patchset.id, "change_id": change_id,
                    "project_id": project_id, "created": patchset.created, "first_at": first,
                    "latency_us": micros(first) - micros(patchset.created),
                }
                if out.lifetimes[patchset.id] >= deadline_s:  # late spans of eligible ones
                    _add_span(out, change_id, system_id, "late", patchset.created,
                              first, micros(first) - micros(patchset.created))
            if reference is not None and reference in grouped:
                events = facts.agreement_facts(mine, grouped[reference], system_id)
                out.events[(system_id, change_id, ps_number)] = [
                    _event_row(event, change_id, ps_number, project_id) for event in events
                ]
                for event in events:
                    flags = _flags(event)
                    _add_span(out, change_id, system_id, "agree_lo", event.m,
                              event.e_lo, flags)
                    if event.e_hi is not None:
                        _add_span(out, change_id, system_id, "agree_hi", event.m,
                                  event.e_hi, flags)
    return out


def _lifetimes(patchsets):
    """(patchset id, seconds until the next patchset of its change, or LATEST)."""
    by_change: dict[int, list] = defaultdict(list)
    for p in patchsets:
        by_change[p.change_id].append(p)
    for group in by_change.values():
        group.sort(key=lambda p: p.number)
        for current, following in zip(group, [*group[1:], None], strict=True):
            if following is None:
                yield current.id, LATEST
            else:
                yield current.id, int((following.created - current.created).total_seconds())


def _add_report_facts(out, mine, rechecks, system, key, project_id, known):
    change_id, ps_number = key
    for fact in facts.report_facts(mine, rechecks, system):
        out.reports[fact.report_id] = {
            "report_id": fact.report_id, "system_id": fact.system_id, "project_id": project_id,
            "change_id": change_id, "ps_number": ps_number, "known": known, "date": fact.date,
            "result_class": fact.result_class, "prev_at": fact.prev_at, "fail_at": fact.fail_at,
            "fail2_at": fact.fail2_at, "dup_prev_at": fact.dup_prev_at, "next_at": fact.next_at,
        }
        for kind, x in (("prev", fact.prev_at), ("fail", fact.fail_at),
                        ("fail2", fact.fail2_at), ("dup", fact.dup_prev_at)):
            if x is not None:
                _add_span(out, change_id, fact.system_id, kind, x, fact.date, 0)
    for recheck in facts.counted_rechecks(mine, rechecks, system):
        out.rechecks[(recheck.id, system.id)] = {
            "recheck_id": recheck.id, "system_id": system.id, "project_id": project_id,
            "change_id": change_id, "date": recheck.date,
        }


def _flags(event: facts.AgreementFacts) -> int:
    return sum(bit for name, bit in counters.FLAG_BITS.items() if getattr(event, name))


def _event_row(event: facts.AgreementFacts, change_id, ps_number, project_id) -> dict:
    return {
        "system_id": event.system_id, "change_id": change_id, "ps_number": ps_number,
        "project_id": project_id, "m": event.m, "e_lo": event.e_lo, "e_hi": event.e_hi,
        "agree": event.agree, "ref_success": event.ref_success,
        "false_failure": event.false_failure,
    }


def _add_span(out, change_id, system_id, kind, x, y, value):
    if y - x >= LONG:
        out.spans.append({"change_id": change_id, "system_id": system_id, "kind": kind,
                          "x": x, "y": y, "value": value})


# --- what changed --------------------------------------------------------------------------------


class _Dirt:
    """The earliest changed timestamp per system and per project, and what to re-evaluate."""

    def __init__(self):
        self.systems: dict[int, datetime] = {}
        self.projects: dict[int, datetime] = {}
        self.latency: set[tuple[int, date]] = set()  # (system, creation day)
        self.since: datetime | None = None  # the earliest moment whose figures changed

    def system(self, system_id, *moments):
        self._mark(self.systems, system_id, moments)

    def project(self, project_id, *moments):
        self._mark(self.projects, project_id, moments)

    def changed(self, *moments):
        present = [moment for moment in moments if moment is not None]
        if present:
            earliest = min(present)
            self.since = earliest if self.since is None else min(self.since, earliest)

    @staticmethod
    def _mark(store, key, moments):
        present = [moment for moment in moments if moment is not None]
        if present:
            earliest = min(present)
            store[key] = min(store.get(key, earliest), earliest)


_REPORT_TIMES = ("date", "prev_at", "fail_at", "fail2_at", "dup_prev_at")


def _diff_reports(old: dict, new: dict, dirt: _Dirt) -> tuple[list, list]:
    removed = [rid for rid in old if rid not in new or old[rid] != new[rid]]
    added = [row for rid, row in new.items() if rid not in old or old[rid] != row]
    for rid in removed:
        row = old[rid]
        dirt.system(row["system_id"], *(row[c] for c in _REPORT_TIMES))
        dirt.changed(row["date"])
    for row in added:
        dirt.system(row["system_id"], *(row[c] for c in _REPORT_TIMES))
        dirt.changed(row["date"])
    return removed, added


def _diff_simple(old: dict, new: dict, dirt: _Dirt, times: tuple[str, ...], on_change):
    removed = [key for key in old if key not in new or old[key] != new[key]]
    added = [row for key, row in new.items() if key not in old or old[key] != row]
    for row in [old[key] for key in removed] + added:
        on_change(row)
        dirt.system(row["system_id"], *(row[c] for c in times))
    return removed, added


# --- the refresh ---------------------------------------------------------------------------------


def refresh(
    session: Session, change_ids, settings: EngineSettings, now: datetime
) -> datetime | None:
    """Bring the engine's tables in step with the stored rows of ``change_ids``; returns the
    earliest moment whose figures changed (None when none did). Call after ``lock``.

    With no change touched it still carries every counter forward to the current hour, so that
    windows ending now keep finding their rows after quiet polls."""
    change_ids = set(change_ids)
    state = session.get(models.EngineState, STATE_ID)
    end = hour_floor(now)
    if not change_ids:
        _extend(session, state, end, settings.health.report_deadline)
        return None
    reference = reference_id(session, settings.reference_account)
    fingerprint = settings.fingerprint(reference)
    if state.settings != fingerprint:
        # Built with other settings (or never): rebuild everything once.
        change_ids = set(session.scalars(select(models.Change.id)))
        state.settings = fingerprint
        _clear(session)
    rows = _load(session, change_ids)
    new = _compute(rows, reference, settings.health.report_deadline)
    dirt = _Dirt()
    _write_lifetimes(session, rows, new, dirt, settings)
    _write_facts(session, change_ids, new, dirt)
    deadline = settings.health.report_deadline
    rebuild_latency_blocks(session, dirt.latency, deadline)
    rebuild_system_hours(session, dirt.systems, end)
    rebuild_project_hours(session, dirt.projects, end, deadline)
    _extend(session, state, end, deadline)
    latest.rebuild(session, set(dirt.systems) | latest.missing(session), end)
    if dirt.since is not None:
        state.dirty_since = dirt.since if state.dirty_since is None else min(
            state.dirty_since, dirt.since
        )
    return dirt.since


def _extend(session: Session, state: models.EngineState, end: datetime, deadline) -> None:
    if state.counted_until is None or state.counted_until < end:
        extend_hours(session, end, deadline)
        state.counted_until = end


def _clear(session: Session) -> None:
    m = models
    for table in (m.LongSpan, m.ReportFact, m.RecheckFact, m.PatchsetFact,
                  m.AgreementEvent, m.LatencyBlock, m.SystemHour, m.ProjectHour,
                  m.SystemProject, m.SystemLatest):
        session.execute(delete(table))
    session.execute(update(m.Patchset).values(lifetime_s=None))  # not seen: recomputed


def _write_lifetimes(session, rows: _Rows, new: _Facts, dirt: _Dirt, settings) -> None:
    """Store each patchset's lifetime; a new or changed one changes its project's eligible
    patchsets from its creation on, and, when it crosses the deadline, the latency blocks."""
    deadline = settings.health.report_deadline.total_seconds()
    by_id = {p.id: p for p in rows.patchsets}
    changed = {}
    for patchset_id, lifetime in new.lifetimes.items():
        row = by_id[patchset_id]
        if row.lifetime_s == lifetime:
            continue
        changed[patchset_id] = lifetime
        dirt.project(row.project_id, row.created)
        dirt.changed(row.created)
        was_short = row.lifetime_s is not None and row.lifetime_s < deadline
        if was_short != (lifetime < deadline):
            for (system_id, ps_id), fact in new.patchsets.items():
                if ps_id == patchset_id:
                    dirt.latency.add((system_id, fact["created"].date()))
    ps = models.Patchset
    for chunk in chunks(changed):  # one statement per chunk, not per patchset
        session.execute(update(ps).where(ps.id.in_(chunk)).values(
            lifetime_s=case({patchset_id: changed[patchset_id] for patchset_id in chunk},
                            value=ps.id)))


def _write_facts(session, change_ids, new: _Facts, dirt: _Dirt) -> None:
    m = models
    old_reports, old_rechecks, old_patchsets, old_events = {}, {}, {}, defaultdict(list)
    for chunk in chunks(change_ids):
        for row in session.execute(select(m.ReportFact).where(m.ReportFact.change_id.in_(chunk))):
            old_reports[row[0].report_id] = _as_dict(row[0])
        for row in session.execute(
            select(m.RecheckFact).where(m.RecheckFact.change_id.in_(chunk))
        ):
            old_rechecks[(row[0].recheck_id, row[0].system_id)] = _as_dict(row[0])
        for row in session.execute(
            select(m.PatchsetFact).where(m.PatchsetFact.change_id.in_(chunk))
        ):
            old_patchsets[(row[0].system_id, row[0].patchset_id)] = _as_dict(row[0])
        for row in session.execute(
            select(m.AgreementEvent).where(m.AgreementEvent.change_id.in_(chunk))
        ):
            event = _as_dict(row[0])
            event.pop("id")
            old_events[(event["system_id"], event["change_id"], event["ps_number"])].append(event)

    removed, added = _diff_reports(old_reports, new.reports, dirt)
    for chunk in chunks(removed):
        session.execute(delete(m.ReportFact).where(m.ReportFact.report_id.in_(chunk)))
    insert_all(session, m.ReportFact, added)
    pairs = {(row["system_id"], row["project_id"]) for row in added if row["known"]}
    pair_rows = [{"system_id": system, "project_id": project} for system, project in pairs]
    upsert(session, m.SystemProject.__table__, pair_rows, ("system_id", "project_id"))

    removed, added = _diff_simple(old_rechecks, new.rechecks, dirt, ("date",),
                                  lambda row: dirt.changed(row["date"]))
    _delete_keys(session, m.RecheckFact, ("recheck_id", "system_id"),
                 [(old_rechecks[key]["change_id"], key) for key in removed])
    insert_all(session, m.RecheckFact, added)

    def patchset_changed(row):
        dirt.changed(row["created"])
        dirt.latency.add((row["system_id"], row["created"].date()))

    removed, added = _diff_simple(old_patchsets, new.patchsets, dirt, (), patchset_changed)
    _delete_keys(session, m.PatchsetFact, ("system_id", "patchset_id"),
                 [(old_patchsets[key]["change_id"], key) for key in removed])
    insert_all(session, m.PatchsetFact, added)

    replaced, rows = [], []
    for key in set(old_events) | set(new.events):
        before, after = old_events.get(key, []), new.events.get(key, [])
        if sorted(before, key=_event_order) == sorted(after, key=_event_order):
            continue
        system_id, change_id, ps_number = key
        for row in before + after:
            dirt.system(system_id, row["m"], row["e_lo"], row["e_hi"])
            dirt.changed(row["e_lo"])
        if before:
            replaced.append((change_id, key))
        rows += after
    _delete_keys(session, m.AgreementEvent, ("system_id", "change_id", "ps_number"), replaced)
    insert_all(session, m.AgreementEvent, rows)

    _write_spans(session, change_ids, new.spans)


def _delete_keys(session, model, columns: tuple[str, ...], keyed: list[tuple]) -> None:
    """Delete the rows of ``model`` whose ``columns`` equal one of the keys of ``keyed``
    ((change id, key) pairs), a chunk of keys per statement; the change ids let the index on
    change_id find the rows."""
    keyed = sorted(keyed)
    table = model.__table__
    for start in range(0, len(keyed), BATCH):
        chunk = keyed[start:start + BATCH]
        session.execute(delete(table).where(
            table.c.change_id.in_(sorted({change for change, _ in chunk})),
            tuple_(*(table.c[column] for column in columns)).in_([key for _, key in chunk]),
        ))


def _event_order(row):
    return row["e_lo"], row["m"]


def _as_dict(obj) -> dict:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


def _write_spans(session, change_ids, spans: list[dict]) -> None:
    """Replace the long spans of the changes (they are few: recomputing is simpler), one row
    for each day a span covers."""
    m = models
    for chunk in chunks(change_ids):
        session.execute(delete(m.LongSpan).where(m.LongSpan.change_id.in_(chunk)))
    rows = []
    for span in spans:
        day = span["x"].date()
        while day <= span["y"].date():
            rows.append({**span, "day": day})
            day += timedelta(days=1)
    insert_all(session, m.LongSpan, rows)


# --- hourly counters -----------------------------------------------------------------------------

SPAN_CHUNK = timedelta(days=7)  # counter rows rebuilt (and held) at a time, per system


def rebuild_system_hours(session, since_by_system: dict[int, datetime], end: datetime) -> None:
    """Rewrite the counter rows of each system from the hour of its earliest change to ``end``
    (an hour), every hour, from the row before (or zero). The systems that start from the same
    hour share their statements."""
    table = models.SystemHour.__table__
    bases: dict[int, tuple[datetime, list[int]]] = {}
    by_start: dict[datetime, list[int]] = defaultdict(list)
    for system_id, since in since_by_system.items():
        by_start[hour_floor(since)].append(system_id)
    for start, system_ids in by_start.items():
        for chunk in chunks(system_ids):  # the row at the start hour itself, if there is one
            bases.update(
                (system_id, (start, json.loads(counts)))
                for system_id, counts in session.execute(
                    select(table.c.system_id, table.c.counts)
                    .where(table.c.system_id.in_(chunk), table.c.hour == start)
                )
            )
        for system_id in system_ids:
            if system_id not in bases:
                row = session.execute(
                    select(table.c.hour, table.c.counts)
                    .where(table.c.system_id == system_id, table.c.hour <= start)
                    .order_by(table.c.hour.desc()).limit(1)
                ).first()
                bases[system_id] = (start, counters.zeros()) if row is None else (
                    row.hour, json.loads(row.counts))
    by_first: dict[datetime, list[int]] = defaultdict(list)
    for system_id, (first, _) in bases.items():
        by_first[first].append(system_id)
    total = systems_total(session) if by_first else 0
    for first, system_ids in by_first.items():
        running = {system_id: list(bases[system_id][1]) for system_id in system_ids}
        # A span of SPAN_CHUNK at a time (the last one open-ended, for facts dated after
        # ``end``), so that a rebuild from weeks back holds a week of rows, not all of them.
        start = first
        while True:
            stop = start + SPAN_CHUNK if start + SPAN_CHUNK < end else None
            short = (stop or end) - start <= NARROW
            increments = counter_increments(
                session, system_ids, start, stop,
                narrow=narrow_enough(short, len(system_ids), total),
            )
            rows = []
            for system_id in system_ids:
                mine = increments.get(system_id, {})
                counts, hour = running[system_id], start
                last = stop or max([end, *(h + HOUR for h in mine)])
                while hour < last:
                    step = mine.get(hour)
                    if step is not None:
                        counts = [a + b for a, b in zip(counts, step, strict=True)]
                    hour += HOUR
                    rows.append({"system_id": system_id, "hour": hour,
                                 "counts": json.dumps(counts)})
                running[system_id] = counts
            upsert(session, table, rows, ("system_id", "hour"))
            if stop is None:
                break
            start = stop


def extend_hours(session, end: datetime, deadline: timedelta) -> None:
    """Give every system and project a row at every hour up to ``end``, carrying the counts
    forward, so that a window's ends find their row by the hour alone."""
    rebuild_system_hours(session, _behind(session, models.SystemHour, "system_id", end), end)
    behind = _behind(session, models.ProjectHour, "project_id", end)
    rebuild_project_hours(session, behind, end, deadline)


def _behind(session, model, key: str, end: datetime) -> dict[int, datetime]:
    """The owners (systems or projects) whose latest row is before ``end``, with that hour."""
    owner = getattr(model, key)
    latest = session.execute(select(owner, func.max(model.hour)).group_by(owner)).all()
    return {row[0]: row[1] for row in latest if row[1] < end}


def rebuild_project_hours(session, since_by_project: dict[int, datetime], end, deadline) -> None:
    """Rewrite each project's eligible-patchset counts from the hour of its earliest change."""
    dialect = dialect_of(session)
    table = models.ProjectHour.__table__
    patchsets = models.Patchset.__table__
    seconds = int(deadline.total_seconds())
    for project_id, since in since_by_project.items():
        start = hour_floor(since)
        base = session.execute(
            select(table.c.hour, table.c.eligible)
            .where(table.c.project_id == project_id, table.c.hour <= start)
            .order_by(table.c.hour.desc()).limit(1)
        ).first()
        count, hour = (0, start) if base is None else (base.eligible, base.hour)
        when = hour_of(patchsets.c.created, dialect).label("hour")
        increments = {
            parse_hour(h): n
            for h, n in session.execute(
                select(when, func.count())
                .where(patchsets.c.project_id == project_id, patchsets.c.created >= hour,
                       or_(patchsets.c.lifetime_s.is_(None), patchsets.c.lifetime_s >= seconds))
                .group_by(when)
            )
        }
        rows = []
        last = max([end, *(h + HOUR for h in increments)])
        while hour < last:
            count += increments.get(hour, 0)
            hour += HOUR
            rows.append({"project_id": project_id, "hour": hour, "eligible": count})
        upsert(session, table, rows, ("project_id", "hour"))


# --- latency blocks ------------------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rebuild_latency_blocks(session, keys: set[tuple[int, date]], deadline: timedelta) -> None:
    """Rewrite the one-day blocks of ``keys`` (system, creation day) from the facts, then the
    week blocks concerned from their day blocks (a poll touches a day or two: reading their
    facts, not their weeks')."""
    m, lb = models, models.LatencyBlock
    seconds = int(deadline.total_seconds())
    days: dict[date, set[int]] = defaultdict(set)
    weeks: dict[date, set[int]] = defaultdict(set)
    for system_id, day in keys:
        days[day].add(system_id)
        weeks[week_of(day)].add(system_id)
    for day, system_ids in sorted(days.items()):
        start = datetime.combine(day, datetime.min.time())
        for chunk in chunks(system_ids):
            rows = session.execute(
                select(m.PatchsetFact.system_id, m.PatchsetFact.created, m.PatchsetFact.latency_us)
                .join(m.Patchset, m.Patchset.id == m.PatchsetFact.patchset_id)
                .where(m.PatchsetFact.system_id.in_(chunk),
                       m.PatchsetFact.created >= start,
                       m.PatchsetFact.created < start + timedelta(days=1),
                       or_(m.Patchset.lifetime_s.is_(None), m.Patchset.lifetime_s >= seconds))
            ).all()
            session.execute(delete(lb).where(lb.system_id.in_(chunk), lb.days == 1,
                                             lb.first_day == day))
            by_system: dict[int, list] = defaultdict(list)
            for system_id, created, latency in rows:
                by_system[system_id].append((latency, micros(created)))
            insert_all(session, lb, [_day_block(system_id, day, values)
                                     for system_id, values in sorted(by_system.items())])
    for week, system_ids in sorted(weeks.items()):
        for chunk in chunks(system_ids):
            merged: dict[int, array.array] = defaultdict(lambda: array.array("q"))
            for system_id, blob in session.execute(
                select(lb.system_id, lb.latencies)
                .where(lb.system_id.in_(chunk), lb.days == 1, lb.first_day >= week,
                       lb.first_day < week + timedelta(days=7))
            ):
                merged[system_id].frombytes(blob)
            session.execute(delete(lb).where(lb.system_id.in_(chunk), lb.days == 7,
                                             lb.first_day == week))
            insert_all(session, lb, [_week_block(system_id, week, values)
                                     for system_id, values in sorted(merged.items()) if values])


def _day_block(system_id: int, day: date, values: list[tuple[int, int]]) -> dict:
    """A system's one-day block from (latency, creation in microseconds): sorted latencies and
    the creation times in the same order (to filter a partial day)."""
    values.sort()
    return {
        "system_id": system_id, "days": 1, "first_day": day, "count": len(values),
        "latencies": array.array("q", [v for v, _ in values]).tobytes(),
        "created": array.array("q", [c for _, c in values]).tobytes(),
    }


def _week_block(system_id: int, week: date, values: array.array) -> dict:
    """A system's week block: its days' latencies, sorted."""
    return {
        "system_id": system_id, "days": 7, "first_day": week, "count": len(values),
        "latencies": array.array("q", sorted(values)).tobytes(), "created": None,
    }
