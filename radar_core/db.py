"""Engines and sessions. One engine per database URL; one session per unit of work."""

import contextlib
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _tune_sqlite(dbapi_connection, _record):
    # WAL lets the API read while the collector writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, pool_recycle: int = 3600) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return create_engine(parsed, pool_recycle=pool_recycle, pool_pre_ping=True)


def get_engine(url: str, pool_recycle: int = 3600) -> Engine:
    """The shared engine of ``url`` (created on first use)."""
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url, pool_recycle)
        return _engines[url]


def dispose_engines():
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextlib.contextmanager
def transaction(engine: Engine):
    """A session whose work is committed at the end, or rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
