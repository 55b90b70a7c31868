"""Stream a poll's changes into the database in bounded batches.

A poll no longer holds every page in memory: changes are stored ``batch_size`` at a time, each
batch in its own transaction that takes the engine's lock, stores the batch in bulk
(radar_collector.bulk) and refreshes the engine's facts of the changes it touched, so the
figures always match the stored rows. The caller moves the query's watermark only after the
whole range is stored: a poll that fails half way leaves batches that the next poll (from the
same watermark) stores again, which changes nothing.

Who is a CI system is learnt batch by batch. An account first found to be a CI after an
earlier batch of the same poll was stored may have messages in that batch that were not
known to be reports then: ``late`` names those accounts, and the poller fetches their changes
again (``commentby:``).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from radar_collector.bulk import BulkStore
from radar_collector.gerrit_time import parse_gerrit_time
from radar_collector.store import CIRegistry, StoreCounts
from radar_core.db import transaction
from radar_core.engine import refresh
from radar_core.engine.settings import EngineSettings

LOG = logging.getLogger(__name__)


class Ingest:
    """What one poll stored so far: counts, touched changes' newest update, late CI accounts."""

    def __init__(
        self,
        engine,
        registry: CIRegistry,
        health: EngineSettings,
        started: datetime,
        clock: Callable[[], datetime],
        batch_size: int = 100,
    ):
        self.engine = engine
        self.registry = registry
        self.health = health
        self.started = started
        self.clock = clock
        self.batch_size = max(1, batch_size)
        self.counts = StoreCounts()
        self.newest: datetime | None = None
        self.batches = 0
        self.late: set[int] = set()  # CI accounts detected after a batch had been stored

    def members(self, members: list) -> None:
        """Store a CI group's members (accounts and systems) before any of their reports."""
        if members:
            self._transaction(lambda store: store.members(members))

    def run(self, changes: Iterable) -> None:
        """Store ``changes`` batch by batch; each change number once per run."""
        seen: set[int] = set()
        unique = (info for info in changes if _first(info, seen))
        iterator = iter(unique)
        while True:
            batch = list(itertools.islice(iterator, self.batch_size))
            if not batch:
                return
            self.store(batch)
            del batch  # before the next page is read: one batch in memory at a time

    def store(self, batch: list) -> StoreCounts:
        """Store one batch in its own transaction; returns what it stored."""
        known = set(self.registry.detected)
        counts = self._transaction(lambda store: store.store(batch))
        if self.batches:
            self.late |= self.registry.detected - known
        self.batches += 1
        for name in ("changes", "reports", "rechecks", "malformed"):
            setattr(self.counts, name, getattr(self.counts, name) + getattr(counts, name))
        newest = _newest_update(batch)
        if newest is not None and (self.newest is None or newest > self.newest):
            self.newest = newest
        return counts

    def _transaction(self, work) -> StoreCounts:
        with transaction(self.engine) as session:
            refresh.lock(session)  # first: collectors sharing the database store one at a time
            store = BulkStore(session, self.registry, self.started)
            work(store)
            # The engine's facts and counters change with the rows, in the same transaction.
            refresh.refresh(session, store.touched, self.health, self.clock())
            return store.counts


def _first(info, seen: set[int]) -> bool:
    number = info.get("_number") if isinstance(info, dict) else None
    if not isinstance(number, int):
        return True  # malformed: the store counts it
    if number in seen:
        return False
    seen.add(number)
    return True


def _newest_update(changes) -> datetime | None:
    newest = None
    for info in changes:
        try:
            updated = parse_gerrit_time(info.get("updated"))
        except (AttributeError, ValueError):
            continue
        newest = updated if newest is None or updated > newest else newest
    return newest
