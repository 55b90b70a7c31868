"""Validation of query parameters, in one place, so every resource answers the same 400s.

Every check raises wsme's ClientSideError with a message that starts with the parameter's name;
the JSON error hook turns it into ``{"faultcode": "Client", "faultstring": ...}``.
"""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pecan
from wsme.exc import ClientSideError

from radar_core import catalogue, queries, stats
from radar_core.service import BUCKETS

DEFAULT_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=366)
WINDOW_PATTERN = re.compile(r"^(\d{1,6})([hdw])$")
WINDOW_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
# Times the API accepts: Gerrit is younger than 1970, and a window (with what the engine looks
# back over) must fit in the calendar and in every database's DATETIME.
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(9000, 1, 1)
MAX_TIME_LENGTH = 40  # '2026-11-01T10:00:00.000000+00:00' and some room
MAX_ID_DIGITS = 18  # below 2**63: every database's BIGINT, and never a huge int() to parse
STATUSES = catalogue.STATUS_NAMES
SORT_KEYS = catalogue.SORT_KEYS


def invalid(message: str) -> ClientSideError:
    return ClientSideError(message)


def not_found(message: str) -> ClientSideError:
    return ClientSideError(message, status_code=404)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def parse_time(name: str, value: str) -> datetime:
    """An ISO 8601 date or date-time from 1970 to 8999; a zone offset is converted to naive UTC."""
    try:
        if len(value) > MAX_TIME_LENGTH or not value.isascii():
            raise ValueError(value)
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise invalid(
            f"{name}: {value[:MAX_TIME_LENGTH]!r} is not an ISO 8601 date or date-time "
            "(e.g. 2026-11-01 or 2026-11-01T10:00:00Z)"
        ) from None
    if not EARLIEST <= parsed < LATEST:
        raise invalid(f"{name}: must be from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}")
    return parsed


def parse_window_length(value: str) -> timedelta:
    match = WINDOW_PATTERN.match(value.strip())
    if not match:
        raise invalid(
            f"window: {value[:40]!r} is not a duration like 24h, 7d or 30d (<N>h, d or w)"
        )
    length = int(match.group(1)) * WINDOW_UNITS[match.group(2)]
    if not timedelta(0) < length <= MAX_WINDOW:
        raise invalid(f"window: {value!r} must be longer than 0 and at most 366 days")
    return length


def validate_window(window=None, since=None, until=None, now=None) -> stats.Window:
    """The window ``[since, until)`` of ``window=`` or ``since=``/``until=`` (default 7 days).

    ``window`` with ``until`` is the window ending at ``until``; with ``since`` it is ambiguous.
    """
    if window is not None and since is not None:
        raise invalid("window: give either window= or since= (with until=), not both")
    # A window ending now ends at the current whole minute, so that a paged list does not
    # shift from one page to the next.
    end = parse_time("until", until) if until is not None else (now or utcnow()).replace(second=0)
    if until is not None and end < EARLIEST + MAX_WINDOW:
        raise invalid(f"until: must be later than {EARLIEST + MAX_WINDOW:%Y-%m-%d}")
    if since is not None:
        start = parse_time("since", since)
        if start >= end:
            raise invalid("since: must be earlier than until")
        if end - start > MAX_WINDOW:
            raise invalid("since: the window from since to until is longer than 366 days")
    else:
        start = end - (DEFAULT_WINDOW if window is None else parse_window_length(window))
    return stats.Window(since=start, until=end)


def validate_limit(limit, default: int, maximum: int) -> int:
    if limit is None:
        return min(default, maximum)
    value = int(limit) if is_id(limit) else None
    if value is None or not 1 <= value <= maximum:
        raise invalid(f"limit: must be a whole number from 1 to {maximum}, not {limit[:40]!r}")
    return value


