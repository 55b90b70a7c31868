"""``/v1/systems/{id or username}/trend``: one system's health per day or week."""

from datetime import datetime

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose


class TrendPoint(types.Base):
    """The figures of one bucket, computed as if the bucket were the window."""

    since = types.utc_datetime
    until = types.utc_datetime
    score = int
    status = wtypes.text
    coverage = float
    timeliness = float
    success_rate = float
    stability = float
    reports = int
    latency_p50_s = float

    @classmethod
    def sample(cls):
        return cls(
            since=datetime(2026, 11, 22, 10),
            until=datetime(2026, 11, 23, 10),
            score=97,
            status="healthy",
            coverage=1.0,
            timeliness=0.98,
            success_rate=0.91,
            stability=1.0,
            reports=17,
            latency_p50_s=1830.0,
        )


class Trend(types.Base):
    """The window cut into consecutive buckets ending at its end, oldest first."""

    window = types.Window
    system = types.SystemRef
    bucket = wtypes.text
    """day or week."""

    points = [TrendPoint]

    @classmethod
    def sample(cls):
        return cls(
            window=types.Window.sample(),
            system=types.SystemRef.sample(),
            bucket="day",
            points=[TrendPoint.sample()],
        )


class TrendController(Resource):
    """The trend of one system, created per request by SystemsController._lookup."""

    def __init__(self, system_key):
        self.system_key = system_key

    @expose(Trend, *[wtypes.text] * 5)
    def get_all(self, window=None, since=None, until=None, project=None, bucket=None):
        """Score and components per bucket.

        Example: ``curl 'http://radar.example.org/v1/systems/101/trend?window=30d&bucket=week'``
        """
        radar = pecan.request.radar
        span = utils.figures_window(radar, window, since, until)
        bucket = utils.validate_bucket(bucket)
        project = utils.validate_project(radar, project)
        data = radar.trend(self.system_key, span, project=project, bucket=bucket)
        return Trend.from_dict({**data, "window": types.window_of(span)})
