"""One poll of Gerrit: read what changed since the watermark, store it, move the watermark.

A poll is all or nothing: the changes are read first, then stored together with the new
watermark and the poll log in one transaction, so a failed poll leaves the database as it was.
Collectors sharing a database take a lock per query (a row in poll_state) so that a Gerrit
query is never polled twice at once.
"""

import dataclasses
import json
import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from radar_collector.gerrit import GerritClient, GerritError
from radar_collector.gerrit_time import format_gerrit_time, parse_gerrit_time
from radar_collector.store import ChangeStore, CIRegistry, StoreCounts
from radar_core import models
from radar_core.db import transaction
from radar_core.engine import refresh, status
from radar_core.engine.settings import EngineSettings

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class PollSettings:
    projects: list[str]
    page_size: int = 100
    ci_accounts: list[str] = dataclasses.field(default_factory=list)
    ci_group: str | None = None
    reference_account: str | None = None
    backfill_days: int = 14
    overlap: timedelta = timedelta(minutes=10)
    lock_timeout: timedelta = timedelta(minutes=30)


@dataclasses.dataclass
class PollOutcome:
    query: str
    ok: bool
    counts: StoreCounts
    requests: int = 0
    message: str = ""
    skipped: bool = False


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC by design


def collector_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Poller:
    def __init__(
        self,
        engine,
        client: GerritClient,
        settings: PollSettings,
        name=None,
        health: EngineSettings | None = None,
    ):
        self.engine = engine
        self.client = client
        self.settings = settings
        self.name = name or collector_name()
        # What the health engine's figures are built with ([health] options).
        self.health = health or EngineSettings(reference_account=settings.reference_account)

    def queries(self) -> list[str]:
        """One Gerrit query (and one watermark) per configured project, or one for all."""
        if not self.settings.projects:
            return ["all"]
        return [f"project:{project}" for project in self.settings.projects]

    def poll_all(self) -> list[PollOutcome]:
        """Poll every query, then run the health engine on what they stored."""
        outcomes = [self.poll(query) for query in self.queries()]
        self.evaluate()
        return outcomes

    def evaluate(self) -> list:
        """Run the health engine: the status of every hour new data touched, and of now. A
        failure is logged; it never fails the polls that were stored."""
        try:
            return status.evaluate(self.engine, self.health, utcnow(), self.name)
        except SQLAlchemyError as exc:
            LOG.error("the health engine failed: %s", _one_line(exc))
            return []

    def backfill_days(self, since: datetime, until: datetime | None = None):
        """The (start, before) of each day a backfill from ``since`` polls, oldest first; the
        last day has no end when ``until`` is None (it reaches now)."""
        end = until or utcnow()
        day = since
        while day < end:
            following = day + timedelta(days=1)
            yield day, (None if until is None and following >= end else min(following, end))
            day = following

    # -- one query -------------------------------------------------------------------------
    def poll(
        self, query: str, since: datetime | None = None, before: datetime | None = None
    ) -> PollOutcome:
        """Poll ``query`` from its watermark (or from ``since`` for a backfill)."""
        started = utcnow()
        before_counts = self._client_counts()
        if not self._acquire(query, started):
            LOG.info("%s is being polled by another collector; skipped", query)
            return PollOutcome(
                query, True, StoreCounts(), skipped=True, message="locked by another collector"
            )
        try:
            watermark = self._watermark(query)
            if since is None:
                since = (
                    watermark - self.settings.overlap
                    if watermark
                    else started - timedelta(days=self.settings.backfill_days)
                )
            gerrit_query = self._gerrit_query(query, since, before)
            registry = self._registry()
            changes = list(self.client.query_changes(gerrit_query, self.settings.page_size))
            for info in changes:  # who is a CI is decided over the whole poll, not per change
                registry.learn(info)
            changes += self._history_of(registry.detected, query, since)
            counts = self._store(query, _unique(changes), registry, started, before_counts)
        except (GerritError, SQLAlchemyError) as exc:
            return self._failed(query, started, before_counts, _one_line(exc))
        except Exception as exc:  # a bug must not stop the daemon; the poll just fails
            LOG.exception("unexpected error while polling %s", query)
            return self._failed(query, started, before_counts, f"internal error: {exc!r}"[:500])
        finally:
            self._release(query)
        requests = self._client_counts()[0] - before_counts[0]
        LOG.info(
            "poll of %s: %d changes, %d reports, %d rechecks stored (%d requests)",
            query,
            counts.changes,
            counts.reports,
            counts.rechecks,
            requests,
        )
        return PollOutcome(query, True, counts, requests=requests)

    def _client_counts(self) -> tuple[int, int, int]:
        return self.client.requests_made, self.client.errors, self.client.rate_limited

    def _deltas(self, before_counts) -> dict:
        now = self._client_counts()
        return {
            "requests": now[0] - before_counts[0],
            "errors": now[1] - before_counts[1],
            "rate_limited": now[2] - before_counts[2],
        }

    def _failed(self, query, started, before_counts, message) -> PollOutcome:
        LOG.error("poll of %s failed: %s", query, message)
        deltas = self._deltas(before_counts)
        self._log_failure(query, started, message, deltas)
        return PollOutcome(
            query, False, StoreCounts(), message=message, requests=deltas["requests"]
        )

    def _gerrit_query(self, query, since, before, *extra) -> str:
        terms = [] if query == "all" else [query]
        terms += extra
        terms.append(f'after:"{format_gerrit_time(since)}"')
        if before is not None:
            terms.append(f'before:"{format_gerrit_time(before)}"')
        return " ".join(terms)

    def _history_of(self, new_systems, query, since) -> list[dict]:
        """Changes stored before this poll that accounts first found to be CI systems in it
        commented on: their earlier messages were not known to be reports then (a backfill,
        day by day, meets a CI's first days before the messages that reveal it)."""
        if not new_systems:
            return []
        oldest = self._oldest_update(query)
        if oldest is None or oldest >= since:
            return []
        who = " OR ".join(f"commentby:{account_id}" for account_id in sorted(new_systems))
        LOG.info("new CI systems %s: collecting their earlier messages", sorted(new_systems))
        history = self._gerrit_query(query, oldest, since, f"({who})")
        return list(self.client.query_changes(history, self.settings.page_size))

    def _oldest_update(self, query) -> datetime | None:
        """The oldest last-update of the changes stored for ``query``."""
        stmt = select(func.min(models.Change.updated))
        if query != "all":
            stmt = stmt.join(models.Project).where(
                models.Project.name == query.removeprefix("project:")
            )
        with transaction(self.engine) as session:
            return session.scalar(stmt)

    def _registry(self) -> CIRegistry:
        ids, usernames = set(), set()
        for entry in self.settings.ci_accounts + [self.settings.reference_account or ""]:
            entry = entry.strip()
            if entry.isdigit():
                ids.add(int(entry))
            elif entry:
                usernames.add(entry)
        names = []
        with transaction(self.engine) as session:
            systems = select(
                models.CISystem.id, models.CISystem.username, models.CISystem.recheck_keyword
            )
            for row in session.execute(systems):
                ids.add(row.id)
                names += [row.username, row.recheck_keyword]
        group_members = []
        if self.settings.ci_group:
            group_members = self.client.group_members(self.settings.ci_group)
            ids.update(
                m["_account_id"]
                for m in group_members
                if isinstance(m, dict) and isinstance(m.get("_account_id"), int)
            )
        self._group_members = group_members
        auto = not self.settings.ci_accounts and not self.settings.ci_group
        registry = CIRegistry(ids, usernames, auto_detect=auto)
        names += [m.get("username") for m in group_members if isinstance(m, dict)]
        registry.know_names(*names)
        return registry

    def _store(self, query, changes, registry, started, before_counts) -> StoreCounts:
        with transaction(self.engine) as session:
            refresh.lock(session)  # first: collectors sharing the database store one at a time
            store = ChangeStore(session, registry, started)
            for member in self._group_members:
                account = store._account(member)
                if account is not None:
                    store.system(account, source="group")
            for info in changes:
                store.store(info)
            store.finish()
            # The engine's facts and counters change with the rows, in the same transaction.
            refresh.refresh(session, store.touched, self.health, utcnow())
            if store.counts.reports or store.counts.rechecks:
                session.add(models.Event(at=utcnow(), kind="data", payload=json.dumps({
                    "query": query, "changes": store.counts.changes,
                    "reports": store.counts.reports, "rechecks": store.counts.rechecks,
                })))
            newest = _newest_update(changes)
            state = session.scalar(select(models.PollState).where(models.PollState.query == query))
            # Only forward: a backfill of old days must not pull the watermark back.
            if newest and (state.watermark is None or newest > state.watermark):
                state.watermark = newest
            state.last_success_at = utcnow()
            session.add(
                models.PollLog(
                    query=query,
                    collector=self.name,
                    started_at=started,
                    finished_at=utcnow(),
                    outcome="ok",
                    **self._deltas(before_counts),
                    changes=store.counts.changes,
                    reports_stored=store.counts.reports,
                    rechecks_stored=store.counts.rechecks,
                    watermark=state.watermark,
                    message=f"{store.counts.malformed} malformed changes skipped"
                    if store.counts.malformed
                    else None,
                )
            )
            return store.counts

    def _log_failure(self, query, started, message, deltas):
        try:
            with transaction(self.engine) as session:
                state = session.scalar(
                    select(models.PollState).where(models.PollState.query == query)
                )
                session.add(
                    models.PollLog(
                        query=query,
                        collector=self.name,
                        started_at=started,
                        finished_at=utcnow(),
                        outcome="error",
                        **deltas,
                        watermark=state.watermark if state else None,
                        message=message[:1024],
                    )
                )
        except SQLAlchemyError as exc:
            LOG.error("could not record the failed poll: %s", _one_line(exc))

    # -- watermark and lock ----------------------------------------------------------------
    def _watermark(self, query) -> datetime | None:
        with transaction(self.engine) as session:
            return session.scalar(
                select(models.PollState.watermark).where(models.PollState.query == query)
            )

    def _acquire(self, query: str, now: datetime) -> bool:
        try:
            with transaction(self.engine) as session:
                session.add(models.PollState(query=query))
        except IntegrityError:
            pass  # the row exists already
        with transaction(self.engine) as session:
            result = session.execute(
                update(models.PollState)
                .where(models.PollState.query == query)
                .where(
                    or_(
                        models.PollState.locked_by.is_(None),
                        models.PollState.locked_by == self.name,
                        models.PollState.locked_until < now,
                    )
                )
                .values(locked_by=self.name, locked_until=now + self.settings.lock_timeout)
            )
            return result.rowcount == 1

    def _release(self, query: str) -> None:
        try:
            with transaction(self.engine) as session:
                session.execute(
                    update(models.PollState)
                    .where(models.PollState.query == query, models.PollState.locked_by == self.name)
                    .values(locked_by=None, locked_until=None)
                )
        except SQLAlchemyError as exc:
            LOG.error("could not release the lock of %s: %s", query, _one_line(exc))


def _unique(changes) -> list:
    """The changes, each number once (the first reply wins: it is the newest)."""
    seen, unique = set(), []
    for info in changes:
        number = info.get("_number") if isinstance(info, dict) else None
        if not isinstance(number, int) or number not in seen:
            seen.add(number)
            unique.append(info)
    return unique


def _newest_update(changes) -> datetime | None:
    newest = None
    for info in changes:
        try:
            updated = parse_gerrit_time(info.get("updated"))
        except (AttributeError, ValueError):
            continue
        newest = updated if newest is None or updated > newest else newest
    return newest


def _one_line(exc: Exception) -> str:
    if isinstance(exc, GerritError):
        return str(exc).splitlines()[0][:500] if str(exc) else "Gerrit error"
    if isinstance(exc, SQLAlchemyError) and getattr(exc, "orig", None) is not None:
        exc = exc.orig
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]
