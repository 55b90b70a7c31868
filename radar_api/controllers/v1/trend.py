"""``/v1/systems/{id or username}/trend``: one system's health per day or week."""

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.controllers.v1.figures_types import TrendPoint
from radar_api.expose import expose


class Trend(types.Base):
    """The window cut into UTC calendar days or weeks (the first and the last cut at its ends),
    oldest first."""

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
        span = utils.validate_window(window, since, until)
        bucket = utils.validate_bucket(bucket)
        project = utils.validate_project(radar, project)
        data = radar.trend(self.system_key, span, project=project, bucket=bucket)
        return Trend.from_dict({**data, "window": types.window_of(span)})
