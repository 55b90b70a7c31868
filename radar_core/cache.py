"""Figures computed once per data change, and ahead of the questions that come back.

The leaderboard and the trends are the expensive questions (seconds over a large history); a
system's detail and jobs cost less, but slow down while the others are computed. Every dashboard
asks them again every poll interval. ``CachedRadar`` keeps their answers, keyed by a data
version (the highest ids of the tables the collector appends to, an index-only query), so an
answer for a given window never misses what the collector stored. (An operator's contacts,
edited in the database, show from the next poll on.)

Most questions are about a window ending now ("the last 7 days"), whose end moves every minute;
keyed by their exact window they would never be asked twice. With warming on, a background
thread answers again, for a window ending at the current minute, every such question asked
lately, whenever the data has changed or the last answers are getting old, and only then moves
the *anchor* of that window length: the end at which questions "ending now" are answered.
Requests thus get answers computed ahead, for a window that ended at most ``max_age`` ago, on
the data of when it ended; the answer's window says which. Each API process has its own cache
and warmer; the API stays stateless.
"""

import logging
import os
import sys
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select

from radar_core import models
from radar_core.stats import Window

LOG = logging.getLogger(__name__)

# The collector only ever appends rows to these (and a new patchset is what supersedes one),
# so their highest ids change whenever any figure can.
_VERSION_COLUMNS = (
    models.Report.id,
    models.Recheck.id,
    models.Patchset.id,
    models.PollLog.id,
    models.CISystem.id,
)
_WINDOW = object()  # stands for the window in a question's arguments
SWITCH_INTERVAL = 0.001  # seconds, in a process that warms (see _start_warming)


class _Anchor(NamedTuple):
    until: datetime  # end of the windows "ending now" of one length
    version: tuple  # data version their answers were computed on


class _Question(NamedTuple):
    """A question about a window ending now, without the window: (name, args, kwargs) with
    ``_WINDOW`` where the window goes."""

    name: str
    args: tuple
    kwargs: tuple
    length: timedelta

    def at(self, window: Window) -> tuple[tuple, dict]:
        args = tuple(window if a is _WINDOW else a for a in self.args)
        kwargs = {k: window if v is _WINDOW else v for k, v in self.kwargs}
        return args, kwargs


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _question(name, args, kwargs) -> tuple[_Question, Window] | tuple[None, None]:
    """The question of a call about a window ending now, and that window; else Nones."""
    windows = [v for v in (*args, *kwargs.values()) if isinstance(v, Window)]
    if len(windows) != 1 or not windows[0].ends_now:
        return None, None
    window = windows[0]
    return _Question(
        name,
        tuple(_WINDOW if a is window else a for a in args),
        tuple(sorted((k, _WINDOW if v is window else v) for k, v in kwargs.items())),
        window.until - window.since,
    ), window


