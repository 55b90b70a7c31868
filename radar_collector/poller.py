"""One poll of Gerrit: read what changed since the watermark, store it, move the watermark.

The changes are streamed into the database in bounded batches (radar_collector.ingest), each
stored with the engine's facts in one transaction; the watermark moves, with the poll log,
only once the whole range is stored, so a failed poll is polled again from where the last
good one ended, and storing again changes nothing. Collectors sharing a database take a lock
per query (a row in poll_state) so that a Gerrit query is never polled twice at once.
"""

import dataclasses
import json
import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from radar_collector.gerrit import GerritClient, GerritError
from radar_collector.gerrit_time import format_gerrit_time
from radar_collector.ingest import Ingest
from radar_collector.store import CIRegistry, StoreCounts
from radar_core import models
from radar_core.alerts.channels import AlertSettings
from radar_core.db import transaction
from radar_core.engine import status
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
    # A poll's lock lasts this long and is renewed every third of it while the poll runs, so a
    # collector killed mid-poll blocks the query for at most this long.
    lock_timeout: timedelta = timedelta(minutes=2)
    batch_size: int = 100  # changes stored per transaction (a page): bounds a poll's memory


@dataclasses.dataclass
class PollOutcome:
    query: str
    ok: bool
    counts: StoreCounts
    requests: int = 0
    message: str = ""
    skipped: bool = False
    cause: str = ""  # of a failure: gerrit, database, lock or internal


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC by design


def collector_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class LockLost(Exception):
    """Another collector took the lock of a query while this one polled it (this one could not
    renew it in time): the poll stores nothing, the other collector's stands."""


class LockRenewal:
    """Renews the lock of ``query`` every third of the lock timeout until stopped."""

    def __init__(self, poller: "Poller", query: str):
        self.poller, self.query = poller, query
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"lock {query}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join()

    def _run(self):
        period = self.poller.settings.lock_timeout.total_seconds() / 3
        while not self.stopped.wait(period):
            self.poller._renew(self.query)


