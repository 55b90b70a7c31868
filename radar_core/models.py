"""The database schema: what the collector stores and the API reads.

Times are naive UTC datetimes. Text columns that hold Gerrit content are Unicode and the
MySQL tables use utf8mb4, because CI comments carry emoji and non-Latin names.
"""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations and downgrades behave the same on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# MEDIUMTEXT on MySQL: a CI comment with hundreds of jobs overflows TEXT's 64 KB.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
Blob = LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
MYSQL_TABLE_ARGS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


class Account(Base):
    """A Gerrit account, keyed by Gerrit's own numeric account id."""

    __tablename__ = "accounts"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255), index=True)


class CISystem(Base):
    """A CI system: a Gerrit account whose messages are build verdicts.

    The id is the Gerrit account id (never the display name, which operators change).
    The contact fields are for operators and kept when the collector updates the rest.
    """

    __tablename__ = "ci_systems"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(
        Integer, ForeignKey("accounts.id"), primary_key=True, autoincrement=False
    )
    name: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255), index=True)
    source: Mapped[str] = mapped_column(String(16), default="detected")  # config/group/detected
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    info_url: Mapped[str | None] = mapped_column(String(1024))
    recheck_keyword: Mapped[str | None] = mapped_column(String(255))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)

    account: Mapped[Account] = relationship()


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    branch: Mapped[str] = mapped_column(String(255))
    change_id: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(1024))
    status: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(DateTime)
    updated: Mapped[datetime] = mapped_column(DateTime, index=True)

    project: Mapped[Project] = relationship()


