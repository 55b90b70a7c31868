"""Gerrit's timestamp format: ``2024-05-01 12:34:56.000000000``, UTC, no zone suffix."""

import re
from datetime import datetime

_FAST_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6,9}")


def parse_gerrit_time(value) -> datetime:
    """Naive UTC datetime of a Gerrit timestamp; ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError(f"not a Gerrit timestamp: {value!r}")
    text = value.strip()
    if _FAST_RE.fullmatch(text):  # the usual form, read without strptime's overhead
        return datetime.fromisoformat(text[:26])
    base, _, fraction = text.partition(".")
    moment = datetime.strptime(base, "%Y-%m-%d %H:%M:%S")
    if fraction:
        if not fraction.isdigit():
            raise ValueError(f"not a Gerrit timestamp: {value!r}")
        moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return moment


def format_gerrit_time(moment: datetime) -> str:
    """The form Gerrit's ``after:``/``before:`` operators take."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")
