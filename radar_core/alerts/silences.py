"""Silences (maintenance windows): while one covers a system, no alert of it opens, and an open
one resolves. A silence with no system covers every system."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from radar_core import models


class SilenceError(ValueError):
    """A silence that cannot be made or ended; the message is one line for the client."""


def create(session, system_id: int | None, starts_at: datetime, ends_at: datetime,
           comment: str, author: str, now: datetime) -> models.Silence:
    if ends_at <= starts_at:
        raise SilenceError("the silence must end after it starts")
    if ends_at <= now:
        raise SilenceError("the silence must end in the future")
    if not comment.strip():
        raise SilenceError("give a comment saying why")
    silence = models.Silence(system_id=system_id, starts_at=starts_at, ends_at=ends_at,
                             comment=comment.strip()[:1024], author=author[:255],
                             created_at=now)
    session.add(silence)
    session.flush()
    return silence


def listing(conn, now: datetime, include_ended: bool = False) -> list:
    s = models.Silence
    query = select(s).order_by(s.starts_at.desc(), s.id.desc())
    if not include_ended:
        query = query.where(s.ends_at > now)
    return conn.execute(query).all()


def end(session, silence_id: int, now: datetime) -> models.Silence | None:
    """End the silence now (its end moves to now); None when there is no such silence."""
    silence = session.get(models.Silence, silence_id)
    if silence is None:
        return None
    if silence.ends_at > now:
        silence.ends_at = max(now, silence.starts_at)
    return silence
