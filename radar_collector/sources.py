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
    """The REST poll: ``loop(stop)`` polls every query, then runs the health engine, every poll
    interval until ``stop`` is set, backing off after failures (radar_collector.cmd.run_daemon,
    the same loop as without a stream)."""

    name = "rest"

    def __init__(self, loop):
        self.loop = loop

    def run(self, stop: threading.Event) -> None:
        self.loop(stop)


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