class CachedRadar:
    """A ``Radar`` whose figures (``CACHED``) are reused while the data is the same.

    With ``warm_every`` (seconds), a background thread computes ahead the answers for windows
    ending now, as the module docstring tells; ``anchored`` gives the window such a question is
    answered for. Everything else is passed through unchanged.
    """

    CACHED = ("systems", "system", "jobs", "trend")

    def __init__(
        self,
        radar,
        *,
        max_entries: int = 1024,
        warm_every: float | None = None,
        max_age: timedelta = timedelta(minutes=5),
        forget_after: timedelta = timedelta(minutes=30),
        clock=_utcnow,
    ):
        self.radar = radar
        self.max_entries = max_entries
        self.warm_every = warm_every
        self.max_age = max_age
        self.forget_after = forget_after  # questions not asked since are no longer warmed
        self.clock = clock
        self._entries: OrderedDict = OrderedDict()
        self._asked: dict[_Question, datetime] = {}
        self._anchors: dict[timedelta, _Anchor] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._warmer_pid = None  # the process the warmer runs in (none is inherited by a fork)
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name):
        target = getattr(self.radar, name)
        if name not in self.CACHED:
            return target
        return lambda *args, **kwargs: self._cached(name, args, kwargs)

    def data_version(self) -> tuple:
        statement = select(
            *[select(func.max(column)).scalar_subquery() for column in _VERSION_COLUMNS]
        )
        with self.radar.engine.connect() as connection:
            return tuple(connection.execute(statement).one())

    def anchored(self, window: Window) -> Window:
        """The window a question about ``window`` is answered for: for a window ending now, the
        one ending at its length's anchor when that is at most ``max_age`` old; else itself."""
        self._start_warming()
        if not window.ends_now:
            return window
        length = window.until - window.since
        anchor = self._anchors.get(length)
        if anchor is None or not timedelta(0) <= window.until - anchor.until <= self.max_age:
            return window
        return Window(anchor.until - length, anchor.until, ends_now=True)

    def _cached(self, name, args, kwargs):
        self._start_warming()
        question, window = _question(name, args, kwargs)
        version = None
        if question is not None:
            anchor = self._anchors.get(question.length)
            if anchor is not None and anchor.until == window.until:
                version = anchor.version  # answered (or being answered) ahead on that data
        if version is None:
            version = self.data_version()
        value = self._answer(name, args, kwargs, version)
        if question is not None:  # answered: worth answering ahead (a bad question raised)
            with self._lock:
                self._asked.pop(question, None)
                self._asked[question] = self.clock()
                while len(self._asked) > self.max_entries // 2:
                    del self._asked[next(iter(self._asked))]  # the longest not asked
        return value

    def _answer(self, name, args, kwargs, version):
        key = (name, args, tuple(sorted(kwargs.items())), version)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
        value = getattr(self.radar, name)(*args, **kwargs)  # outside the lock: it takes a while
        with self._lock:
            self.misses += 1
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    # --- warming --------------------------------------------------------------------------------

    def warm(self) -> int:
        """Answer ahead, for a window ending at the current minute, the questions about windows
        ending now asked within ``forget_after`` whose anchor has other data or is older than
        half ``max_age``; then move their anchors. Returns how many questions it answered (or
        tried to: one that fails now, say about a system since deleted, is skipped)."""
        now = self.clock()
        minute = now.replace(second=0, microsecond=0)
        version = self.data_version()
        with self._lock:
            for question in [q for q, t in self._asked.items() if now - t > self.forget_after]:
                del self._asked[question]
            by_length: dict[timedelta, list[_Question]] = {}
            for question in self._asked:
                by_length.setdefault(question.length, []).append(question)
        computed = 0
        for length, questions in by_length.items():
            anchor = self._anchors.get(length)
            if anchor and anchor.version == version and minute - anchor.until < self.max_age / 2:
                continue
            window = Window(minute - length, minute, ends_now=True)
            for question in questions:
                args, kwargs = question.at(window)
                try:
                    self._answer(question.name, args, kwargs, version)
                except Exception as error:  # a bad question (e.g. a system since deleted)
                    LOG.debug("not warming %s: %s", question, error)
                computed += 1
            with self._lock:
                self._anchors[length] = _Anchor(minute, version)
        return computed

    def _start_warming(self) -> None:
        if not self.warm_every or self._warmer_pid == os.getpid():
            return
        with self._lock:
            if self._warmer_pid == os.getpid():
                return
            self._warmer_pid = os.getpid()
            self._stop.clear()
        # The warmer computes for seconds while holding the GIL; request threads waiting on it
        # get it back sooner with a shorter switch interval (5 ms by default): measured, this
        # halves the 95th percentile of cached answers while the warmer works.
        sys.setswitchinterval(SWITCH_INTERVAL)
        threading.Thread(target=self._warm_loop, name="radar-cache-warmer", daemon=True).start()

    def _warm_loop(self) -> None:
        while not self._stop.wait(self.warm_every):
            try:
                self.warm()
            except Exception as error:  # the database down: answers are computed on request
                LOG.warning("cache warming failed: %s", error)

    def close(self) -> None:
        """Stop the warming thread (it stops within ``warm_every`` seconds)."""
        self.warm_every = None
        self._stop.set()
