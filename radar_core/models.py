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
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
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
    __table_args__ = (UniqueConstraint("change_id", "number"), MYSQL_TABLE_ARGS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    number: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(DateTime, index=True)
    # Creation of the next patchset of the change; kept by the collector for eligibility.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    uploader_id: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[str | None] = mapped_column(String(64))

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


class SystemDay(Base):
    """Report counts per system, project and day, kept by the collector with the reports."""

    __tablename__ = "system_days"
    __table_args__ = (
        UniqueConstraint("system_id", "day", "project_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("ci_systems.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    day: Mapped[date] = mapped_column(Date)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    success: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[int] = mapped_column(Integer, default=0)
    other: Mapped[int] = mapped_column(Integer, default=0)
