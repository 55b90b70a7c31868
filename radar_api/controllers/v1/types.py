"""WSME types shared by several v1 resources, and the base every response type builds on."""

from datetime import UTC, datetime

from wsme import types as wtypes


def format_time(value: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` suffix; the data layer hands out naive UTC datetimes."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


class UTCDateTime(wtypes.UserType):
    """A naive UTC datetime, rendered as ``2026-11-23T10:00:00Z``.

    WSME's own datetime type drops the zone suffix the API contract promises.
    """

    basetype = wtypes.text
    name = "utcdatetime"

    def validate(self, value):
        if not isinstance(value, datetime):
            raise ValueError(f"expected a datetime, got {type(value).__name__}")
        return value

    def tobasetype(self, value):
        return None if value is None else format_time(value)


utc_datetime = UTCDateTime()


class JsonValue(wtypes.UserType):
    """Any JSON value (object, list, string, number, boolean or null), passed through."""

    basetype = wtypes.text
    name = "json"

    def validate(self, value):
        return value


json_value = JsonValue()


def _convert(datatype, value):
    if value is None:
        return None
    if isinstance(datatype, wtypes.ArrayType):
        return [_convert(datatype.item_type, item) for item in value]
    if isinstance(datatype, type) and issubclass(datatype, Base):
        return datatype.from_dict(value)
    return value


class Base(wtypes.Base):
    """A response object built from the data layer's plain dicts."""

    @classmethod
    def from_dict(cls, data: dict):
        """Fill every attribute from ``data``; a missing key is null, as the contract says."""
        obj = cls()
        for attr in wtypes.list_attributes(cls):
            setattr(obj, attr.key, _convert(attr.datatype, data.get(attr.name)))
        return obj


def window_of(span) -> dict:
    """A stats.Window as the data of a Window."""
    return {"since": span.since, "until": span.until}


class Window(Base):
    """The time window every figure of a response covers: ``[since, until)``."""

    since = utc_datetime
    """Start of the window (inclusive)."""

    until = utc_datetime
    """End of the window (exclusive)."""

    @classmethod
    def sample(cls):
        return cls(since=datetime(2026, 11, 16, 10), until=datetime(2026, 11, 23, 10))


class SystemRef(Base):
    """A CI system, named briefly: its Gerrit account id, display name and username."""

    id = int
    """Gerrit account id of the CI system."""

    name = wtypes.text
    """Display name in Gerrit."""

    username = wtypes.text
    """Gerrit username."""

    @classmethod
    def sample(cls):
        return cls(id=101, name="Acme Storage CI", username="acme-ci")


class JobRun(Base):
    """One job's result inside a CI report."""

    name = wtypes.text
    """Job name (null when the comment gave only a URL)."""

    url = wtypes.text
    """Link to the job's logs."""

    result = wtypes.text
    """Result word as the CI wrote it, e.g. SUCCESS or NODE_FAILURE."""

    result_class = wtypes.text
    """success, failure, error or skipped."""

    duration_s = float
    """Duration in seconds."""

    voting = bool
    """False for a non-voting job."""

    detail = wtypes.text
    """Free text the CI wrote after the result."""

    @classmethod
    def sample(cls):
        return cls(
            name="tempest-full-py3",
            url="https://zuul.example.org/t/openstack/build/7d2",
            result="SUCCESS",
            result_class="success",
            duration_s=3723.0,
            voting=True,
            detail=None,
        )