class Patchset(Base):
    __tablename__ = "patchsets"
    __table_args__ = (
        UniqueConstraint("change_id", "number"),
        # The health engine's newest patchset of a project before a moment (the silent check).
        Index("ix_patchsets_project_id_created", "project_id", "created"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    number: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(DateTime, index=True)
    # Creation of the next patchset of the change; kept by the collector for eligibility.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    uploader_id: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[str | None] = mapped_column(String(64))
    # superseded_at - created in seconds (null when latest): kept by the health engine so that
    # "superseded less than report_deadline after creation" is a comparison SQL can make.
    lifetime_s: Mapped[int | None] = mapped_column(Integer)

    change: Mapped[Change] = relationship()


class Report(Base):
    """One message by a CI system: a verdict (kind 'report') or a start notice ('notice')."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("change_id", "message_id"),
        Index("ix_reports_system_id_date", "system_id", "date"),
        Index("ix_reports_patchset_id_system_id", "patchset_id", "system_id"),
        # The reports on a patchset before a date (the service's first reports and rechecks).
        Index("ix_reports_patchset_id_date", "patchset_id", "date"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"))
    patchset_id: Mapped[int | None] = mapped_column(ForeignKey("patchsets.id"))
    patchset_number: Mapped[int | None] = mapped_column(Integer)
    system_id: Mapped[int] = mapped_column(ForeignKey("ci_systems.id"))
    message_id: Mapped[str] = mapped_column(String(191))
    date: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(64))
    result_class: Mapped[str] = mapped_column(String(16))
    vote: Mapped[int | None] = mapped_column(SmallInteger)
    pipeline: Mapped[str | None] = mapped_column(String(64))
    tag: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(LongText)
    # The message held text no column can store (a lone surrogate, bytes that are not UTF-8,
    # NUL): those characters were replaced by U+FFFD (radar_collector/sanitise.py).
    sanitised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Job lines beyond the parser's MAX_JOBS: counted in the result, their rows not stored.
    jobs_dropped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    jobs: Mapped[list["JobResult"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="JobResult.position"
    )
    change: Mapped[Change] = relationship()
    patchset: Mapped[Patchset | None] = relationship()


class JobResult(Base):
    __tablename__ = "job_results"
    __table_args__ = (Index("ix_job_results_report_id", "report_id"), MYSQL_TABLE_ARGS)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    report_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("reports.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(2048))
    result: Mapped[str] = mapped_column(String(64))
    result_class: Mapped[str] = mapped_column(String(16))
    duration_s: Mapped[int | None] = mapped_column(Integer)
    voting: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[str | None] = mapped_column(String(1024))

    report: Mapped[Report] = relationship(back_populates="jobs")


class Recheck(Base):
    """A human's request to test a patchset again, optionally naming one CI."""

    __tablename__ = "rechecks"
    __table_args__ = (
        UniqueConstraint("change_id", "message_id"),
        Index("ix_rechecks_patchset_id_date", "patchset_id", "date"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"))
    patchset_id: Mapped[int | None] = mapped_column(ForeignKey("patchsets.id"))
    patchset_number: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[str] = mapped_column(String(191))
    account_id: Mapped[int | None] = mapped_column(Integer)
    date: Mapped[datetime] = mapped_column(DateTime, index=True)
    target: Mapped[str | None] = mapped_column(String(255))


class PollState(Base):
    """Per Gerrit query: the watermark and the lock that stops two collectors polling it."""

    __tablename__ = "poll_state"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(String(255), unique=True)
    watermark: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_by: Mapped[str | None] = mapped_column(String(255))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class PollLog(Base):
    """One row per poll: what it did and how it ended."""

    __tablename__ = "poll_log"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(String(255))
    collector: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # ok / error / skipped
    requests: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    rate_limited: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    reports_stored: Mapped[int] = mapped_column(Integer, default=0)
    rechecks_stored: Mapped[int] = mapped_column(Integer, default=0)
    watermark: Mapped[datetime | None] = mapped_column(DateTime)
    message: Mapped[str | None] = mapped_column(String(1024))
    # Seconds spent waiting as Gerrit's Retry-After asked (HTTP 429), for the quota monitor.
    retry_wait_s: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class SourceStatus(Base):
    """The state of a collector's event stream (radar_collector.stream), as it last wrote it:
    what the quota monitor shows in /v1/status and /metrics."""

    __tablename__ = "source_status"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    name: Mapped[str] = mapped_column(String(255), primary_key=True)  # collector/stream
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    connected_since: Mapped[datetime | None] = mapped_column(DateTime)
    connections: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(BigInteger, default=0)
    malformed: Mapped[int] = mapped_column(Integer, default=0)
    reports_stored: Mapped[int] = mapped_column(BigInteger, default=0)
    last_event_at: Mapped[datetime | None] = mapped_column(DateTime)
    lag_s: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(String(1024))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


# --- the health engine's tables (radar_core/engine): derived from the rows above, rebuildable ---


class ReportFact(Base):
    """What one verdict contributes to the figures of any window (docs/definitions.md).

    Reports of a system on a patchset (``change_id``, ``ps_number``; ``ps_number`` is minus the
    report id when the patchset is unknown) ordered by date then id. Each timestamp names an
    earlier report of that sequence; a window counts the report in a figure when the timestamp
    compares so with its start (see radar_core.engine.counters).
    """

    __tablename__ = "report_facts"
    __table_args__ = (
        Index("ix_report_facts_system_id_date", "system_id", "date"),
        Index("ix_report_facts_last", "system_id", "project_id", "known", "date"),
        Index("ix_report_facts_class", "system_id", "result_class", "date"),
        # The counters' timestamps by system: a few systems' partial hours (a trend's bucket
        # ends) without reading every system's facts of those hours.
        Index("ix_report_facts_system_id_prev_at", "system_id", "prev_at"),
        Index("ix_report_facts_system_id_fail_at", "system_id", "fail_at"),
        Index("ix_report_facts_system_id_fail2_at", "system_id", "fail2_at"),
        Index("ix_report_facts_system_id_dup_prev_at", "system_id", "dup_prev_at"),
        Index("ix_report_facts_key", "change_id", "ps_number"),
        Index("ix_report_facts_date", "date"),
        Index("ix_report_facts_prev_at", "prev_at"),
        Index("ix_report_facts_fail_at", "fail_at"),
        Index("ix_report_facts_fail2_at", "fail2_at"),
        Index("ix_report_facts_dup_prev_at", "dup_prev_at"),
        MYSQL_TABLE_ARGS,
    )

    report_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("reports.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    system_id: Mapped[int] = mapped_column(Integer)
    project_id: Mapped[int] = mapped_column(Integer)
    change_id: Mapped[int] = mapped_column(Integer)
    ps_number: Mapped[int] = mapped_column(BigInteger)
    known: Mapped[bool] = mapped_column(Boolean)  # the patchset is known (counts for watching)
    date: Mapped[datetime] = mapped_column(DateTime)
    result_class: Mapped[str] = mapped_column(String(16))
    prev_at: Mapped[datetime | None] = mapped_column(DateTime)  # previous report
    fail_at: Mapped[datetime | None] = mapped_column(DateTime)  # success: latest failure before
    fail2_at: Mapped[datetime | None] = mapped_column(DateTime)  # success: that of the last success
    dup_prev_at: Mapped[datetime | None] = mapped_column(DateTime)  # duplicate of this report
    next_at: Mapped[datetime | None] = mapped_column(DateTime)  # next report


class RecheckFact(Base):
    """A recheck that counts for a system: it applies to it, after a report that was not a
    success."""

    __tablename__ = "recheck_facts"
    __table_args__ = (
        Index("ix_recheck_facts_date", "date"),
        Index("ix_recheck_facts_system_id_date", "system_id", "date"),
        Index("ix_recheck_facts_change_id", "change_id"),
        MYSQL_TABLE_ARGS,
    )

    recheck_id: Mapped[int] = mapped_column(
        ForeignKey("rechecks.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(Integer)
    change_id: Mapped[int] = mapped_column(Integer)
    date: Mapped[datetime] = mapped_column(DateTime)


class PatchsetFact(Base):
    """A known patchset a system reported on: when it was created and first reported."""

    __tablename__ = "patchset_facts"
    __table_args__ = (
        Index("ix_patchset_facts_first_at", "first_at"),
        Index("ix_patchset_facts_created", "created"),
        Index("ix_patchset_facts_system_project", "system_id", "project_id", "created"),
        MYSQL_TABLE_ARGS,
    )

    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    patchset_id: Mapped[int] = mapped_column(
        ForeignKey("patchsets.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    change_id: Mapped[int] = mapped_column(Integer, index=True)
    project_id: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(DateTime)
    first_at: Mapped[datetime] = mapped_column(DateTime)
    latency_us: Mapped[int] = mapped_column(BigInteger)  # first_at - created, microseconds


class LatencyBlock(Base):
    """The latencies of a system's patchset facts created in one block of days, sorted: one
    day (with each value's creation time) or seven (``days`` says which), for percentiles."""

    __tablename__ = "latency_blocks"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    days: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    latencies: Mapped[bytes] = mapped_column(Blob)  # microseconds, int64, ascending
    created: Mapped[bytes | None] = mapped_column(Blob)  # one-day blocks: creation, same order


class AgreementEvent(Base):
    """While ``e_lo < until <= e_hi``, a system's and the reference's last reports on a
    patchset are a pair of these classes, the earlier of the two dated ``m``."""

    __tablename__ = "agreement_events"
    __table_args__ = (
        Index("ix_agreement_events_key", "change_id", "ps_number"),
        Index("ix_agreement_events_m", "m"),
        Index("ix_agreement_events_e_lo", "e_lo"),
        Index("ix_agreement_events_e_hi", "e_hi"),
        Index("ix_agreement_events_system_id_m", "system_id", "m"),
        Index("ix_agreement_events_system_id_e_lo", "system_id", "e_lo"),
        Index("ix_agreement_events_system_id_e_hi", "system_id", "e_hi"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    system_id: Mapped[int] = mapped_column(Integer)
    change_id: Mapped[int] = mapped_column(Integer)
    ps_number: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int] = mapped_column(Integer)
    m: Mapped[datetime] = mapped_column(DateTime)
    e_lo: Mapped[datetime] = mapped_column(DateTime)
    e_hi: Mapped[datetime | None] = mapped_column(DateTime)
    agree: Mapped[bool] = mapped_column(Boolean)
    ref_success: Mapped[bool] = mapped_column(Boolean)
    false_failure: Mapped[bool] = mapped_column(Boolean)


class LongSpan(Base):
    """A pair of a fact's timestamps a day or more apart (``kind``: which pair), once for each
    day it covers, so that the rare facts whose pair spans a whole window are found by one
    index look-up on a day of the window."""

    __tablename__ = "long_spans"
    __table_args__ = (
        Index("ix_long_spans_day", "day"),
        Index("ix_long_spans_change_id", "change_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    change_id: Mapped[int] = mapped_column(Integer)  # the facts of a change are redone together
    system_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    x: Mapped[datetime] = mapped_column(DateTime)
    y: Mapped[datetime] = mapped_column(DateTime)
    value: Mapped[int] = mapped_column(BigInteger, default=0)  # flags or latency, by kind


class SystemProject(Base):
    """A project a system has reported on (a known patchset of it), ever: the candidates of its
    watched projects."""

    __tablename__ = "system_projects"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class SystemHour(Base):
    """A system's counters at the start of an hour: how many facts had each timestamp before it
    (radar_core.engine.counters declares them; the columns are made from that list)."""

    __tablename__ = "system_hours"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    counts: Mapped[str] = mapped_column(Text)  # JSON list, in the order of counters.COUNTERS


class SystemLatest(Base):
    """What holds after a system's newest fact: every counter over all its facts, its last
    report and last success, and per project its last report on a known patchset. A window
    ending after that newest fact (one ending now) takes its end from here instead of looking it
    up (radar_core.engine.latest)."""

    __tablename__ = "system_latest"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The counts hold at any moment from counted_from (an hour) on that is after newest_at, the
    # newest timestamp of the facts from counted_from on (null: none).
    counted_from: Mapped[datetime] = mapped_column(DateTime)
    newest_at: Mapped[datetime | None] = mapped_column(DateTime)
    counts: Mapped[str] = mapped_column(Text)  # JSON list, in the order of counters.COUNTERS
    last_report_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_known: Mapped[str] = mapped_column(Text)  # JSON {project id: ISO time}


class ProjectHour(Base):
    """A project's patchsets created before the start of an hour and not superseded within the
    report deadline (the engine's settings say which deadline)."""

    __tablename__ = "project_hours"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    project_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    eligible: Mapped[int] = mapped_column(Integer)


class EngineState(Base):
    """One row: what the engine's derived tables were built with, what is left to evaluate,
    and the lock that keeps two engines from running at once."""

    __tablename__ = "engine_state"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    settings: Mapped[str | None] = mapped_column(String(255))
    counted_until: Mapped[datetime | None] = mapped_column(DateTime)  # system_hours complete to
    dirty_since: Mapped[datetime | None] = mapped_column(DateTime)
    evaluated_until: Mapped[datetime | None] = mapped_column(DateTime)
    locked_by: Mapped[str | None] = mapped_column(String(255))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Run times of the engine's evaluations, for /metrics.
    runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    run_seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_seconds: Mapped[float | None] = mapped_column(Float)


class StatusHour(Base):
    """A system's status (and score) at a whole hour: the status of the window ending then."""

    __tablename__ = "status_hours"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(SmallInteger)


class SystemStatus(Base):
    """A system's status as the engine last saw it (after a poll), and since when."""

    __tablename__ = "system_status"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    system_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    since: Mapped[datetime | None] = mapped_column(DateTime)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime)


class StatusChange(Base):
    """A change of a system's status in its hourly history, with the score and reasons then."""

    __tablename__ = "status_changes"
    __table_args__ = (
        Index("ix_status_changes_system_id_at", "system_id", "at"),
        Index("ix_status_changes_at", "at"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of sentences


class Event(Base):
    """What happened, newest last: status changes as they were seen, new data after polls, alert
    deliveries. /v1/events pages it; /v1/stream follows it (the id is the SSE event id)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_at", "at"), MYSQL_TABLE_ARGS)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(32))
    system_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON object


class Alert(Base):
    """An alert episode: opened when a system's status entered one of [alerts] statuses, resolved
    when it left them (or the system was silenced).

    ``open_key`` holds the system id while the episode is open and NULL once it is resolved: its
    unique index lets one episode at most be open per system, whichever collector opens it.
    """

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_system_id_opened_at", "system_id", "opened_at"),
                      MYSQL_TABLE_ARGS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(Integer)
    open_key: Mapped[int | None] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(16))  # the status that opened it
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(16))  # the status, or "silence"
    score: Mapped[int | None] = mapped_column(SmallInteger)
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of sentences when it opened
    components: Mapped[str] = mapped_column(Text)  # JSON: coverage, timeliness, ... then

    deliveries: Mapped[list["AlertDelivery"]] = relationship(back_populates="alert")


class AlertDelivery(Base):
    """One notification of one alert ("opened" or "resolved") to one channel.

    The unique (alert, channel, kind) is the once-only promise; a sender claims a due row by
    moving ``claimed_until`` forward in one UPDATE, so two collectors never send it both.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", "kind"),
        Index("ix_alert_deliveries_state_due_at", "state", "due_at"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(Integer, ForeignKey("alerts.id"))
    channel: Mapped[str] = mapped_column(String(64))  # the channel's name (never its URL)
    kind: Mapped[str] = mapped_column(String(16))  # opened / resolved
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending/sent/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(512))

    alert: Mapped[Alert] = relationship(back_populates="deliveries")


class Silence(Base):
    """A maintenance window: no alert opens for the system (every system when NULL) from
    ``starts_at`` until ``ends_at``."""

    __tablename__ = "silences"
    __table_args__ = (Index("ix_silences_ends_at", "ends_at"), MYSQL_TABLE_ARGS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    comment: Mapped[str] = mapped_column(String(1024))
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """A bearer token for writes, stored as the SHA-256 of the token (never the token)."""

    __tablename__ = "api_tokens"
    __table_args__ = (MYSQL_TABLE_ARGS,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
