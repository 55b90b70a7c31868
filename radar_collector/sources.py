"""Sources of Gerrit data as plug-ins: each runs in its own thread with its own error handling
and backoff, so one failing never stops another.

A :class:`Source` has a ``name``, ``run(stop)`` (work until the event is set; it must not
raise) and ``status()`` (a dict for /v1/status). Two exist: :class:`RestSource`, the REST poll
every ``poll_interval`` (the source of truth), and radar_collector.stream.StreamSource,
Gerrit's stream-events over SSH.
"""

from __future__ import annotations

import abc
import logging
import random
import threading

LOG = logging.getLogger(__name__)


class Backoff:
    """Exponential backoff with jitter: 1 s, 2 s, 4 s ... up to ``cap``; ``reset`` after work."""

    def __init__(self, base: float = 1.0, cap: float = 60.0, jitter: float = 0.1):
        self.base, self.cap, self.jitter = base, cap, jitter
        self.failures = 0

    def peek(self) -> float:
        return min(self.cap, self.base * 2 ** self.failures)

    def next(self) -> float:
        delay = self.peek()
        self.failures += 1
        return delay * (1 + random.uniform(0, self.jitter))  # noqa: S311 - not cryptographic

    def reset(self) -> None:
        self.failures = 0


class Source(abc.ABC):
    name = "source"

    @abc.abstractmethod
    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; handles its own errors."""

    def status(self) -> dict:
        return {}


class RestSource(Source):
    """The REST poll: every query, then the health engine, every ``interval`` seconds; a
    failed round waits with backoff instead (at most the interval)."""

    name = "rest"

    def __init__(self, poller, interval: float):
        self.poller = poller
        self.interval = interval
        self.backoff = Backoff(cap=interval)
        self.rounds = 0
        self.last_ok: bool | None = None

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                outcomes = self.poller.poll_all()
                self.last_ok = all(outcome.ok for outcome in outcomes)
            except Exception:  # a bug must not end the thread: log and go on
                LOG.exception("the REST poll failed")
                self.last_ok = False
            self.rounds += 1
            if self.last_ok:
                self.backoff.reset()
                stop.wait(self.interval)
            else:
                stop.wait(self.backoff.next())

    def status(self) -> dict:
        return {"rounds": self.rounds, "last_ok": self.last_ok}


def start(sources: list[Source], stop: threading.Event) -> list[threading.Thread]:
    """Run each source in a daemon thread of its own; returns the threads."""
    threads = []
    for source in sources:
        thread = threading.Thread(
            target=_guarded, args=(source, stop), name=f"radar-{source.name}", daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads


def _guarded(source: Source, stop: threading.Event) -> None:
    try:
        source.run(stop)
    except Exception:  # a source's bug ends that source only
        LOG.exception("source %s stopped on an unexpected error", source.name)
