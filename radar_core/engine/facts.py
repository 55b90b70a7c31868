"""What each report, recheck and patchset contributes to the figures of any window (pure).

The definitions of docs/definitions.md are per patchset and per window. Rewritten per fact, each
figure of a window ``[since, until)`` counts the facts whose timestamps compare a certain way with
``since`` and ``until`` (radar_core.engine.counters says how), so the engine can keep counts of
them as data arrives instead of reading every report of a window. The functions here take one
patchset's rows (one change's, for the agreement) and return its facts; nothing here does I/O.

A patchset *key* is ``(change_id, ps_number)``; ``ps_number`` is minus the report (or recheck) id
when Gerrit gave no patchset number, so such a message is a patchset of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from radar_core.stats import FAILURE, SUCCESS, Recheck, recheck_applies


@dataclass(frozen=True)
class ReportRow:
    id: int
    system_id: int
    date: datetime
    result_class: str
    pipeline: str | None


@dataclass(frozen=True)
class RecheckRow:
    id: int
    date: datetime
    target: str | None


@dataclass(frozen=True)
class System:
    id: int
    username: str | None
    recheck_keyword: str | None


@dataclass(frozen=True)
class ReportFacts:
    """One verdict's timestamps (see models.ReportFact)."""

    report_id: int
    system_id: int
    date: datetime
    result_class: str
    prev_at: datetime | None
    fail_at: datetime | None
    fail2_at: datetime | None
    dup_prev_at: datetime | None
    next_at: datetime | None


@dataclass(frozen=True)
class AgreementFacts:
    """While ``e_lo < until <= e_hi`` the last reports of the system and of the reference on the
    patchset are a pair of these classes; the earlier of them is dated ``m``."""

    system_id: int
    m: datetime
    e_lo: datetime
    e_hi: datetime | None
    agree: bool
    ref_success: bool
    false_failure: bool


def _order(report: ReportRow) -> tuple[datetime, int]:
    return report.date, report.id


def report_facts(
    reports: Iterable[ReportRow], rechecks: Sequence[RecheckRow], system: System
) -> list[ReportFacts]:
    """Facts of one system's reports on one patchset.

    - ``prev_at``: the previous report. A report is the first of a window on its patchset when
      ``prev_at`` is before the window (or none): the patchsets reported on.
    - ``fail_at`` (successes only): the latest failure before it; ``fail2_at``: that of the
      previous success. The patchset is flaky in a window when a success has ``fail_at`` in it
      and ``fail2_at`` before it: exactly the first success that follows a failure of the window.
    - ``dup_prev_at``: the previous report of the same pipeline, when no recheck that applies to
      the system came strictly between them: a duplicate in any window that holds both.
    - ``next_at``: the next report (its last of a window when ``next_at`` is after it).
    """
    ordered = sorted(reports, key=_order)
    recheck_dates = sorted(rc.date for rc in rechecks if _applies(rc, system))
    facts = []
    last_failure = last_success_failure = None
    last_in_pipeline: dict[str | None, datetime] = {}
    for index, report in enumerate(ordered):
        fail_at = fail2_at = None
        if report.result_class == SUCCESS:
            fail_at, fail2_at = last_failure, last_success_failure
        previous_same = last_in_pipeline.get(report.pipeline)
        dup_prev_at = None
        if previous_same is not None and not any(
            previous_same < date < report.date for date in recheck_dates
        ):
            dup_prev_at = previous_same
        facts.append(
            ReportFacts(
                report_id=report.id,
                system_id=report.system_id,
                date=report.date,
                result_class=report.result_class,
                prev_at=ordered[index - 1].date if index else None,
                fail_at=fail_at,
                fail2_at=fail2_at,
                dup_prev_at=dup_prev_at,
                next_at=ordered[index + 1].date if index + 1 < len(ordered) else None,
            )
        )
        if report.result_class == FAILURE:
            last_failure = report.date
        elif report.result_class == SUCCESS:
            last_success_failure = fail_at
        last_in_pipeline[report.pipeline] = report.date
    return facts


def _applies(recheck: RecheckRow, system: System) -> bool:
    return recheck_applies(
        Recheck(0, recheck.date, recheck.target), system.username, system.recheck_keyword
    )


def counted_rechecks(
    reports: Iterable[ReportRow], rechecks: Iterable[RecheckRow], system: System
) -> list[RecheckRow]:
    """The rechecks of a patchset that count for the system: they apply to it and its latest
    report dated strictly before them exists and is not a success."""
    ordered = sorted(reports, key=_order)
    counted = []
    for recheck in rechecks:
        if not _applies(recheck, system):
            continue
        before = [r for r in ordered if r.date < recheck.date]
        if before and before[-1].result_class != SUCCESS:
            counted.append(recheck)
    return counted


def first_report(reports: Iterable[ReportRow]) -> datetime | None:
    """When the system first reported on the patchset (any result)."""
    return min((r.date for r in reports), default=None)


def agreement_facts(
    mine: Iterable[ReportRow], reference: Iterable[ReportRow], system_id: int
) -> list[AgreementFacts]:
    """The pairs (the system's last report, the reference's last report) a patchset goes
    through as ``until`` moves on; consecutive pairs that count the same are merged."""
    ordered = sorted(
        [(r, True) for r in mine] + [(r, False) for r in reference],
        key=lambda item: _order(item[0]),
    )
    events: list[AgreementFacts] = []
    mine_last = ref_last = None
    for index, (report, is_mine) in enumerate(ordered):
        if is_mine:
            mine_last = report
        else:
            ref_last = report
        if mine_last is None or ref_last is None:
            continue
        e_lo = report.date  # the pair is current for until in (e_lo, e_hi]
        e_hi = ordered[index + 1][0].date if index + 1 < len(ordered) else None
        if e_hi is not None and e_hi <= e_lo:
            continue  # replaced at the same instant: never current
        event = AgreementFacts(
            system_id=system_id,
            m=min(mine_last.date, ref_last.date),
            e_lo=e_lo,
            e_hi=e_hi,
            agree=mine_last.result_class == ref_last.result_class,
            ref_success=ref_last.result_class == SUCCESS,
            false_failure=ref_last.result_class == SUCCESS and mine_last.result_class == FAILURE,
        )
        previous = events[-1] if events else None
        if previous is not None and _same_count(previous, event) and previous.e_hi == e_lo:
            events[-1] = AgreementFacts(**{**previous.__dict__, "e_hi": e_hi})
        else:
            events.append(event)
    return events


def _same_count(a: AgreementFacts, b: AgreementFacts) -> bool:
    return (a.m, a.agree, a.ref_success, a.false_failure) == (
        b.m,
        b.agree,
        b.ref_success,
        b.false_failure,
    )


def by_system(reports: Iterable[ReportRow]) -> dict[int, list[ReportRow]]:
    groups: dict[int, list[ReportRow]] = defaultdict(list)
    for report in reports:
        groups[report.system_id].append(report)
    return groups
