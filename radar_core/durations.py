"""Durations written the way operators write them: ``90s``, ``15m``, ``4h``, ``7d``, ``2w``."""

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d{1,9})\s*([smhdw]?)\s*$")
DURATION_REGEX = r"^\d{1,9}[smhdw]?$"


def parse_duration(text: str) -> timedelta:
    """Return the timedelta for ``text``; a bare number is seconds.

    Raises ValueError with a message naming the accepted forms.
    """
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(
            f"invalid duration {text!r}: use a whole number followed by s, m, h, d or w (e.g. 7d)"
        )
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2) or "s"])
