"""API tokens for writes: made by ``radar-db-manage token create``, shown once, stored as their
SHA-256 (a token is 32 random bytes, so a plain hash cannot be reversed), revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select, update

from radar_core import models

PREFIX = "radar_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(session, name: str, now: datetime) -> str:
    """A new token named ``name``; returns the token itself (the only time it is seen)."""
    name = name.strip()
    if not name or len(name) > 255:
        raise ValueError("a token needs a name of 1 to 255 characters")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(models.ApiToken(name=name, digest=digest(token), created_at=now))
    return token


def listing(conn) -> list:
    t = models.ApiToken
    return conn.execute(select(t.id, t.name, t.created_at, t.revoked_at, t.last_used_at)
                        .order_by(t.id)).all()


def revoke(session, key: str, now: datetime) -> int:
    """Revoke the live tokens whose id or name is ``key``; returns how many."""
    t = models.ApiToken
    match = (t.id == int(key)) if key.isdigit() else (t.name == key)
    done = session.execute(update(t).where(match, t.revoked_at.is_(None))
                           .values(revoked_at=now))
    return done.rowcount


def verify(session, token: str, now: datetime) -> str | None:
    """The name of the live token ``token``, or None (unknown or revoked)."""
    t = models.ApiToken
    wanted = digest(token)
    row = session.execute(select(t.id, t.name, t.digest, t.revoked_at)
                          .where(t.digest == wanted)).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.digest, wanted):
        return None
    session.execute(update(t).where(t.id == row.id).values(last_used_at=now))
    return row.name
