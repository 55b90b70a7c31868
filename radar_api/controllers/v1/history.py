"""``/v1/systems/{id or username}/history``: the changes of one system's hourly status."""

from datetime import datetime, timedelta

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose

DEFAULT_SPAN = timedelta(days=30)


class StatusChange(types.Base):
    """The status changed at ``at`` (a whole hour): from, to, the score and reasons then."""

    at = types.utc_datetime
    from_status = wtypes.wsattr(wtypes.text, name="from")
    to_status = wtypes.wsattr(wtypes.text, name="to")
    score = int
    reasons = [wtypes.text]

    @classmethod
    def sample(cls):
        return cls(at=datetime(2026, 11, 22, 14), from_status="healthy", to_status="failing",
                   score=41, reasons=["success rate 35% is below what a healthy system reaches"])


class History(types.Base):
    """A system's status changes in the window, oldest first."""

    window = types.Window
    system = types.SystemRef
    changes = [StatusChange]

    @classmethod
    def sample(cls):
        return cls(window=types.Window.sample(), system=types.SystemRef.sample(),
                   changes=[StatusChange.sample()])


class HistoryController(Resource):
    """The history of one system, created per request by SystemsController._lookup."""

    def __init__(self, system_key):
        self.system_key = system_key

    @expose(History, wtypes.text, wtypes.text)
    def get_all(self, since=None, until=None):
        """The status changes of the system's hourly evaluations, default the last 30 days.

        Example: ``curl 'http://radar.example.org/v1/systems/doom-ci/history?since=2026-11-01'``
        """
        end = utils.parse_time("until", until) if until is not None else utils.utcnow()
        start = utils.parse_time("since", since) if since is not None else end - DEFAULT_SPAN
        if start >= end:
            raise utils.invalid("since: must be earlier than until")
        data = pecan.request.radar.history(self.system_key, start, end)
        changes = [
            {**c, "from_status": c["from"], "to_status": c["to"]} for c in data["changes"]
        ]
        return History.from_dict({"window": {"since": start, "until": end},
                                  "system": data["system"], "changes": changes})
