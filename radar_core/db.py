"""Engines and sessions. One engine per database URL; one session per unit of work.

A database that is down or hung costs a request one wait, bounded by the timeouts of
:func:`make_engine`, and a :class:`Breaker` spares the requests that come next even that.
"""

import contextlib
import threading
import time

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

_engines: dict[str, Engine] = {}  # by URL and timeouts
_lock = threading.Lock()


def _tune_sqlite(busy_timeout_ms: int):
    def tune(dbapi_connection, _record):
        # WAL lets the API read while the collector writes; foreign keys are off by default.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return tune


def _limit_statements(seconds: float):
    """MariaDB's max_statement_time: the server itself ends a statement that runs too long
    (MySQL has no equivalent for every statement; there the read timeout bounds the wait)."""

    def limit(dbapi_connection, _record):
        if "mariadb" not in str(dbapi_connection.get_server_info()).lower():
            return
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET SESSION max_statement_time = {float(seconds):.3f}")
        cursor.close()

    return limit


# An IN list of at least this many values is estimated from the index statistics instead of
# one "dive" into the index per value. With the default (200), planning a statement over the
# 100 systems of a leaderboard dove into each index that starts with system_id, 100 times:
# 13 of its 14 ms at a million reports, growing with the tables' depth.
INDEX_DIVE_LIMIT = 10


# The longest GROUP_CONCAT (the engine joins a system's latency blocks of a window: some 0.1 MB
# for 90 days at a million reports); the default, 1 MB, would cut a year of a busy system.
GROUP_CONCAT_MAX_LEN = 1 << 30


def _estimate_long_in_lists(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET SESSION eq_range_index_dive_limit = {INDEX_DIVE_LIMIT}")
    cursor.execute(f"SET SESSION group_concat_max_len = {GROUP_CONCAT_MAX_LEN}")
    cursor.close()


def _timed_out(error: BaseException) -> bool:
    """Whether ``error`` comes from a socket timeout (PyMySQL raises its OperationalError
    while handling it)."""
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _no_reconnection_after_a_hung_ping(context):
    """pool_pre_ping replaces a connection whose ping failed with a new one. That is right
    when the server restarted (the ping fails at once), not when it is hung: the ping waited
    read_timeout, and the new connection would wait as long again. So a ping that timed out
    fails the checkout (SQLAlchemy still discards that connection)."""
    if context.is_pre_ping and _timed_out(context.original_exception):
        context.is_disconnect = False


def make_engine(
    url: str,
    pool_recycle: int = 3600,
    *,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    statement_timeout: float | None = None,
) -> Engine:
    """The engine of ``url``. The timeouts (seconds; None: none) bound how long a request can
    wait for a database that is down or hung: connecting, waiting for a reply, and (MariaDB)
    how long the server lets one statement run."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        busy = read_timeout if read_timeout is not None else 30
        engine = create_engine(url, connect_args={"timeout": connect_timeout or busy})
        event.listen(engine, "connect", _tune_sqlite(busy * 1000))
        return engine
    connect_args = {}
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        if connect_timeout is not None:
            connect_args["connect_timeout"] = max(1, round(connect_timeout))
        if read_timeout is not None:
            connect_args["read_timeout"] = connect_args["write_timeout"] = read_timeout
    engine = create_engine(
        parsed,
        pool_recycle=pool_recycle,
        pool_pre_ping=True,
        connect_args=connect_args,
        # Waiting for a pooled connection is bounded too.
        pool_timeout=connect_timeout if connect_timeout is not None else 30,
    )
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        event.listen(engine, "connect", _estimate_long_in_lists)
        if statement_timeout:
            event.listen(engine, "connect", _limit_statements(statement_timeout))
    event.listen(engine, "handle_error", _no_reconnection_after_a_hung_ping)
    return engine


def get_engine(url: str, pool_recycle: int = 3600, **timeouts) -> Engine:
    """The shared engine of ``url`` and ``timeouts`` (created on first use)."""
    key = f"{url} {sorted(timeouts.items())}"
    with _lock:
        if key not in _engines:
            _engines[key] = make_engine(url, pool_recycle, **timeouts)
        return _engines[key]


def dispose_engines():
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


class Breaker:
    """Once a request found the database unavailable, the requests of the next ``seconds``
    fail at once instead of each waiting for it again (so the requests queued behind the
    first ones do not wait twice); then one request tries the database, the others still
    failing at once while it does, and the first success closes the breaker.
    ``seconds`` = 0: every request tries."""

    def __init__(self, seconds: float, clock=time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed

    def allow(self) -> bool:
        """Whether this request may try the database now."""
        with self._lock:
            if self._open_until is None:
                return True
            now = self._clock()
            if now < self._open_until:
                return False
            self._open_until = now + self.seconds  # this one tries; the others wait no more
            return True

    def failed(self) -> None:
        with self._lock:
            self._open_until = self._clock() + self.seconds

    def succeeded(self) -> None:
        with self._lock:
            self._open_until = None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextlib.contextmanager
def transaction(engine: Engine):
    """A session whose work is committed at the end, or rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
