"""``/v1/trends``: every system's trend in one answer (the leaderboard's sparklines)."""

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.controllers.v1.figures_types import TrendPoint
from radar_api.expose import expose


class SystemTrend(types.Base):
    """One system's points, oldest first (as in ``/v1/systems/{id}/trend``)."""

    system = types.SystemRef
    points = [TrendPoint]

    @classmethod
    def sample(cls):
        return cls(system=types.SystemRef.sample(), points=[TrendPoint.sample()])


class TrendCollection(types.Base):
    """A page of systems (by id) with their trends over the same buckets."""

    window = types.Window
    bucket = wtypes.text
    """day or week."""

    trends = [SystemTrend]
    next = wtypes.text
    """Relative URL of the next page, or null on the last page."""

    @classmethod
    def sample(cls):
        return cls(window=types.Window.sample(), bucket="day", trends=[SystemTrend.sample()],
                   next=None)


class TrendsController(Resource):
    @expose(TrendCollection, *[wtypes.text] * 7)
    def get_all(self, window=None, since=None, until=None, project=None, bucket=None,
                limit=None, marker=None):
        """Score and components per bucket for every system, systems by id.

        Example: ``curl 'http://radar.example.org/v1/trends?window=7d&bucket=day'``
        """
        settings = pecan.request.api
        radar = pecan.request.radar
        span = utils.validate_window(window, since, until)
        bucket = utils.validate_bucket(bucket)
        project = utils.validate_project(radar, project)
        limit = utils.validate_limit(limit, settings.default_limit, settings.max_limit)
        marker = utils.validate_marker(marker)
        page = radar.trends(span, project=project, bucket=bucket, limit=limit, marker=marker)
        return TrendCollection.from_dict({
            "window": types.window_of(span),
            "bucket": page["bucket"],
            "trends": page["trends"],
            "next": utils.next_url(page["next_marker"]),
        })