def validate_marker(marker) -> int | None:
    """Markers are the ``id`` of the last item of the previous page: integers."""
    if marker is None:
        return None
    if not is_id(marker):
        raise invalid(f"marker: {marker[:40]!r} is not the id of an item of a previous page")
    return int(marker)


def is_id(value: str) -> bool:
    """ASCII digits only, at most MAX_ID_DIGITS (str.isdigit alone accepts '³¹' and '١٢')."""
    return value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS


MAX_KEY_LENGTH = 255  # a Gerrit username column's length


def validate_key(key: str) -> str:
    """A system's key: its account id or username, at most MAX_KEY_LENGTH characters."""
    if len(key) > MAX_KEY_LENGTH or "\x00" in key:
        raise invalid(f"key: a system id or username of at most {MAX_KEY_LENGTH} characters")
    return key


def validate_sort(sort) -> tuple[str, bool]:
    """``(key, descending)`` of ``sort=[-]key``; the default is by severity, worst first."""
    if sort is None:
        return catalogue.DEFAULT_SORT, False
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        raise invalid(f"sort: {sort!r} is not one of {', '.join(SORT_KEYS)} (- for descending)")
    return key, sort.startswith("-")


def validate_statuses(status) -> frozenset[str]:
    """The statuses of ``status=a,b``; empty means every status."""
    if status is None:
        return frozenset()
    wanted = frozenset(part.strip() for part in status.split(",") if part.strip())
    unknown = sorted(wanted - set(STATUSES))
    if unknown:
        raise invalid(f"status: {', '.join(unknown)} is not one of {', '.join(STATUSES)}")
    return wanted


def validate_bucket(bucket) -> str:
    if bucket is None:
        return "day"
    if bucket not in BUCKETS:
        raise invalid(f"bucket: {bucket!r} is not one of {', '.join(BUCKETS)}")
    return bucket


def validate_change_number(number, name: str = "number") -> int:
    value = int(number) if isinstance(number, str) and is_id(number) else 0
    if value < 1:
        raise invalid(
            f"{name}: change number must be a whole number from 1 to {10**MAX_ID_DIGITS - 1}, "
            f"not {str(number)[:40]!r}"
        )
    return value


FILTER_LENGTHS = {"result": 64, "job": 255, "pipeline": 255}  # the most characters of each


def _filter_text(name: str, value) -> str | None:
    if value is None:
        return None
    if not value.strip() or len(value) > FILTER_LENGTHS[name]:
        raise invalid(f"{name}: must be from 1 to {FILTER_LENGTHS[name]} characters")
    return value


def validate_report_filter(result, job, pipeline, change) -> queries.ReportFilter:
    """The reports list's filters: a result word, a job name, a pipeline, a change number."""
    return queries.ReportFilter(
        result=_filter_text("result", result),
        job=_filter_text("job", job),
        pipeline=_filter_text("pipeline", pipeline),
        change=None if change is None else validate_change_number(change, "change"),
    )


def validate_project(radar, project) -> str | None:
    """The project filter; an unknown project is a 404, as for any unknown resource."""
    if project is None:
        return None
    if not project.strip():
        raise invalid("project: must not be empty")
    if not radar.project_exists(project):
        raise not_found(f"project {project!r} not found")
    return project


def page_after(items: list[dict], marker: int | None, limit: int) -> tuple[list[dict], bool]:
    """The page of ``items`` after the item whose id is ``marker``, and whether more follow."""
    start = 0
    if marker is not None:
        ids = [item["id"] for item in items]
        if marker not in ids:
            raise invalid(f"marker: {marker} is not an item of this list")
        start = ids.index(marker) + 1
    return items[start : start + limit], start + limit < len(items)


def next_url(marker) -> str | None:
    """The relative URL of the next page: this request with only ``marker`` replaced."""
    if marker is None:
        return None
    request = pecan.request
    params = [(key, value) for key, value in request.GET.items() if key != "marker"]
    params.append(("marker", str(marker)))
    return f"{request.path}?{urlencode(params)}"
