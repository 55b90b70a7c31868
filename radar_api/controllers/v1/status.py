"""``/v1/status``: is the collector keeping up?"""

from datetime import datetime

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose

SAMPLE_QUERY = "status:open project:openstack/nova"


class QueryState(types.Base):
    """One Gerrit query the collectors poll: how far it got and who holds its lock."""

    query = wtypes.text
    watermark = types.utc_datetime
    last_success_at = types.utc_datetime
    locked_by = wtypes.text
    """Name of the collector polling it now, or null."""

    @classmethod
    def sample(cls):
        time = datetime(2026, 11, 23, 9, 55)
        return cls(query=SAMPLE_QUERY, watermark=time, last_success_at=time, locked_by=None)


class Poll(types.Base):
    """One poll of a Gerrit query and what it did."""

    id = int
    query = wtypes.text
    started_at = types.utc_datetime
    finished_at = types.utc_datetime
    outcome = wtypes.text
    """ok, error or skipped."""

    requests = int
    errors = int
    rate_limited = int
    """Requests Gerrit refused with HTTP 429."""

    changes = int
    reports_stored = int
    rechecks_stored = int
    message = wtypes.text

    @classmethod
    def sample(cls):
        return cls(
            id=812,
            query=SAMPLE_QUERY,
            started_at=datetime(2026, 11, 23, 9, 55),
            finished_at=datetime(2026, 11, 23, 9, 55, 4),
            outcome="ok",
            requests=3,
            errors=0,
            rate_limited=0,
            changes=14,
            reports_stored=22,
            rechecks_stored=1,
            message=None,
        )


class Collector(types.Base):
    """The collectors' health: the latest polls, newest first."""

    last_poll_at = types.utc_datetime
    last_success_at = types.utc_datetime
    outcome = wtypes.text
    """Outcome of the latest poll."""

    lag_s = float
    """Seconds since the last successful poll; null if none."""

    queries = [QueryState]
    polls = [Poll]
    """The 20 latest polls, newest first."""

    @classmethod
    def sample(cls):
        time = datetime(2026, 11, 23, 9, 55)
        return cls(
            last_poll_at=time,
            last_success_at=time,
            outcome="ok",
            lag_s=300.0,
            queries=[QueryState.sample()],
            polls=[Poll.sample()],
        )


class Totals(types.Base):
    """How much is stored."""

    systems = int
    changes = int
    patchsets = int
    reports = int
    rechecks = int

    @classmethod
    def sample(cls):
        return cls(systems=7, changes=120, patchsets=310, reports=2100, rechecks=45)


class Delivery(types.Base):
    """One notification of an alert to a channel (channels are named, never their URLs)."""

    id = int
    alert_id = int
    system_id = int
    channel = wtypes.text
    kind = wtypes.text
    """opened or resolved."""

    state = wtypes.text
    """pending (also while retried), sent, or failed (given up)."""

    attempts = int
    due_at = types.utc_datetime
    sent_at = types.utc_datetime
    last_error = wtypes.text

    @classmethod
    def sample(cls):
        return cls(id=9, alert_id=4, system_id=101, channel="ops", kind="opened", state="sent",
                   attempts=1, due_at=datetime(2026, 11, 23, 9, 56),
                   sent_at=datetime(2026, 11, 23, 9, 56), last_error=None)


class Alerts(types.Base):
    """Alerts open now and the deliveries of their notifications."""

    open = int
    deliveries = {wtypes.text: int}
    """Deliveries per state."""

    latest_deliveries = [Delivery]

    @classmethod
    def sample(cls):
        return cls(open=1, deliveries={"sent": 3}, latest_deliveries=[Delivery.sample()])


class Stream(types.Base):
    """A collector's event stream (Gerrit's stream-events over SSH), as it last wrote it."""

    name = wtypes.text
    """The collector and source, e.g. ``host:4242/stream``."""

    connected = bool
    """Connected now (false also when its collector stopped writing its state)."""

    connected_since = types.utc_datetime
    connections = int
    events = int
    malformed = int
    """Lines that were not events Radar can read, logged and skipped."""

    reports_stored = int
    last_event_at = types.utc_datetime
    lag_s = float
    """Seconds between Gerrit creating the latest event and the collector reading it."""

    last_error = wtypes.text
    updated_at = types.utc_datetime

    @classmethod
    def sample(cls):
        time = datetime(2026, 11, 23, 9, 59)
        return cls(name="collector-1:4242/stream", connected=True, connected_since=time,
                   connections=1, events=310, malformed=0, reports_stored=41,
                   last_event_at=time, lag_s=0.4, last_error=None, updated_at=time)


class Quota(types.Base):
    """The Gerrit quota monitor: what the polls of the last hour asked of Gerrit."""

    window_s = int
    polls = int
    requests = int
    """HTTP requests sent to Gerrit (retries included): requests per hour."""

    errors = int
    rate_limited = int
    """HTTP 429 replies."""

    retry_wait_s = float
    """Seconds spent waiting as Gerrit's Retry-After asked."""

    streams = [Stream]

    @classmethod
    def sample(cls):
        return cls(window_s=3600, polls=12, requests=40, errors=1, rate_limited=1,
                   retry_wait_s=2.0, streams=[Stream.sample()])


class Status(types.Base):
    """The collector's state, the database's totals and the Gerrit quota monitor."""

    poll_interval = int
    """Seconds between polls; the web client refreshes at the same pace."""

    now = types.utc_datetime
    collector = Collector
    totals = Totals
    alerts = Alerts
    quota = Quota

    @classmethod
    def sample(cls):
        return cls(
            poll_interval=300,
            now=datetime(2026, 11, 23, 10),
            collector=Collector.sample(),
            totals=Totals.sample(),
            alerts=Alerts.sample(),
            quota=Quota.sample(),
        )


class StatusController(Resource):
    @expose(Status)
    def get_all(self):
        """The collector's polls and the stored totals.

        Example: ``curl http://radar.example.org/v1/status``
        """
        return Status.from_dict(pecan.request.radar.status(pecan.request.api.poll_interval))
