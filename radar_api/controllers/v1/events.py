"""``/v1/events``: what happened, newest first: status changes, new data, alert deliveries."""

from datetime import datetime

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose


class Event(types.Base):
    """One event; ``data`` depends on the kind (status: from, to, score, reasons; data: what
    a poll stored)."""

    id = int
    at = types.utc_datetime
    kind = wtypes.text
    """status, data, or an alert's kind."""

    system_id = int
    data = {wtypes.text: types.json_value}

    @classmethod
    def sample(cls):
        return cls(id=41, at=datetime(2026, 11, 23, 10, 2), kind="status", system_id=105,
                   data={"from": "degraded", "to": "failing", "score": 41})


class EventCollection(types.Base):
    """A page of events, newest first."""

    events = [Event]
    next = wtypes.text
    """Relative URL of the next (older) page, or null."""

    @classmethod
    def sample(cls):
        return cls(events=[Event.sample()], next=None)


class EventsController(Resource):
    @expose(EventCollection, wtypes.text, wtypes.text)
    def get_all(self, limit=None, marker=None):
        """Events of every system, newest first, paged with limit and marker (an event id).

        Example: ``curl 'http://radar.example.org/v1/events?limit=20'``
        """
        settings = pecan.request.api
        limit = utils.validate_limit(limit, settings.default_limit, settings.max_limit)
        marker = utils.validate_marker(marker)
        page = pecan.request.radar.events(limit=limit, marker=marker)
        return EventCollection.from_dict(
            {"events": page["events"], "next": utils.next_url(page["next_marker"])}
        )
