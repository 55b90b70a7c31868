"""Deliveries of alert notifications, outside the poll's transaction.

The engine adds a pending row per (alert, channel, kind); a ``Notifier`` (a thread of the
collector, or one round after ``--once``) claims one due row at a time with a conditional UPDATE
(a lease), sends it through Apprise or Alertmanager's v2 API, and marks it sent, or schedules a
retry with exponential backoff, or gives it up after ``retries``. Every attempt is logged (the
channel's name, never its URL) and becomes a "delivery" event. Two collectors never send one row
both: only one UPDATE moves a lease.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from radar_core import models
from radar_core.alerts.channels import AlertSettings, Channel
from radar_core.db import transaction

LOG = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
ALERTMANAGER_HOLD = timedelta(days=30)


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC by design


class DeliveryError(Exception):
    """A channel that did not take the notification; the message is one line, no secret."""


@dataclass(frozen=True)
class Notice:
    """What a notification says: one alert's opening or resolution."""

    kind: str  # opened / resolved
    alert_id: int
    system_id: int
    name: str
    username: str | None
    status: str  # the status that opened the alert
    now_status: str | None  # the system's status now
    opened_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    score: int | None
    components: dict
    reasons: list
    dashboard: str | None
    contact: str | None

    @property
    def title(self) -> str:
        who = self.name or self.username
        if self.kind == "opened":
            return f"[Radar] {who} is {self.status}"
        why = "silenced" if self.resolved_by == "silence" else f"now {self.resolved_by}"
        return f"[Radar] resolved: {who} is {why}"

    @property
    def body(self) -> str:
        lines = [f"CI system: {self.name} ({self.username})",
                 f"Status: {self.status} since {iso(self.opened_at)}"
                 + (f", score {self.score}" if self.score is not None else "")]
        if self.kind == "resolved":
            lines.append(f"Resolved at {iso(self.resolved_at)}: "
                         + ("silenced" if self.resolved_by == "silence"
                            else f"now {self.resolved_by}"))
        parts = [f"{k} {_ratio(v)}" for k, v in self.components.items()]
        if parts:
            lines.append("Components: " + ", ".join(parts))
        if self.reasons:
            lines.append("Why:")
            lines += [f"- {reason}" for reason in self.reasons]
        if self.dashboard:
            lines.append(f"Dashboard: {self.dashboard}")
        if self.contact:
            lines.append(f"Operator: {self.contact}")
        return "\n".join(lines)


def iso(at: datetime | None) -> str:
    return at.isoformat() + "Z" if at else "-"


