"""``/v1/figures``: the catalogue of figures, statuses and sort keys, and the thresholds."""

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose


class FigureInfo(types.Base):
    """A figure of the catalogue: where it stands, what it is and how to show it."""

    name = wtypes.text
    group = wtypes.text
    """health or stats: where the figure stands in a system."""

    kind = wtypes.text
    """count, ratio, score, seconds, time or status."""

    label = wtypes.text
    help = wtypes.text
    better = wtypes.text
    """higher, lower, or null."""

    sortable = bool

    @classmethod
    def sample(cls):
        return cls(name="coverage", group="health", kind="ratio", label="Coverage",
                   help="Eligible patchsets the system reported on / eligible patchsets.",
                   better="higher", sortable=True)


class StatusInfo(types.Base):
    """A status, in the order of severity (worst first)."""

    name = wtypes.text
    label = wtypes.text
    help = wtypes.text

    @classmethod
    def sample(cls):
        return cls(name="failing", label="failing", help="Score below the failing threshold.")


class Thresholds(types.Base):
    """The [health] options in force."""

    score_failing_below = int
    score_degraded_below = int
    report_deadline_s = float
    silent_after_s = float
    unsupported_after_s = float
    watch_lookback_s = float
    status_window_s = float
    weights = {wtypes.text: float}

    @classmethod
    def sample(cls):
        return cls(score_failing_below=50, score_degraded_below=80, report_deadline_s=14400.0,
                   silent_after_s=86400.0, unsupported_after_s=1209600.0,
                   watch_lookback_s=2592000.0, status_window_s=604800.0,
                   weights={"coverage": 0.35, "timeliness": 0.25, "success_rate": 0.25,
                            "stability": 0.15})


class Catalogue(types.Base):
    """Every figure, status and sort key, and the thresholds in force."""

    figures = [FigureInfo]
    statuses = [StatusInfo]
    """Worst first: the order of severity."""

    sort_keys = [wtypes.text]
    default_sort = wtypes.text
    kinds = {wtypes.text: wtypes.text}
    thresholds = Thresholds

    @classmethod
    def sample(cls):
        return cls(figures=[FigureInfo.sample()], statuses=[StatusInfo.sample()],
                   sort_keys=["severity", "name", "score"], default_sort="severity",
                   kinds={"ratio": "a ratio from 0 to 1"}, thresholds=Thresholds.sample())


class FiguresController(Resource):
    @expose(Catalogue)
    def get_all(self):
        """Every figure with its label, kind and help; the statuses; the thresholds.

        Example: ``curl http://radar.example.org/v1/figures``
        """
        return Catalogue.from_dict(pecan.request.radar.figures())
