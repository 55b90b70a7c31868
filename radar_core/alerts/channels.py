"""Notification channels as ``[alerts] channels`` declares them: a name, a URL, filters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from radar_core.catalogue import STATUS_NAMES

FILTERS = ("systems", "projects", "statuses")
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ChannelError(ValueError):
    """A channel line that cannot be used; the message names the channel, never its URL."""


@dataclass(frozen=True)
class Channel:
    name: str
    url: str = field(repr=False)  # may hold a secret: never logged, never shown
    systems: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()

    @property
    def alertmanager(self) -> bool:
        return self.url.startswith(("alertmanager://", "alertmanagers://"))

    def wants(self, username: str | None, projects: set[str], status: str) -> bool:
        """Whether an alert of this system (its watched projects) and status goes here."""
        if self.systems and username not in self.systems:
            return False
        if self.projects and not (self.projects & projects):
            return False
        return not (self.statuses and status not in self.statuses)


@dataclass(frozen=True)
class AlertSettings:
    statuses: tuple[str, ...] = ("failing", "silent")
    channels: tuple[Channel, ...] = ()
    dashboard_url: str | None = None
    timeout: float = 10.0
    retries: int = 8
    backoff: float = 30.0
    max_backoff: float = 3600.0

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)


def parse_channel(line: str) -> Channel:
    words = line.split()
    if len(words) < 2:
        raise ChannelError(f"channel {words[0] if words else '(empty)'!r}: give a name and a URL")
    name, url, *rest = words
    if not NAME.match(name):
        raise ChannelError(f"channel name {name[:64]!r}: use letters, digits, '.', '_' or '-'")
    if "://" not in url:
        raise ChannelError(f"channel {name}: the second word must be a URL (scheme://...)")
    filters = {}
    for word in rest:
        key, _, value = word.partition("=")
        if key not in FILTERS or not value:
            raise ChannelError(f"channel {name}: unknown filter {key!r} (use "
                               + ", ".join(f"{f}=..." for f in FILTERS) + ")")
        filters[key] = frozenset(v for v in value.split(",") if v)
    unknown = filters.get("statuses", frozenset()) - set(STATUS_NAMES)
    if unknown:
        raise ChannelError(f"channel {name}: unknown status {sorted(unknown)[0]!r}")
    return Channel(name, url, **filters)


def parse_channels(lines) -> list[Channel]:
    channels = [parse_channel(line) for line in lines if line.strip()]
    names = [c.name for c in channels]
    for name in names:
        if names.count(name) > 1:
            raise ChannelError(f"channel {name}: two channels have this name")
    return channels
