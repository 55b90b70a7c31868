"""WSME types of the figures, made from the catalogue (radar_core.catalogue), never listed here.

``Health`` and ``Stats`` hold one attribute per figure of their group; ``TrendPoint`` the
figures a trend gives per bucket (radar_core.service.TREND_FIELDS).
"""

from datetime import datetime

from wsme import types as wtypes

from radar_api.controllers.v1 import types
from radar_core import catalogue
from radar_core.service import TREND_FIELDS

WSME_TYPES = {
    "count": int,
    "ratio": float,
    "score": int,
    "seconds": float,
    "time": types.utc_datetime,
    "status": wtypes.text,
}
SAMPLES = {
    "count": 12,
    "ratio": 0.95,
    "score": 93,
    "seconds": 1830.0,
    "time": datetime(2026, 11, 23, 9, 51),
    "status": "healthy",
}


def _type(name: str, doc: str, figures) -> type:
    attributes = {figure.name: WSME_TYPES[figure.kind] for figure in figures}

    def sample(cls):
        return cls(**{figure.name: SAMPLES[figure.kind] for figure in figures})

    return type(name, (types.Base,), {**attributes, "__doc__": doc,
                                      "sample": classmethod(sample)})


Health = _type("Health", "The health of a system: score, status and components.",
               catalogue.group("health"))
Stats = _type("Stats", "The figures behind a system's health over the window.",
              catalogue.group("stats"))
TrendPoint = _type(
    "TrendPoint",
    "The figures of one bucket, computed as if the bucket were the window.",
    [catalogue.Figure("since", "", "time", "", ""), catalogue.Figure("until", "", "time", "", ""),
     *(catalogue.FIGURES[name] for name in TREND_FIELDS)],
)
