"""Store a batch of Gerrit changes with a few multi-row statements per table.

``BulkStore(session, registry, now).store(changes)`` writes what ``ChangeInfo`` objects hold:
projects, accounts, CI systems, changes, patchsets, reports with their job results, and
rechecks. Everything is keyed by Gerrit's own identifiers, and every write is an upsert
(SQLite ``ON CONFLICT``, MySQL/MariaDB ``ON DUPLICATE KEY UPDATE``), so storing the same batch
twice, or a change that a stream event stored already, changes nothing. Rows that would not
change are not written at all. The caller owns the transaction (and takes the engine's lock
first, see radar_core.engine.refresh.lock); ``touched`` holds the ids of the changes stored, for
the health engine.

Per batch: one read of what exists for the batch's changes, then one statement per table (in
chunks bounded by row count and bytes), instead of about 14 ORM statements per change.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from operator import itemgetter

from sqlalchemy import Boolean, bindparam, func, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from radar_collector import parser, sanitise
from radar_collector.events import STREAM_PREFIX
from radar_collector.gerrit_time import parse_gerrit_time
from radar_collector.store import (
    CIRegistry,
    MalformedChange,
    StoreCounts,
    _describe,
    _required,
    _text,
    _time_or,
)
from radar_core import models

LOG = logging.getLogger(__name__)

MAX_ROWS = 1000  # rows per executemany
MAX_BYTES = 1 << 23  # text held per executemany
IN_CHUNK = 500  # values per IN (...) list
# A stream event's time (seconds) and its REST message's (nanoseconds) differ by less.
STREAM_SLACK = timedelta(seconds=2)
ACCOUNT_FIELDS = ("name", "email", "username")


def upsert(
    session: Session,
    table,
    rows: list[dict],
    keys: tuple[str, ...],
    update: Iterable[str] = (),
) -> None:
    """Insert ``rows`` (all with the same columns); a row whose ``keys`` exist already updates
    only the ``update`` columns (none: it is left as it is).

    One statement, compiled once and handed to the driver's executemany with the rows as tuples:
    SQLite's, and PyMySQL's, which sends multi-row INSERTs of up to a megabyte each."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    sql, names, processors, named = _statement(
        dialect, table, keys, tuple(update), tuple(sorted(rows[0]))
    )
    connection = session.connection()
    for chunk in _chunks(rows):
        # Column by column (each converted by its type's bind processor, if it has one: dates
        # on SQLite, booleans), then zipped into rows: no Python-level loop per value.
        columns = [
            map(process, map(itemgetter(name), chunk)) if process else map(itemgetter(name), chunk)
            for name, process in zip(names, processors, strict=True)
        ]
        params = list(zip(*columns, strict=True))
        if named:  # PyMySQL: %(name)s
            params = [dict(zip(names, row, strict=True)) for row in params]
        connection.exec_driver_sql(sql, params)


@functools.lru_cache(maxsize=256)
def _statement(dialect, table, keys, update, columns) -> tuple[str, tuple, tuple, bool]:
    """The SQL text of an upsert of ``columns``, its parameters' names in order, the bind
    processor of each (None for a type without one), and whether the parameters are named
    rather than positional."""
    stmt = _upsert_statement(dialect.name, table, keys, update)
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    names = tuple(compiled.positiontup or ())
    named = not names
    names = names or tuple(compiled.params)
    if sorted(names) != sorted(columns):  # pragma: no cover - binds named after the columns
        raise RuntimeError(f"unexpected parameters for {table.name}: {names}")
    processors = tuple(_bind_processor(table.c[name].type, dialect) for name in names)
    return str(compiled), names, processors, named