def _ratio(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def notice_of(session, settings: AlertSettings, delivery) -> Notice:
    alert = session.get(models.Alert, delivery.alert_id)
    system = session.get(models.CISystem, alert.system_id)
    live = session.get(models.SystemStatus, alert.system_id)
    name = system.name if system else str(alert.system_id)
    username = system.username if system else None
    dashboard = None
    if settings.dashboard_url:
        dashboard = f"{settings.dashboard_url.rstrip('/')}/#!/systems/{username or alert.system_id}"
    contact = None
    if system is not None:
        who = " ".join(filter(None, [system.contact_name,
                                      f"<{system.contact_email}>" if system.contact_email
                                      else None]))
        contact = ", ".join(filter(None, [who, system.info_url])) or None
    return Notice(
        kind=delivery.kind, alert_id=alert.id, system_id=alert.system_id, name=name,
        username=username, status=alert.status, now_status=live.status if live else None,
        opened_at=alert.opened_at, resolved_at=alert.resolved_at, resolved_by=alert.resolved_by,
        score=alert.score, components=json.loads(alert.components or "{}"),
        reasons=json.loads(alert.reasons or "[]"), dashboard=dashboard, contact=contact,
    )


# --- senders ---------------------------------------------------------------------------------


def send(channel: Channel, notice: Notice, timeout: float) -> None:
    if channel.alertmanager:
        _send_alertmanager(channel, notice, timeout)
    else:
        _send_apprise(channel, notice, timeout)


def _scrub(text: str, channel: Channel) -> str:
    """``text`` without the channel's URL or its password, on one line."""
    parts = urlsplit(channel.url)
    for secret in filter(None, [channel.url, parts.password, parts.username, parts.path[1:]]):
        if len(secret) >= 4:
            text = text.replace(secret, "****")
    return " ".join(text.split())[:500]


def _send_apprise(channel: Channel, notice: Notice, timeout: float) -> None:
    import apprise

    url = channel.url
    if "cto=" not in url:
        url += ("&" if "?" in url else "?") + f"cto={timeout:g}&rto={timeout:g}"
    sender = apprise.Apprise()
    if not sender.add(url):
        raise DeliveryError("not a URL Apprise knows")
    kind = apprise.NotifyType.FAILURE if notice.kind == "opened" else apprise.NotifyType.SUCCESS
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        ok = sender.notify(title=notice.title, body=notice.body, notify_type=kind)
    if not ok:
        said = [line for line in captured.getvalue().splitlines() if line.strip()]
        raise DeliveryError(_scrub(said[-1] if said else "Apprise could not send it", channel))


def alertmanager_alert(notice: Notice) -> dict:
    """The alert as Alertmanager's v2 API takes it; a resolution ends it at resolved_at."""
    ends = notice.resolved_at if notice.kind == "resolved" else (
        notice.opened_at + ALERTMANAGER_HOLD)
    alert = {
        "labels": {"alertname": f"RadarSystem{notice.status.capitalize()}",
                   "username": notice.username or str(notice.system_id),
                   "name": notice.name or "", "status": notice.status, "source": "radar"},
        "annotations": {"summary": notice.title, "description": notice.body},
        "startsAt": iso(notice.opened_at),
        "endsAt": iso(ends),
    }
    if notice.dashboard:
        alert["generatorURL"] = notice.dashboard
    return alert


def _send_alertmanager(channel: Channel, notice: Notice, timeout: float) -> None:
    parts = urlsplit(channel.url)
    scheme = "https" if parts.scheme == "alertmanagers" else "http"
    path = parts.path.rstrip("/")
    url = f"{scheme}://{parts.netloc}{path}/api/v2/alerts"
    try:
        reply = requests.post(url, json=[alertmanager_alert(notice)], timeout=timeout)
    except requests.RequestException as exc:
        raise DeliveryError(_scrub(f"cannot reach Alertmanager: {type(exc).__name__}",
                                   channel)) from None
    if reply.status_code >= 300:
        raise DeliveryError(f"Alertmanager answered HTTP {reply.status_code}")


# --- the notifier -------------------------------------------------------------------------------


class Notifier:
    """Sends due deliveries; ``run_once`` is one round, ``start`` a thread of rounds."""

    def __init__(self, engine, settings: AlertSettings, name: str, clock=utcnow,
                 sender=send, idle: float = 10.0):
        self.engine = engine
        self.settings = settings
        self.name = name
        self.clock = clock
        self.sender = sender
        self.idle = idle
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None

    # The thread: a round after each wake() (a poll's end) or every ``idle`` seconds.
    def start(self) -> Notifier:
        self._thread = threading.Thread(target=self._loop, name="radar-notifier", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any one failure
                LOG.error("alert deliveries failed: %s", " ".join(str(exc).split())[:300])
            self._wake.wait(self.idle)
            self._wake.clear()

    def run_once(self, budget: float | None = None) -> int:
        """Try every due delivery once (within ``budget`` seconds if given); returns how many
        were tried."""
        started = self.clock()
        tried = 0
        while not self._stop.is_set():
            if budget is not None and (self.clock() - started).total_seconds() >= budget:
                break
            delivery_id = self._claim(self.clock())
            if delivery_id is None:
                break
            self._attempt(delivery_id)
            tried += 1
        return tried

    def _due(self, now):
        d = models.AlertDelivery
        opening = aliased(models.AlertDelivery)
        # A resolution waits while its channel's opening is still pending (being retried).
        opening_pending = exists().where(
            opening.alert_id == d.alert_id, opening.channel == d.channel,
            opening.kind == "opened", opening.state == "pending")
        return (d.state == "pending", d.due_at <= now,
                or_(d.claimed_until.is_(None), d.claimed_until < now),
                or_(d.kind != "resolved", ~opening_pending))

    def _claim(self, now) -> int | None:
        d = models.AlertDelivery
        with transaction(self.engine) as session:
            candidates = session.scalars(
                select(d.id).where(*self._due(now)).order_by(d.due_at, d.id).limit(20)).all()
        for delivery_id in candidates:
            with transaction(self.engine) as session:
                taken = session.execute(
                    update(d).where(d.id == delivery_id, *self._due(now))
                    .values(claimed_by=self.name, claimed_until=now + LEASE)
                )
                if taken.rowcount == 1:
                    return delivery_id
        return None

    def _attempt(self, delivery_id: int) -> None:
        with transaction(self.engine) as session:
            delivery = session.get(models.AlertDelivery, delivery_id)
            notice = notice_of(session, self.settings, delivery)
            channel_name = delivery.channel
            attempts = delivery.attempts + 1
        channel = self.settings.channel(channel_name)
        error = None
        if channel is None:
            error, final = "the channel is no longer configured", True
        else:
            try:
                self.sender(channel, notice, self.settings.timeout)
                final = True
            except DeliveryError as exc:
                error = str(exc)
                final = attempts > self.settings.retries
            except Exception as exc:  # noqa: BLE001 - a channel's bug must not stop the others
                error = _scrub(f"{type(exc).__name__}: {exc}", channel)
                final = attempts > self.settings.retries
        self._record(delivery_id, notice, channel_name, attempts, error, final)

    def _record(self, delivery_id, notice, channel_name, attempts, error, final) -> None:
        now = self.clock()
        d = models.AlertDelivery
        if error is None:
            state, values = "sent", {"state": "sent", "sent_at": now, "last_error": None}
            LOG.info("alert %s %s: sent to %s", notice.alert_id, notice.kind, channel_name)
        elif final:
            state, values = "failed", {"state": "failed", "last_error": error}
            LOG.error("alert %s %s: delivery to %s given up after %s attempts: %s",
                      notice.alert_id, notice.kind, channel_name, attempts, error)
        else:
            wait = min(self.settings.backoff * 2 ** (attempts - 1), self.settings.max_backoff)
            state, values = "retrying", {"due_at": now + timedelta(seconds=wait),
                                         "last_error": error}
            LOG.warning("alert %s %s: delivery to %s failed (attempt %s, retry in %ss): %s",
                        notice.alert_id, notice.kind, channel_name, attempts, round(wait), error)
        with transaction(self.engine) as session:
            session.execute(update(d).where(d.id == delivery_id, d.claimed_by == self.name)
                            .values(attempts=attempts, claimed_by=None, claimed_until=None,
                                    **values))
            session.add(models.Event(at=now, kind="delivery", system_id=notice.system_id,
                                     payload=json.dumps({
                                         "alert_id": notice.alert_id,
                                         "system_id": notice.system_id,
                                         "username": notice.username, "channel": channel_name,
                                         "notification": notice.kind, "state": state,
                                         "attempts": attempts, "error": error})))