class Poller:
    def __init__(
        self,
        engine,
        client: GerritClient,
        settings: PollSettings,
        name=None,
        health: EngineSettings | None = None,
        alerts: AlertSettings | None = None,
        notifier=None,
    ):
        self.engine = engine
        self.client = client
        self.settings = settings
        self.name = name or collector_name()
        # What the health engine's figures are built with ([health] options).
        self.health = health or EngineSettings(reference_account=settings.reference_account)
        self.alerts = alerts or AlertSettings()
        # Sends the notifications the engine queued, outside the poll (woken after each run).
        self.notifier = notifier

    def queries(self) -> list[str]:
        """One Gerrit query (and one watermark) per configured project, or one for all."""
        if not self.settings.projects:
            return ["all"]
        return [f"project:{project}" for project in self.settings.projects]

    def poll_all(self) -> list[PollOutcome]:
        """Poll every query, then run the health engine on what they stored."""
        outcomes = [self.poll(query) for query in self.queries()]
        if not any(outcome.cause == "database" for outcome in outcomes):
            self.evaluate()  # (with the database down, the next poll evaluates)
        return outcomes

    def evaluate(self) -> list:
        """Run the health engine: the status of every hour new data touched, and of now. A
        failure is logged; it never fails the polls that were stored."""
        try:
            return status.evaluate(self.engine, self.health, utcnow(), self.name, self.alerts)
        except SQLAlchemyError as exc:
            LOG.error("the health engine failed: %s", _one_line(exc))
            return []
        finally:
            if self.notifier is not None:
                self.notifier.wake()

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
        acquired = False
        try:
            # Inside the try: with the database down, taking the lock is what fails first.
            acquired = self._acquire(query, started)
            if not acquired:
                return self._skipped(query, started)
            with LockRenewal(self, query):
                counts = self._poll_locked(query, started, since, before, before_counts)
        except LockLost as exc:
            return self._failed(query, started, before_counts, str(exc), "lock")
        except GerritError as exc:
            return self._failed(query, started, before_counts, _one_line(exc), "gerrit")
        except SQLAlchemyError as exc:
            return self._failed(query, started, before_counts, _one_line(exc), "database")
        except Exception as exc:  # a bug must not stop the daemon; the poll just fails
            LOG.exception("unexpected error while polling %s", query)
            message = f"internal error: {exc!r}"[:500]
            return self._failed(query, started, before_counts, message, "internal")
        finally:
            if acquired:
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

    def _poll_locked(self, query, started, since, before, before_counts) -> StoreCounts:
        """The poll itself, while this collector holds the lock of ``query``."""
        if since is None:
            watermark = self._watermark(query)
            since = (
                watermark - self.settings.overlap
                if watermark
                else started - timedelta(days=self.settings.backfill_days)
            )
        return self._collect(query, since, before, started, before_counts)

    def _client_counts(self) -> tuple[int, int, int, float]:
        client = self.client
        waited = getattr(client, "retry_wait_s", 0.0)
        return client.requests_made, client.errors, client.rate_limited, waited

    def _deltas(self, before_counts) -> dict:
        now = self._client_counts()
        return {
            "requests": now[0] - before_counts[0],
            "errors": now[1] - before_counts[1],
            "rate_limited": now[2] - before_counts[2],
            "retry_wait_s": round(now[3] - before_counts[3], 3),
        }

    def _failed(self, query, started, before_counts, message, cause) -> PollOutcome:
        LOG.error("poll of %s failed: %s", query, message)  # the one line of a failed poll
        deltas = self._deltas(before_counts)
        self._log_failure(query, started, "error", message, deltas)
        return PollOutcome(
            query, False, StoreCounts(), message=message, requests=deltas["requests"], cause=cause
        )

    def _skipped(self, query, started) -> PollOutcome:
        """Another collector holds the lock: one line, and a 'skipped' row in the poll log."""
        holder = self._lock_holder(query)
        message = f"locked by {holder}" if holder else "locked by another collector"
        LOG.warning("poll of %s skipped: %s", query, message)
        self._log_failure(query, started, "skipped", message, self._deltas(self._client_counts()))
        return PollOutcome(query, True, StoreCounts(), skipped=True, message=message)

    def _gerrit_query(self, query, since, before, *extra) -> str:
        terms = [] if query == "all" else [query]
        terms += extra
        terms.append(f'after:"{format_gerrit_time(since)}"')
        if before is not None:
            terms.append(f'before:"{format_gerrit_time(before)}"')
        return " ".join(terms)

    def _collect(self, query, since, before, started, before_counts) -> StoreCounts:
        """Stream the query's range into the database, then move the watermark."""
        oldest = self._oldest_update(query)
        registry = self._registry()
        ingest = Ingest(
            self.engine, registry, self.health, started, utcnow, self.settings.batch_size
        )
        ingest.members(self._group_members)
        size = self.settings.page_size
        ingest.run(self.client.query_changes(self._gerrit_query(query, since, before), size))
        # Changes stored before this poll that accounts first found to be CI systems in it
        # commented on: their earlier messages were not known to be reports then (a backfill,
        # day by day, meets a CI's first days before the messages that reveal it). The same
        # for changes of this poll stored before a later batch revealed the account.
        if registry.detected and oldest is not None and oldest < since:
            ingest.run(self._commented_by(registry.detected, query, oldest, since))
        if ingest.late:
            ingest.run(self._commented_by(ingest.late, query, since, before))
        self._finish(query, ingest, started, before_counts)
        return ingest.counts

    def _commented_by(self, accounts, query, since, before):
        who = " OR ".join(f"commentby:{account_id}" for account_id in sorted(accounts))
        LOG.info("new CI systems %s: collecting their earlier messages", sorted(accounts))
        history = self._gerrit_query(query, since, before, f"({who})")
        return self.client.query_changes(history, self.settings.page_size)

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

    def _finish(self, query, ingest: Ingest, started, before_counts) -> None:
        """The poll's range is stored: move the watermark and log the poll."""
        counts = ingest.counts
        with transaction(self.engine) as session:
            if counts.reports or counts.rechecks:
                session.add(models.Event(at=utcnow(), kind="data", payload=json.dumps({
                    "query": query, "changes": counts.changes,
                    "reports": counts.reports, "rechecks": counts.rechecks,
                })))
            newest = ingest.newest
            state = session.scalar(
                select(models.PollState).where(models.PollState.query == query).with_for_update()
            )
            if state.locked_by != self.name:  # the watermark moves only by the lock's holder
                raise LockLost(f"lock of {query} lost to {state.locked_by or 'nobody'}; not stored")
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
                    changes=counts.changes,
                    reports_stored=counts.reports,
                    rechecks_stored=counts.rechecks,
                    watermark=state.watermark,
                    message=f"{counts.malformed} malformed changes skipped"
                    if counts.malformed
                    else None,
                )
            )

    def _log_failure(self, query, started, outcome, message, deltas):
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
                        outcome=outcome,
                        **deltas,
                        watermark=state.watermark if state else None,
                        message=message[:1024],
                    )
                )
        except SQLAlchemyError as exc:  # the database is down: the poll's line said why
            LOG.debug("could not record the %s poll: %s", outcome, _one_line(exc))

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

    def _renew(self, query: str) -> None:
        """Extend this collector's lock of ``query`` by lock_timeout from now."""
        try:
            with transaction(self.engine) as session:
                session.execute(
                    update(models.PollState)
                    .where(models.PollState.query == query, models.PollState.locked_by == self.name)
                    .values(locked_until=utcnow() + self.settings.lock_timeout)
                )
        except SQLAlchemyError as exc:  # the poll itself will say so, if it matters
            LOG.debug("could not renew the lock of %s: %s", query, _one_line(exc))

    def _release(self, query: str) -> None:
        try:
            with transaction(self.engine) as session:
                session.execute(
                    update(models.PollState)
                    .where(models.PollState.query == query, models.PollState.locked_by == self.name)
                    .values(locked_by=None, locked_until=None)
                )
        except SQLAlchemyError as exc:  # it expires after lock_timeout
            LOG.debug("could not release the lock of %s: %s", query, _one_line(exc))

    def _lock_holder(self, query: str) -> str | None:
        """'NAME until TIME' of the collector holding the lock of ``query``."""
        with transaction(self.engine) as session:
            state = session.scalar(select(models.PollState).where(models.PollState.query == query))
        if state is None or state.locked_by is None:
            return None
        until = f" until {state.locked_until:%Y-%m-%d %H:%M:%S}" if state.locked_until else ""
        return f"{state.locked_by}{until}"


def _one_line(exc: Exception) -> str:
    if isinstance(exc, GerritError):
        return str(exc).splitlines()[0][:500] if str(exc) else "Gerrit error"
    if isinstance(exc, SQLAlchemyError) and getattr(exc, "orig", None) is not None:
        exc = exc.orig
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]
