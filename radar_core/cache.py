"""Figures computed once per data change.

The leaderboard and the trends are the expensive questions, and every dashboard asks them again
every poll interval. ``CachedRadar`` keeps their answers until the data changes: before each
answer it reads a data version (the highest ids of the tables the collector appends to, an
index-only query), so a cached answer is never stale. Each API process has its own cache; the
API stays stateless.
"""

import threading
from collections import OrderedDict

from sqlalchemy import func, select

from radar_core import models

# The collector only ever appends rows to these (and a new patchset is what supersedes one),
# so their highest ids change whenever any figure can.
_VERSION_COLUMNS = (
    models.Report.id,
    models.Recheck.id,
    models.Patchset.id,
    models.PollLog.id,
    models.CISystem.id,
)


class CachedRadar:
    """A ``Radar`` whose ``systems`` and ``trend`` answers are reused while the data is the same.

    Everything else is passed through unchanged.
    """

    CACHED = ("systems", "trend")

    def __init__(self, radar, max_entries: int = 256):
        self.radar = radar
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name):
        target = getattr(self.radar, name)
        if name not in self.CACHED:
            return target
        return lambda *args, **kwargs: self._cached(name, target, args, kwargs)

    def data_version(self) -> tuple:
        statement = select(
            *[select(func.max(column)).scalar_subquery() for column in _VERSION_COLUMNS]
        )
        with self.radar.engine.connect() as connection:
            return tuple(connection.execute(statement).one())

    def _cached(self, name, target, args, kwargs):
        key = (name, args, tuple(sorted(kwargs.items())), self.data_version())
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
        value = target(*args, **kwargs)  # computed outside the lock: answers may take a while
        with self._lock:
            self.misses += 1
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
