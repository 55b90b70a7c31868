"""Status history: every system's status at every whole hour, its changes, and the live status.

"Status at a time t" is the status of the window of ``status_window`` (7 days) ending at t
(DESIGN.md section 4). ``evaluate`` runs after each committed poll, under the engine's run lock:
it evaluates every whole hour that new data touched (engine_state.dirty_since, set by the
refresh; a backfill thus fills the past in), records the changes with the score and reasons
then, and evaluates the present. A change seen in the present is an event (the stream's and the
alerts' input) once, however many collectors run: the current status is a row per system that
only the run holding the lock moves.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from radar_core import models, reasons, stats
from radar_core.alerts import episodes
from radar_core.alerts.channels import AlertSettings
from radar_core.catalogue import COMPONENTS
from radar_core.db import transaction
from radar_core.engine.read import Reader, SystemKey
from radar_core.engine.refresh import STATE_ID
from radar_core.engine.settings import EngineSettings
from radar_core.engine.sql import HOUR, chunks, hour_floor, upsert

LOG = logging.getLogger(__name__)
HOURS_PER_TRANSACTION = 48


@dataclass(frozen=True)
class Change:
    system_id: int
    at: datetime
    from_status: str | None
    to_status: str
    score: int | None
    reasons: list[str]


def systems(conn) -> list[SystemKey]:
    m = models
    rows = conn.execute(select(m.CISystem.id, m.CISystem.username, m.CISystem.recheck_keyword))
    return [SystemKey(*row) for row in rows]


def status_window(settings: EngineSettings, until: datetime) -> stats.Window:
    return stats.Window(until - settings.status_window, until)


# --- the run lock --------------------------------------------------------------------------------


def acquire(engine, name: str, now: datetime, hold: timedelta) -> bool:
    """Take the run lock (a dead holder's expires after ``hold``)."""
    table = models.EngineState
    with transaction(engine) as session:
        taken = session.execute(
            update(table)
            .where(table.id == STATE_ID)
            .where((table.locked_by.is_(None)) | (table.locked_by == name)
                   | (table.locked_until < now))
            .values(locked_by=name, locked_until=now + hold)
        )
        return taken.rowcount == 1


def release(engine, name: str, now: datetime | None = None, seconds: float | None = None):
    """Give the lock back; with ``seconds``, count the run that took them (for /metrics)."""
    table = models.EngineState
    values = {"locked_by": None, "locked_until": None}
    if seconds is not None:
        values |= {"runs": table.runs + 1, "run_seconds": table.run_seconds + seconds,
                   "last_run_at": now, "last_run_seconds": seconds}
    with transaction(engine) as session:
        session.execute(
            update(table).where(table.id == STATE_ID, table.locked_by == name).values(**values)
        )


# --- evaluation ----------------------------------------------------------------------------------


def evaluate(engine, settings: EngineSettings, now: datetime, name: str,
             alerts: AlertSettings | None = None) -> list[Change]:
    """Evaluate the hours left to evaluate and the present; returns the live changes (the ones
    that became events). Alerts open and resolve with the present (``alerts`` None: the
    defaults, no channel). Does nothing when another run holds the lock."""
    if not acquire(engine, name, now, timedelta(minutes=30)):
        LOG.info("the health engine runs elsewhere; skipped")
        return []
    started = time.monotonic()
    try:
        _evaluate_hours(engine, settings, now, name)
        return _evaluate_now(engine, settings, now, alerts or AlertSettings())
    finally:
        release(engine, name, now, time.monotonic() - started)


def _evaluate_hours(engine, settings, now, name) -> None:
    end = hour_floor(now)
    state = _claim_dirty(engine)
    try:
        _evaluate_dirty(engine, settings, end, state)
    except BaseException:
        if state is not None and state.dirty_since is not None:
            _restore_dirty(engine, state.dirty_since)  # evaluated again by the next run
        raise


def _claim_dirty(engine):
    """Read and clear dirty_since in one transaction, before evaluating: data a collector
    stores meanwhile marks its hours dirty again for the next run instead of being cleared
    unseen at the end of this one."""
    table = models.EngineState
    with transaction(engine) as session:
        state = session.execute(
            select(table.dirty_since, table.evaluated_until)
            .where(table.id == STATE_ID).with_for_update()
        ).first()
        if state is not None and state.dirty_since is not None:
            session.execute(update(table).where(table.id == STATE_ID).values(dirty_since=None))
    return state


def _restore_dirty(engine, since: datetime) -> None:
    table = models.EngineState
    with transaction(engine) as session:
        current = session.scalar(
            select(table.dirty_since).where(table.id == STATE_ID).with_for_update()
        )
        if current is None or since < current:
            session.execute(update(table).where(table.id == STATE_ID).values(dirty_since=since))


def _evaluate_dirty(engine, settings, end: datetime, state) -> None:
    if state is None or state.dirty_since is None:
        first = (state.evaluated_until + HOUR) if state and state.evaluated_until else end
    else:
        # A change at x changes the windows ending after x: the hours after it.
        first = hour_floor(state.dirty_since) + HOUR
        if state.evaluated_until is not None:
            first = min(first, state.evaluated_until + HOUR)
    first = max(first, end - timedelta(days=settings.history_days))
    hour = first
    while hour <= end:
        last = min(end, hour + HOUR * (HOURS_PER_TRANSACTION - 1))
        with transaction(engine) as session:
            _evaluate_range(session, settings, hour, last)
            session.execute(
                update(models.EngineState).where(models.EngineState.id == STATE_ID)
                .values(evaluated_until=last)
            )
        hour = last + HOUR


def _evaluate_range(session, settings, first: datetime, last: datetime) -> None:
    """Evaluate the whole hours first..last and rewrite the changes among them."""
    conn = session.connection()
    keys = systems(conn)
    reader = Reader(conn, settings)
    hours = [first + HOUR * n for n in range(int((last - first) / HOUR) + 1)]
    series = reader.series(keys, [status_window(settings, hour) for hour in hours])
    figures_at = dict(zip(hours, series, strict=True))
    rows = [
        {"system_id": s, "hour": hour, "status": f.status, "score": f.score}
        for hour, figures in figures_at.items() for s, f in figures.items()
    ]
    upsert(session, models.StatusHour.__table__, rows, ("system_id", "hour"))
    _rewrite_changes(session, settings, reader, keys, first, last, figures_at)


def _rewrite_changes(session, settings, reader, keys, first, last, figures_at) -> None:
    sh, sc = models.StatusHour, models.StatusChange
    session.execute(delete(sc).where(sc.at >= first, sc.at <= last))
    before = dict(session.execute(
        select(sh.system_id, sh.status).where(sh.hour == first - HOUR)
    ).all())
    changes = []
    for key in keys:
        previous = before.get(key.id)
        hour = first
        while hour <= last:
            figures = figures_at[hour][key.id]
            if figures.status != previous:
                changes.append(_change(reader, settings, key.id, hour, previous, figures))
                previous = figures.status
            hour += HOUR
    session.add_all(
        models.StatusChange(system_id=c.system_id, at=c.at, from_status=c.from_status,
                            to_status=c.to_status, score=c.score, reasons=json.dumps(c.reasons))
        for c in changes
    )
    # The change after the range may now repeat the last status of the range: drop it then.
    after = session.execute(
        select(sc).where(sc.at == last + HOUR)
    ).scalars().all()
    for change in after:
        ending = figures_at[last][change.system_id].status
        if change.to_status == ending:
            session.delete(change)
        else:
            change.from_status = ending


def _change(reader, settings, system_id, at, previous, figures) -> Change:
    window = status_window(settings, at)
    return Change(system_id, at, previous, figures.status, figures.score,
                  reasons_of(reader, system_id, figures, window))


def reasons_of(reader: Reader, system_id: int, figures, window) -> list[str]:
    waiting = 0
    if figures.status == "silent":
        ends = reader.ends([system_id], window.until)
        waiting = reader.waiting(system_id, window.until, ends.last_report.get(system_id),
                                 ends.watched.get(system_id, set()))
    return reasons.reasons(figures, window.until, reader.cfg, waiting)


def _evaluate_now(engine, settings, now, alerts: AlertSettings) -> list[Change]:
    """The present: a status that differs from the current one is a live change (an event)."""
    changes = []
    with transaction(engine) as session:
        conn = session.connection()
        keys = systems(conn)
        reader = Reader(conn, settings)
        figures = reader.figures(keys, status_window(settings, now))
        current = {row.system_id: row for row in session.scalars(select(models.SystemStatus))}
        for key in keys:
            f = figures[key.id]
            row = current.get(key.id)
            if row is None:
                row = models.SystemStatus(system_id=key.id)
                session.add(row)
            if row.status != f.status:
                change = _change(reader, settings, key.id, now, row.status, f)
                changes.append(change)
                row.since = now
                session.add(models.Event(
                    at=now, kind="status", system_id=key.id,
                    payload=json.dumps({"system_id": key.id, "username": key.username,
                                        "from": row.status, "to": f.status, "score": f.score,
                                        "reasons": change.reasons}),
                ))
            row.status, row.score, row.evaluated_at = f.status, f.score, now
        session.flush()
        told = {c.system_id: c.reasons for c in changes}

        def reasons_for(system_id):
            if system_id not in told:
                told[system_id] = _change(reader, settings, system_id, now, None,
                                          figures[system_id]).reasons
            return told[system_id]

        episodes.reconcile(session, alerts, now, {
            key.id: (key.username, figures[key.id].status, figures[key.id].score,
                     {name: getattr(figures[key.id], name) for name in COMPONENTS})
            for key in keys}, reasons_for)
    return changes


def status_since(conn, statuses: dict[int, str], until: datetime, history_days: int):
    """Per system, since when it has had the status ``statuses`` gives it at ``until``.

    The first whole hour from which every hourly evaluation up to ``until`` gave that status (at
    most ``history_days`` back). When the last hour before ``until`` gave another status (the
    status changed after it), the time the live evaluation first saw it if it did, else
    ``until``. None for a system never evaluated.
    """
    sh, sc, live = models.StatusHour, models.StatusChange, models.SystemStatus
    last_hour = hour_floor(until)
    oldest = last_hour - timedelta(days=history_days)
    hourly = {}
    for chunk in chunks(statuses):  # by key: the table's index starts with the system
        hourly.update(conn.execute(
            select(sh.system_id, sh.status).where(sh.system_id.in_(chunk), sh.hour == last_hour)
        ).all())
    changed = dict(conn.execute(
        select(sc.system_id, func.max(sc.at)).where(sc.at <= last_hour).group_by(sc.system_id)
    ).all())
    seen = {row.system_id: row for row in conn.execute(select(live.system_id, live.status,
                                                              live.since))}
    since = {}
    for system_id, status in statuses.items():
        if hourly.get(system_id) == status and system_id in changed:
            since[system_id] = max(changed[system_id], oldest)
        elif system_id in hourly:
            row = seen.get(system_id)
            live_since = row.since if row is not None and row.status == status else None
            recent = live_since is not None and last_hour < live_since <= until
            since[system_id] = live_since if recent else until
        else:
            since[system_id] = None
    return since
