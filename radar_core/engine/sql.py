"""The few SQL expressions that differ between SQLite and MySQL/MariaDB, and bulk writes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

HOUR = timedelta(hours=1)
BATCH = 500  # rows per multi-row statement


def dialect_of(session_or_connection) -> str:
    """The dialect name of a Session or a Connection."""
    bind = getattr(session_or_connection, "get_bind", None)
    engine = bind() if bind else session_or_connection.engine
    return engine.dialect.name


def hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hour_ceil(moment: datetime) -> datetime:
    floor = hour_floor(moment)
    return floor if floor == moment else floor + HOUR


def hour_of(column, dialect: str):
    """The start of the hour of a datetime column, as text 'YYYY-MM-DD HH:00:00'."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:00:00", column)
    return func.date_format(column, "%Y-%m-%d %H:00:00")


def parse_hour(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def upsert(session, table, rows: list[dict], keys: tuple[str, ...]) -> None:
    """Insert ``rows`` into ``table``, replacing the rows with the same ``keys``. One statement,
    compiled once, executed for each batch of rows (the drivers send a batch as one INSERT)."""
    if not rows:
        return
    dialect = dialect_of(session)
    updated = [column for column in rows[0] if column not in keys]
    if dialect == "sqlite":
        stmt = sqlite_insert(table)
        if updated:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={c: stmt.excluded[c] for c in updated}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    elif dialect in ("mysql", "mariadb"):
        stmt = mysql_insert(table)
        if updated:
            stmt = stmt.on_duplicate_key_update({c: stmt.inserted[c] for c in updated})
        else:
            stmt = stmt.prefix_with("IGNORE")
    else:  # pragma: no cover - the two dialects Radar supports
        raise NotImplementedError(dialect)
    for start in range(0, len(rows), BATCH):
        session.execute(stmt, rows[start : start + BATCH])


def insert_all(session, table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` (a Table or a model), as Core
    executemany batches: the ORM's bulk insert would split them by which values are null."""
    table = getattr(table, "__table__", table)
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start : start + BATCH])


def chunks(values, size: int = BATCH):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