def _bind_processor(column_type, dialect):
    """The column type's bind processor, except for booleans: both drivers bind Python's
    True and False as 1 and 0 themselves, which is all the processor would do (besides
    checking that they are booleans, which the rows built here always are)."""
    if isinstance(column_type, Boolean):
        return None
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _upsert_statement(dialect: str, table, keys, update):
    if dialect == "sqlite":
        stmt = sqlite_insert(table)
        if update:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    elif dialect in ("mysql", "mariadb"):
        stmt = mysql_insert(table)
        # A no-op assignment rather than INSERT IGNORE, which would hide other errors.
        columns = {c: stmt.inserted[c] for c in update} or {keys[0]: table.c[keys[0]]}
        stmt = stmt.on_duplicate_key_update(columns)
    else:  # pragma: no cover - the two dialects Radar supports
        raise NotImplementedError(dialect)
    return stmt


def _chunks(rows: list[dict]):
    """``rows`` in slices of at most MAX_ROWS rows and about MAX_BYTES of text."""
    if not rows:
        return
    if "message" not in rows[0]:  # the one long text, a report's; other rows are short
        for start in range(0, len(rows), MAX_ROWS):
            yield rows[start : start + MAX_ROWS]
        return
    start, size = 0, 0
    for index, length in enumerate(map(len, map(itemgetter("message"), rows))):
        if index > start and (index - start >= MAX_ROWS or size + length > MAX_BYTES):
            yield rows[start:index]
            start, size = index, 0
        size += length
    yield rows[start:]


def _in_chunks(values) -> Iterable[list]:
    values = sorted(values)
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


