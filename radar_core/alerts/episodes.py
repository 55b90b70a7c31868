"""Alert episodes: opened and resolved inside the health engine's present-time evaluation.

An alert is open for a system while its status is one of ``[alerts] statuses`` and no silence
covers it. Opening inserts a row whose unique ``open_key`` is the system id, together with one
"opened" delivery per channel that wants it; resolving clears the key in one conditional UPDATE
and adds a "resolved" delivery for each channel told of the opening. Both happen in the
transaction that moves the system's current status, so a restart, a second collector, a re-poll
or a backfill (which only evaluates the present once, at its end) can neither open an episode
twice nor notify it twice: the database refuses the second row.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from radar_core import models
from radar_core.alerts.channels import AlertSettings

LOG = logging.getLogger(__name__)
RESOLVING = ("healthy", "degraded")


def silenced(conn, now: datetime) -> tuple[bool, set[int]]:
    """(whether every system is silenced, the ids of the systems silenced) at ``now``."""
    s = models.Silence
    rows = conn.execute(select(s.system_id).where(s.starts_at <= now, s.ends_at > now)).all()
    ids = {row.system_id for row in rows}
    return None in ids, {i for i in ids if i is not None}


def open_alerts(conn) -> dict[int, int]:
    """system id -> the id of its open alert."""
    a = models.Alert
    return dict(conn.execute(select(a.system_id, a.id).where(a.open_key.is_not(None))).all())


def _projects(conn) -> dict[int, set[str]]:
    sp, p = models.SystemProject, models.Project
    rows = conn.execute(select(sp.system_id, p.name).join(p, p.id == sp.project_id))
    projects: dict[int, set[str]] = {}
    for system_id, name in rows:
        projects.setdefault(system_id, set()).add(name)
    return projects


def reconcile(session, settings: AlertSettings, now: datetime, current: dict,
              reasons_of=lambda system_id: []) -> list[dict]:
    """Open and resolve alerts so that they agree with ``current`` (system id -> (username,
    status, score, components)); ``reasons_of(system id)`` gives the reasons of an opening
    one. Returns the alert events added. Runs in the caller's transaction."""
    conn = session.connection()
    everything, some = silenced(conn, now)
    opened = {a.system_id: a for a in session.scalars(
        select(models.Alert).where(models.Alert.open_key.is_not(None)))}
    projects = None
    events = []
    for system_id, (username, status, score, components) in current.items():
        quiet = everything or system_id in some
        alert = opened.get(system_id)
        if alert is None and status in settings.statuses and not quiet:
            if projects is None:
                projects = _projects(conn)
            alert = _open(session, settings, now, system_id, username, status, score,
                          components, reasons_of(system_id), projects.get(system_id, set()))
            if alert is not None:
                events.append(_event(session, now, alert, username, "opened"))
        elif alert is not None and (quiet or status in RESOLVING):
            if _resolve(session, now, alert, "silence" if quiet else status):
                events.append(_event(session, now, alert, username, "resolved"))
    return events


def _open(session, settings, now, system_id, username, status, score, components, reasons,
          projects):
    alert = models.Alert(system_id=system_id, open_key=system_id, status=status, opened_at=now,
                         score=score, reasons=json.dumps(reasons),
                         components=json.dumps(components))
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        LOG.info("an alert of system %s is already open", system_id)
        return None
    for channel in settings.channels:
        if channel.wants(username, projects, status):
            session.add(models.AlertDelivery(alert_id=alert.id, channel=channel.name,
                                             kind="opened", state="pending", attempts=0,
                                             due_at=now))
    LOG.info("alert %s opened: %s is %s", alert.id, username, status)
    return alert


def _resolve(session, now, alert, by: str) -> bool:
    a = models.Alert
    done = session.execute(
        update(a).where(a.id == alert.id, a.open_key.is_not(None))
        .values(open_key=None, resolved_at=now, resolved_by=by)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return False
    session.expire(alert)
    told = session.scalars(select(models.AlertDelivery.channel).where(
        models.AlertDelivery.alert_id == alert.id, models.AlertDelivery.kind == "opened")).all()
    for channel in told:
        session.add(models.AlertDelivery(alert_id=alert.id, channel=channel, kind="resolved",
                                         state="pending", attempts=0, due_at=now))
    LOG.info("alert %s resolved (%s)", alert.id, by)
    return True


def _event(session, now, alert, username, kind) -> dict:
    payload = {"alert_id": alert.id, "system_id": alert.system_id, "username": username,
               "state": kind, "status": alert.status}
    session.add(models.Event(at=now, kind="alert", system_id=alert.system_id,
                             payload=json.dumps(payload)))
    return payload


def is_silenced(conn, system_id: int, now: datetime) -> bool:
    s = models.Silence
    return conn.execute(select(s.id).where(
        s.starts_at <= now, s.ends_at > now,
        or_(s.system_id.is_(None), s.system_id == system_id)).limit(1)).first() is not None
