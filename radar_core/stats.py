"""Statistics and health maths for one CI system S (pure functions, stdlib only).

Every function implements one reading of docs/definitions.md (DESIGN.md section 4). All
datetimes are naive UTC; a window is ``[since, until)``. Reports are ordered by ``date``, ties
broken by ``seq`` (message order). The database layer builds the input types below; nothing here
does I/O.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from radar_core.catalogue import STATUS_NAMES

SUCCESS = "success"
FAILURE = "failure"
ERROR = "error"

COMPONENTS = ("coverage", "timeliness", "success_rate", "stability")
# Statuses, worst first: the order of severity (DESIGN.md section 4).
SEVERITY = STATUS_NAMES
ALARMING = ("failing", "silent")  # statuses whose score is capped below score_failing_below


@dataclass(frozen=True)
class Patchset:
    id: int
    project: str
    created: datetime  # naive UTC
    superseded_at: datetime | None  # creation of the next patchset of the change, None if latest


@dataclass(frozen=True)
class Report:
    system_id: int
    patchset_id: int
    date: datetime
    result_class: str  # success / failure / error / skipped / unknown
    seq: int = 0  # tie-breaker for equal dates (message order)
    pipeline: str | None = None  # duplicates are counted per pipeline


@dataclass(frozen=True)
class Recheck:
    patchset_id: int
    date: datetime
    target: str | None  # word after 'recheck', None when it names no CI


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime


@dataclass(frozen=True)
class HealthConfig:
    report_deadline: timedelta = timedelta(hours=4)
    watch_lookback: timedelta = timedelta(days=30)
    silent_after: timedelta = timedelta(hours=24)
    unsupported_after: timedelta = timedelta(days=14)
    weight_coverage: float = 0.35
    weight_timeliness: float = 0.25
    weight_success_rate: float = 0.25
    weight_stability: float = 0.15
    score_failing_below: int = 50  # [health] score_failing_below
    score_degraded_below: int = 80  # [health] score_degraded_below


@dataclass(frozen=True)
class SystemFigures:
    """Every figure of one system over one window (the API's ``stats`` and ``health``)."""

    reports: int
    success: int
    failure: int
    error: int
    other: int
    patchsets_eligible: int
    patchsets_reported: int
    latency_p50_s: float | None
    latency_p90_s: float | None
    last_report_at: datetime | None
    last_success_at: datetime | None
    rechecks: int
    flaky_patchsets: int
    duplicate_reports: int
    agreement: float | None
    false_failure_rate: float | None
    coverage: float | None
    timeliness: float | None
    success_rate: float | None
    stability: float | None
    score: int | None
    status: str


# --- helpers -------------------------------------------------------------------------------


def _order(report: Report) -> tuple[datetime, int]:
    return report.date, report.seq


def _by_patchset(reports: Iterable[Report]) -> dict[int, list[Report]]:
    """Group reports per patchset id, each group ordered by (date, seq)."""
    groups: dict[int, list[Report]] = defaultdict(list)
    for report in sorted(reports, key=_order):
        groups[report.patchset_id].append(report)
    return groups


def _last_class(reports: Iterable[Report]) -> dict[int, str]:
    """Result class of the last report (by date, then seq) per patchset id."""
    return {ps: group[-1].result_class for ps, group in _by_patchset(reports).items()}


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _in_window(date: datetime, window: Window) -> bool:
    return window.since <= date < window.until


def _short_lived(patchset: Patchset, cfg: HealthConfig) -> bool:
    """Superseded less than ``report_deadline`` after its creation (exactly the deadline is not)."""
    return (
        patchset.superseded_at is not None
        and patchset.superseded_at - patchset.created < cfg.report_deadline
    )


def _latest_before(
    reports: Iterable[Report], until: datetime, cls: str | None = None
) -> datetime | None:
    """Date of the latest report dated before ``until`` (of class ``cls`` if given), or None."""
    dates = [r.date for r in reports if r.date < until and (cls is None or r.result_class == cls)]
    return max(dates, default=None)


# --- definitions ---------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float | None:
    """Percentile ``q`` (0..1) by linear interpolation between closest ranks (numpy's default).

    Sorted values ``v``, rank ``(n - 1) * q``, interpolated between ``v[floor]`` and
    ``v[ceil]``. None when there is no value.
    """
    if not 0 <= q <= 1:
        raise ValueError(f"q must be within [0, 1], got {q!r}")
    v = sorted(values)
    if not v:
        return None
    rank = (len(v) - 1) * q
    lo, hi = math.floor(rank), math.ceil(rank)
    return float(v[lo] + (v[hi] - v[lo]) * (rank - lo))


def watched_projects(
    reports: Iterable[Report],
    patchsets_by_id: Mapping[int, Patchset],
    until: datetime,
    cfg: HealthConfig,
) -> set[str]:
    """Watched projects: projects of patchsets S reported on in ``[last - watch_lookback, last]``
    where ``last`` is S's latest report dated before ``until`` (so a CI that stopped reporting
    keeps the projects it used to watch).

    Reports on patchsets missing from ``patchsets_by_id`` are ignored.
    """
    reports = [r for r in reports if r.date < until]
    last = _latest_before(reports, until)
    if last is None:
        return set()
    start = last - cfg.watch_lookback
    return {
        patchsets_by_id[r.patchset_id].project
        for r in reports
        if start <= r.date and r.patchset_id in patchsets_by_id
    }


def eligible_patchsets(
    patchsets: Iterable[Patchset], watched: set[str], window: Window, cfg: HealthConfig
) -> list[Patchset]:
    """Eligible patchsets: created in the window, no later than ``until - report_deadline``, in a
    watched project, and not superseded less than ``report_deadline`` after creation.

    Input order is kept.
    """
    latest_created = window.until - cfg.report_deadline
    return [
        p
        for p in patchsets
        if _in_window(p.created, window)
        and p.created <= latest_created
        and p.project in watched
        and not _short_lived(p, cfg)
    ]


def first_report_times(reports: Iterable[Report], until: datetime) -> dict[int, datetime]:
    """Date of S's first report per patchset id, over reports dated before ``until`` (any class).

    A patchset is *reported* when it has an entry here.
    """
    first: dict[int, datetime] = {}
    for r in reports:
        if r.date < until and (r.patchset_id not in first or r.date < first[r.patchset_id]):
            first[r.patchset_id] = r.date
    return first


def coverage(eligible: Sequence[Patchset], first_times: Mapping[int, datetime]) -> float | None:
    """coverage = reported eligible / eligible; None when nothing is eligible."""
    return _share(sum(p.id in first_times for p in eligible), len(eligible))


def latencies(eligible: Iterable[Patchset], first_times: Mapping[int, datetime]) -> list[float]:
    """Latency in seconds (first report - creation) of each reported eligible patchset."""
    return [
        (first_times[p.id] - p.created).total_seconds() for p in eligible if p.id in first_times
    ]


def timeliness(latencies: Sequence[float], cfg: HealthConfig) -> float | None:
    """timeliness = share of latencies <= ``report_deadline``; None when there is none."""
    deadline = cfg.report_deadline.total_seconds()
    return _share(sum(lat <= deadline for lat in latencies), len(latencies))


def result_counts(reports_in_window: Iterable[Report]) -> dict[str, int]:
    """Counts of S's reports in the window: reports, success, failure, error, and other.

    ``other`` counts the classes skipped and unknown (and any class outside the three counted
    ones), so ``reports`` is always the sum of the four.
    """
    counts = {"reports": 0, SUCCESS: 0, FAILURE: 0, ERROR: 0, "other": 0}
    for r in reports_in_window:
        counts["reports"] += 1
        counts[r.result_class if r.result_class in (SUCCESS, FAILURE, ERROR) else "other"] += 1
    return counts


def success_rate(counts: Mapping[str, int]) -> float | None:
    """success_rate = success / (success + failure + error); None when the denominator is 0."""
    return _share(counts[SUCCESS], counts[SUCCESS] + counts[FAILURE] + counts[ERROR])


def flaky_patchsets(reports_in_window: Iterable[Report]) -> set[int]:
    """Flaky patchsets: a report of class failure followed (by date, then seq) by one of class
    success."""
    flaky = set()
    for ps, group in _by_patchset(reports_in_window).items():
        failed = False
        for r in group:
            if r.result_class == FAILURE:
                failed = True
            elif r.result_class == SUCCESS and failed:
                flaky.add(ps)
                break
    return flaky


def stability(reports_in_window: Sequence[Report]) -> float | None:
    """stability = 1 - flaky / distinct patchsets reported on in the window; None without
    reports."""
    reported = {r.patchset_id for r in reports_in_window}
    if not reported:
        return None
    return 1 - len(flaky_patchsets(reports_in_window)) / len(reported)


def recheck_applies(recheck: Recheck, username: str | None, keyword: str | None) -> bool:
    """A recheck applies to S when it names no CI, or its target equals (case-insensitive) S's
    username or recheck keyword."""
    if recheck.target is None:
        return True
    target = recheck.target.casefold()
    return any(name is not None and target == name.casefold() for name in (username, keyword))


def count_rechecks(
    rechecks: Iterable[Recheck],
    reports: Iterable[Report],
    window: Window,
    username: str | None,
    keyword: str | None,
) -> int:
    """rechecks: applicable recheck messages dated in the window, on patchsets where S's latest
    report dated (strictly) before the recheck exists and is not of class success.

    ``reports`` are all of S's reports, any date.
    """
    groups = _by_patchset(reports)
    dates = {ps: [r.date for r in group] for ps, group in groups.items()}
    count = 0
    for rc in rechecks:
        if not _in_window(rc.date, window) or not recheck_applies(rc, username, keyword):
            continue
        before = bisect_left(dates.get(rc.patchset_id, []), rc.date)
        if before and groups[rc.patchset_id][before - 1].result_class != SUCCESS:
            count += 1
    return count


def duplicate_reports(
    reports_in_window: Iterable[Report],
    rechecks: Iterable[Recheck],
    username: str | None,
    keyword: str | None,
) -> int:
    """duplicate_reports: per patchset and pipeline (reports without a pipeline form one group),
    every report of S in the window after the first of its group with no applicable recheck
    dated strictly between it and the previous report of the group."""
    recheck_dates: dict[int, list[datetime]] = defaultdict(list)
    for rc in rechecks:
        if recheck_applies(rc, username, keyword):
            recheck_dates[rc.patchset_id].append(rc.date)
    for dates in recheck_dates.values():
        dates.sort()
    count = 0
    groups: dict[tuple, list[Report]] = defaultdict(list)
    for report in sorted(reports_in_window, key=_order):
        groups[(report.patchset_id, report.pipeline)].append(report)
    for (ps, _pipeline), group in groups.items():
        dates = recheck_dates.get(ps, [])
        for prev, cur in pairwise(group):
            nxt = bisect_right(dates, prev.date)  # first recheck strictly after prev
            if nxt == len(dates) or dates[nxt] >= cur.date:
                count += 1
    return count


def agreement(
    system_reports_in_window: Iterable[Report], reference_reports_in_window: Iterable[Report]
) -> tuple[float | None, float | None]:
    """(agreement, false_failure_rate) against the reference account.

    Over patchsets where both have a report in the window, compare the class of each one's last
    report. agreement = share with equal classes; false_failure_rate = among those where the
    reference's last class is success, the share where S's is failure. Each None when its
    denominator is 0.
    """
    mine = _last_class(system_reports_in_window)
    ref = _last_class(reference_reports_in_window)
    common = mine.keys() & ref.keys()
    ref_success = [ps for ps in common if ref[ps] == SUCCESS]
    return (
        _share(sum(mine[ps] == ref[ps] for ps in common), len(common)),
        _share(sum(mine[ps] == FAILURE for ps in ref_success), len(ref_success)),
    )


def health_score(components: Mapping[str, float | None], cfg: HealthConfig) -> int | None:
    """score = round(100 x sum(w_i c_i) / sum(w_i)) over the components that are not None
    (weights ``cfg.weight_<name>``, names in COMPONENTS); None when all are None. Python's round
    (half to even)."""
    unknown = set(components) - set(COMPONENTS)
    if unknown:
        raise ValueError(f"unknown score components: {sorted(unknown)}")
    weighted = [
        (getattr(cfg, f"weight_{name}"), value)
        for name, value in components.items()
        if value is not None
    ]
    total = sum(w for w, _ in weighted)
    if not total:
        return None
    return round(100 * sum(w * c for w, c in weighted) / total)


def pending_patchsets_after(
    patchsets: Iterable[Patchset],
    watched: set[str],
    last_report_at: datetime | None,
    until: datetime,
    cfg: HealthConfig,
) -> bool:
    """Second half of ``silent``: some patchset of a watched project was created after S's last
    report, at or before ``until - report_deadline``, and not superseded less than
    ``report_deadline`` after its creation. Without a last report any such patchset counts.
    """
    latest_created = until - cfg.report_deadline
    return any(
        p.project in watched
        and (last_report_at is None or p.created > last_report_at)
        and p.created <= latest_created
        and not _short_lived(p, cfg)
        for p in patchsets
    )


def health_status(
    *,
    last_report_at: datetime | None,
    last_success_at: datetime | None,
    score: int | None,
    pending_eligible: bool,
    until: datetime,
    cfg: HealthConfig,
) -> str:
    """status, first match: unknown, silent, failing, degraded, healthy.

    ``last_report_at`` / ``last_success_at`` are S's latest report / success report dated before
    ``until``; ``pending_eligible`` is :func:`pending_patchsets_after`; ``score`` is the score
    before the cap (:func:`capped_score`).
    """
    if last_report_at is None:
        return "unknown"
    if last_report_at < until - cfg.silent_after and pending_eligible:
        return "silent"
    if (score is not None and score < cfg.score_failing_below) or (
        last_success_at is None or last_success_at < until - cfg.unsupported_after
    ):
        return "failing"
    if score is not None and score < cfg.score_degraded_below:
        return "degraded"
    return "healthy"


def capped_score(score: int | None, status: str, cfg: HealthConfig) -> int | None:
    """The score agrees with the status: a failing or silent system scores below the failing
    threshold (49 with the default 50), whatever its components say."""
    if score is None or status not in ALARMING:
        return score
    return max(0, min(score, cfg.score_failing_below - 1))


def severity_rank(status: str) -> int:
    """0 for the worst status (failing), up to 4 for healthy."""
    return SEVERITY.index(status)


def system_figures(
    system_id: int,
    username: str | None,
    keyword: str | None,
    patchsets: Sequence[Patchset],
    reports: Iterable[Report],
    rechecks: Sequence[Recheck],
    window: Window,
    cfg: HealthConfig,
    reference_reports: Iterable[Report] | None = None,
) -> SystemFigures:
    """Every figure of S over ``window``.

    ``reports``: S's reports (reports of other systems and reports dated at or after ``until``
    are ignored). ``patchsets``: every patchset of the projects concerned created since
    ``min(since, S's last report)`` at least (the ``silent`` check looks back to S's last
    report), plus those S reported on. ``rechecks``: every recheck on those patchsets.
    ``reference_reports``: the reference account's reports, or None when none is configured.
    ``patchsets_reported`` counts reported eligible patchsets (coverage's numerator).
    """
    until = window.until
    mine = [r for r in reports if r.system_id == system_id and r.date < until]
    in_window = [r for r in mine if _in_window(r.date, window)]

    watched = watched_projects(mine, {p.id: p for p in patchsets}, until, cfg)
    eligible = eligible_patchsets(patchsets, watched, window, cfg)
    first_times = first_report_times(mine, until)
    lats = latencies(eligible, first_times)
    counts = result_counts(in_window)

    if reference_reports is None:
        agree, false_failure = None, None
    else:
        agree, false_failure = agreement(
            in_window, [r for r in reference_reports if _in_window(r.date, window)]
        )

    components = {
        "coverage": coverage(eligible, first_times),
        "timeliness": timeliness(lats, cfg),
        "success_rate": success_rate(counts),
        "stability": stability(in_window),
    }
    score = health_score(components, cfg)
    last_report_at = _latest_before(mine, until)
    last_success_at = _latest_before(mine, until, SUCCESS)
    status = health_status(
        last_report_at=last_report_at,
        last_success_at=last_success_at,
        score=score,
        pending_eligible=pending_patchsets_after(patchsets, watched, last_report_at, until, cfg),
        until=until,
        cfg=cfg,
    )
    score = capped_score(score, status, cfg)
    return SystemFigures(
        reports=counts["reports"],
        success=counts[SUCCESS],
        failure=counts[FAILURE],
        error=counts[ERROR],
        other=counts["other"],
        patchsets_eligible=len(eligible),
        patchsets_reported=len(lats),
        latency_p50_s=percentile(lats, 0.5),
        latency_p90_s=percentile(lats, 0.9),
        last_report_at=last_report_at,
        last_success_at=last_success_at,
        rechecks=count_rechecks(rechecks, mine, window, username, keyword),
        flaky_patchsets=len(flaky_patchsets(in_window)),
        duplicate_reports=duplicate_reports(in_window, rechecks, username, keyword),
        agreement=agree,
        false_failure_rate=false_failure,
        coverage=components["coverage"],
        timeliness=components["timeliness"],
        success_rate=components["success_rate"],
        stability=components["stability"],
        score=score,
        status=status,
    )