class BulkStore:
    """Stores batches of changes in one session; the caller owns the transaction."""

    def __init__(self, session: Session, registry: CIRegistry, now: datetime):
        self.session = session
        self.registry = registry
        self.now = now
        self.counts = StoreCounts()
        self.touched: set[int] = set()  # database ids of the changes stored
        self._accounts: dict[int, dict] = {}  # account id -> fields seen in this batch
        self._systems: dict[int, str] = {}  # account id -> source, of the CI systems seen
        self.partial = False
        self.adopted = 0  # rows the stream stored that REST messages took over

    # -- entry points ------------------------------------------------------------------------
    def members(self, members: Iterable) -> None:
        """Store a CI group's members as accounts and CI systems (source 'group')."""
        for member in members:
            account_id = self._see_account(member)
            if account_id is not None:
                self._systems.setdefault(account_id, "group")
        self._write_accounts_and_systems()

    def store(self, infos: Iterable, partial: bool = False) -> None:
        """Store one batch of ChangeInfo objects (a malformed one is counted and skipped).

        ``partial``: the objects come from stream events (radar_collector.events), which
        know less than the REST API: changes and patchsets already stored are left as they
        are (a new patchset still supersedes the one before), and a message the REST poll
        stored already is not stored again."""
        self.partial = partial
        infos = list(infos)
        for info in infos:  # a CI's first verdict may come after its start notice elsewhere
            self.registry.learn(info)
        valid = self._valid(infos)
        if not valid:
            return
        projects = self._projects({project for _, project, _, _ in valid})
        changes = self._changes(valid, projects)
        patchsets = self._patchsets(valid, changes, projects)
        reports, rechecks = self._messages(valid, changes, patchsets)
        self._write_accounts_and_systems()
        self._write_reports(reports)
        upsert(self.session, models.Recheck.__table__, rechecks, ("change_id", "message_id"))
        self.counts.rechecks += len(rechecks)
        self.counts.changes += len(valid)
        self.touched.update(changes.values())

    # -- validation --------------------------------------------------------------------------
    def _valid(self, infos) -> list[tuple[int, str, datetime, dict]]:
        valid, numbers = [], set()
        for info in infos:
            try:
                number, project, updated = _required(info)
            except (MalformedChange, ValueError, TypeError) as exc:
                self.counts.malformed += 1
                LOG.warning("skipping malformed change %r: %s", _describe(info), exc)
                continue
            if number not in numbers:  # the first of a batch wins: it is the newest
                numbers.add(number)
                valid.append((number, project, updated, info))
        return valid

    # -- projects, accounts, systems ---------------------------------------------------------
    def _projects(self, names: set[str]) -> dict[str, int]:
        table = models.Project.__table__
        found = self._select_in(table.c.name, names, table.c.id)
        missing = [{"name": name} for name in sorted(names - set(found))]
        if missing:
            upsert(self.session, table, missing, ("name",))
            found.update(self._select_in(table.c.name, {r["name"] for r in missing}, table.c.id))
        return found

    def _see_account(self, info) -> int | None:
        """Note an AccountInfo (later fields win, as they were seen); its id or None."""
        if not isinstance(info, dict):
            return None
        account_id = info.get("_account_id")
        if not isinstance(account_id, int):
            return None
        fields = self._accounts.get(account_id)
        if fields is None:
            fields = self._accounts[account_id] = {}
        for field in ACCOUNT_FIELDS:
            value = info.get(field)
            if isinstance(value, str):
                fields[field] = value[:255]
        return account_id

    def _write_accounts_and_systems(self) -> None:
        if not self._accounts:
            return
        accounts = models.Account.__table__
        existing = {
            row.id: row
            for chunk in _in_chunks(self._accounts)
            for row in self.session.execute(select(accounts).where(accounts.c.id.in_(chunk)))
        }
        rows, final = [], {}
        for account_id, fields in self._accounts.items():
            old = existing.get(account_id)
            row = {"id": account_id}
            for field in ACCOUNT_FIELDS:
                row[field] = fields.get(field, getattr(old, field) if old else None)
            final[account_id] = row
            if old is None or any(getattr(old, f) != row[f] for f in ACCOUNT_FIELDS):
                rows.append(row)
        upsert(self.session, accounts, rows, ("id",), ACCOUNT_FIELDS)
        self._write_systems(final)
        self._accounts.clear()
        self._systems.clear()

    def _write_systems(self, accounts: dict[int, dict]) -> None:
        if not self._systems:
            return
        table = models.CISystem.__table__
        existing = {
            row.id: row
            for chunk in _in_chunks(self._systems)
            for row in self.session.execute(
                select(table.c.id, table.c.name, table.c.username).where(table.c.id.in_(chunk))
            )
        }
        rows = []
        for account_id, source in self._systems.items():
            account, old = accounts[account_id], existing.get(account_id)
            name = account["name"] or (old.name if old else None) or account["username"]
            username = account["username"] or (old.username if old else None)
            row = {"name": name or str(account_id), "username": username}
            if old is not None and (old.name, old.username) == (row["name"], username):
                continue
            rows.append(
                {"id": account_id, "source": source, "first_seen_at": self.now, **row}
            )
            self.registry.know_names(username)
        # An existing system keeps its source, first sighting and operator contacts.
        upsert(self.session, table, rows, ("id",), ("name", "username"))

    # -- changes and patchsets ---------------------------------------------------------------
    def _changes(self, valid, projects: dict[str, int]) -> dict[int, int]:
        """Upsert the changes; their database ids by number."""
        table = models.Change.__table__
        columns = ("project_id", "branch", "change_id", "subject", "status", "owner_id", "updated")
        existing = {
            row.number: row
            for chunk in _in_chunks(number for number, _, _, _ in valid)
            for row in self.session.execute(select(table).where(table.c.number.in_(chunk)))
        }
        rows = []
        for number, project, updated, info in valid:
            owner = self._see_account(info.get("owner"))
            row = {
                "number": number,
                "project_id": projects[project],
                "branch": str(info.get("branch") or "")[:255],
                "change_id": _text(info.get("change_id"), 64),
                "subject": _text(info.get("subject"), 1024),
                "status": _text(info.get("status"), 16),
                "owner_id": owner,
                "updated": updated,
            }
            old = existing.get(number)
            if old is None:
                rows.append({**row, "created": _time_or(info.get("created"), updated)})
            elif self.partial:
                continue  # the REST poll's row knows more than an event
            elif any(getattr(old, column) != row[column] for column in columns):
                rows.append({**row, "created": old.created})
        upsert(self.session, table, rows, ("number",), columns)  # 'created' is kept
        ids = {number: row.id for number, row in existing.items()}
        missing = {number for number, _, _, _ in valid} - set(ids)
        if missing:
            ids.update(self._select_in(table.c.number, missing, table.c.id))
        return ids

    def _patchsets(self, valid, changes, projects) -> dict[tuple[int, int], int]:
        """Upsert the patchsets of the changes; their ids by (change id, number)."""
        table = models.Patchset.__table__
        columns = ("project_id", "created", "uploader_id", "revision", "superseded_at")
        existing: dict[int, dict[int, dict]] = {}
        wanted = [table.c.id, table.c.change_id, table.c.number, *(table.c[c] for c in columns)]
        for chunk in _in_chunks(changes.values()):
            for row in self.session.execute(select(*wanted).where(table.c.change_id.in_(chunk))):
                existing.setdefault(row.change_id, {})[row.number] = dict(row._mapping)
        rows, ids = [], {}
        for number, project, _, info in valid:
            change_id = changes[number]
            old = existing.get(change_id, {})
            merged = {n: dict(ps) for n, ps in old.items()}
            revisions = info.get("revisions")
            for sha, revision in (revisions.items() if isinstance(revisions, dict) else ()):
                try:
                    ps_number = int(revision["_number"])
                    created = parse_gerrit_time(revision["created"])
                except (KeyError, TypeError, ValueError) as exc:
                    LOG.warning("change %s: skipping malformed revision: %s", number, exc)
                    continue
                if self.partial and ps_number in old:
                    continue
                patchset = merged.setdefault(ps_number, {"number": ps_number})
                patchset.update(
                    project_id=projects[project],
                    created=created,
                    uploader_id=self._see_account(revision.get("uploader")),
                    revision=str(sha)[:64],
                )
            ordered = sorted(merged.values(), key=lambda ps: ps["number"])
            for index, patchset in enumerate(ordered):
                following = ordered[index + 1] if index + 1 < len(ordered) else None
                patchset["superseded_at"] = following["created"] if following else None
                before = old.get(patchset["number"])
                if before is None or any(before[c] != patchset[c] for c in columns):
                    rows.append({"change_id": change_id, "number": patchset["number"],
                                 **{c: patchset[c] for c in columns}})
                if before is not None:
                    ids[(change_id, patchset["number"])] = before["id"]
        upsert(self.session, table, rows, ("change_id", "number"), columns)
        new = {(row["change_id"], row["number"]) for row in rows} - set(ids)
        for chunk in _in_chunks({change_id for change_id, _ in new}):
            for row in self.session.execute(
                select(table.c.id, table.c.change_id, table.c.number)
                .where(table.c.change_id.in_(chunk))
            ):
                ids[(row.change_id, row.number)] = row.id
        return ids

    # -- messages ----------------------------------------------------------------------------
    def _messages(self, valid, changes, patchsets) -> tuple[list[dict], list[dict]]:
        """The new report rows and recheck rows of the batch; the reports' job rows go to
        ``self._jobs``."""
        seen_reports = self._seen(models.Report.__table__, changes.values())
        seen_rechecks = self._seen(models.Recheck.__table__, changes.values())
        self._streamed = self._stream_rows(changes.values())
        self._adoptions: dict[str, list[dict]] = {"reports": [], "rechecks": []}
        # Job rows by report key, kept apart from the report rows: rows of plain values only,
        # which the cyclic garbage collector does not track.
        self._jobs: dict[tuple[int, str], tuple[dict, ...]] = {}
        reports, rechecks = [], []
        for number, _, _, info in valid:
            messages = info.get("messages")
            for message in messages if isinstance(messages, list) else ():
                try:
                    self._message(
                        changes[number], patchsets, message, seen_reports, seen_rechecks,
                        reports, rechecks,
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    LOG.warning("change %s: skipping malformed message: %s", number, exc)
        for name, rows in self._adoptions.items():
            self._adopt(getattr(models, "Report" if name == "reports" else "Recheck"), rows)
        return reports, rechecks

    def _stream_rows(self, change_ids) -> dict[tuple, list]:
        """Rows stored from stream events, by (table, change id, author id)."""
        found: dict[tuple, list] = {}
        reports, rechecks = models.Report.__table__, models.Recheck.__table__
        queries = (
            ("reports", select(reports.c.id, reports.c.change_id,
                               reports.c.system_id.label("author"), reports.c.date,
                               reports.c.message), reports),
            ("rechecks", select(rechecks.c.id, rechecks.c.change_id,
                                rechecks.c.account_id.label("author"), rechecks.c.date), rechecks),
        )
        for name, query, table in queries:
            for chunk in _in_chunks(change_ids):
                for row in self.session.execute(query.where(
                    table.c.change_id.in_(chunk), table.c.message_id.like(f"{STREAM_PREFIX}%")
                )):
                    found.setdefault((name, row.change_id, row.author), []).append(row)
        return found

    def _streamed_match(self, name, change_id, author_id, date, text=None):
        """The stream row of the same message (author, text, time within a few seconds)."""
        if not self._streamed:
            return None
        for row in self._streamed.get((name, change_id, author_id), ()):
            if abs(row.date - date) <= STREAM_SLACK and (text is None or row.message == text):
                self._streamed[(name, change_id, author_id)].remove(row)
                return row
        return None

    def _stored_by_rest(self, table, author_column, change_id, author_id, date, text=None):
        """Has the REST poll stored this stream message already (under Gerrit's id)?"""
        query = select(table.c.id).where(
            table.c.change_id == change_id,
            author_column == author_id,
            table.c.date.between(date - STREAM_SLACK, date + STREAM_SLACK),
            table.c.message_id.not_like(f"{STREAM_PREFIX}%"),
        )
        if text is not None:
            query = query.where(table.c.message == text)
        return self.session.execute(query.limit(1)).first() is not None

    def _adopt(self, model, rows: list[dict]) -> None:
        """A REST message takes over the row its stream event stored: Gerrit's id, exact
        time and patchset; the row (and its jobs and facts) stays."""
        if not rows:
            return
        table = model.__table__
        values = {c: bindparam(f"v_{c}") for c in rows[0] if c != "id"}
        stmt = update(table).where(table.c.id == bindparam("v_id")).values(values)
        self.session.execute(stmt, [{f"v_{c}": v for c, v in row.items()} for row in rows])
        self.adopted += len(rows)

    def _seen(self, table, change_ids) -> set[tuple[int, str]]:
        return {
            (row.change_id, row.message_id)
            for chunk in _in_chunks(change_ids)
            for row in self.session.execute(
                select(table.c.change_id, table.c.message_id).where(table.c.change_id.in_(chunk))
            )
        }

    def _message(self, change_id, patchsets, message, seen_reports, seen_rechecks, reports,
                 rechecks) -> None:
        message_id = message["id"]
        if not isinstance(message_id, str) or not message_id:
            raise ValueError("message without id")
        author = message.get("author")
        if not isinstance(author, dict) or not isinstance(author.get("_account_id"), int):
            return  # Gerrit's own messages ("Uploaded patch set 2.") have no author.
        text, tag = message.get("message"), message.get("tag")
        text = text if isinstance(text, str) else ""
        tag = tag if isinstance(tag, str) else None
        date = parse_gerrit_time(message["date"])
        number = message.get("_revision_number")
        key = (change_id, message_id[:191])
        streamed = message_id.startswith(STREAM_PREFIX)
        author_id = author["_account_id"]
        if self.registry.is_ci(author, text, tag):
            if key in seen_reports:
                return
            parsed = parser.parse_ci_message(text)
            number = number if isinstance(number, int) else parsed.patchset
            account_id = self._see_account(author)
            self._systems.setdefault(account_id, "detected")
            patchset_id = patchsets.get((change_id, number)) if number is not None else None
            if streamed:
                table = models.Report.__table__
                if self._stored_by_rest(table, table.c.system_id, change_id, author_id, date,
                                        text):
                    return
                match = None
            else:
                match = self._streamed_match("reports", change_id, author_id, date, text)
            if match is not None:
                self._adoptions["reports"].append({
                    "id": match.id, "message_id": key[1], "date": date,
                    "patchset_id": patchset_id, "patchset_number": number, "tag": _text(tag, 255),
                })
                seen_reports.add(key)
                return
            reports.append({
                "change_id": change_id,
                "patchset_id": patchset_id,
                "patchset_number": number,
                "system_id": account_id,
                "message_id": key[1],
                "date": date,
                "kind": parsed.kind,
                "result": parsed.result[:64],
                "result_class": parsed.result_class,
                "vote": parsed.vote,
                "pipeline": _text(parsed.pipeline, 64),
                "tag": _text(tag, 255),
                "message": text,
                "sanitised": message.get(sanitise.FLAG) is True,
                "jobs_dropped": parsed.jobs_dropped,
            })
            if parsed.jobs:
                self._jobs[key] = _job_rows(parsed.jobs)
            seen_reports.add(key)
            return
        if key in seen_rechecks:
            return
        is_recheck, target = parser.parse_recheck(text, self.registry.names)
        if not is_recheck:
            return
        number = number if isinstance(number, int) else None
        patchset_id = patchsets.get((change_id, number)) if number is not None else None
        table = models.Recheck.__table__
        if streamed and self._stored_by_rest(table, table.c.account_id, change_id, author_id, date):
            return
        match = None if streamed else self._streamed_match("rechecks", change_id, author_id, date)
        if match is not None:
            self._adoptions["rechecks"].append({
                "id": match.id, "message_id": key[1], "date": date,
                "patchset_id": patchset_id, "patchset_number": number,
            })
            seen_rechecks.add(key)
            return
        rechecks.append({
            "change_id": change_id,
            "patchset_id": patchsets.get((change_id, number)) if number is not None else None,
            "patchset_number": number,
            "message_id": key[1],
            "account_id": self._see_account(author),
            "date": date,
            "target": _text(target, 255),
        })
        seen_rechecks.add(key)

    def _write_reports(self, reports: list[dict]) -> None:
        if not reports:
            return
        table = models.Report.__table__
        # The reports are new (not seen under the engine's lock): their ids are above the
        # largest id before they are inserted, and their jobs are new too.
        before = self.session.scalar(select(func.max(table.c.id))) or 0
        upsert(self.session, table, reports, ("change_id", "message_id"))
        self.counts.reports += sum(r["kind"] == "report" for r in reports)
        if not self._jobs:
            return
        rows = []
        for report_id, change_id, message_id in self.session.execute(
            select(table.c.id, table.c.change_id, table.c.message_id).where(table.c.id > before)
        ):
            jobs = self._jobs.get((change_id, message_id))
            for job in jobs or ():
                job["report_id"] = report_id
            rows += jobs or ()
        upsert(self.session, models.JobResult.__table__, rows, ("id",))
        self._jobs.clear()

    def _select_in(self, column, values, value_column) -> dict:
        return {
            key: value
            for chunk in _in_chunks(values)
            for key, value in self.session.execute(
                select(column, value_column).where(column.in_(chunk))
            )
        }


def _job_rows(jobs) -> tuple[dict, ...]:
    """Job rows of parsed jobs, without their report's id (known once it is inserted). A
    tuple of rows of plain values: the garbage collector stops tracking it at its first look,
    so thousands of them in a batch do not make it scan the whole heap."""
    return tuple(
        {
            "position": position,
            "name": None if job.name is None else job.name[:255],
            "url": None if job.url is None else job.url[:2048],
            "result": job.result[:64],
            "result_class": job.result_class,
            "duration_s": job.duration_s,
            "voting": job.voting,
            "detail": None if job.detail is None else job.detail[:1024],
        }
        for position, job in enumerate(jobs)
    )
