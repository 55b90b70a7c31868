"""The web client's number formats (webclient/app/core/filters.js), to compare the screen with
the API's raw figures."""

import math
from datetime import UTC, datetime

NONE = "\u2014"


def js_round(value: float) -> int:
    """JavaScript's Math.round: halves go up, unlike Python's round()."""
    return math.floor(value + 0.5)


def percent(ratio):
    return NONE if ratio is None else f"{js_round(ratio * 100)}%"


def score(value):
    return NONE if value is None else str(value)


def duration(seconds):
    if seconds is None:
        return NONE
    total = js_round(seconds)
    if total < 60:
        return f"{total}s"
    if total < 3600:
        return _pair(total // 60, "m", total % 60, "s")
    minutes = total // 60
    if minutes < 24 * 60:
        return _pair(minutes // 60, "h", minutes % 60, "m")
    hours = minutes // 60
    return _pair(hours // 24, "d", hours % 24, "h")


def _pair(big, big_unit, small, small_unit):
    return f"{big}{big_unit}" + (f" {small:02d}{small_unit}" if small else "")


def utc(iso):
    if not iso:
        return NONE
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


STATUS_LABELS = {
    "healthy": "Healthy",
    "degraded": "Degraded",
    "failing": "Failing",
    "silent": "Silent",
    "unknown": "Unknown",
}
