"""The figures Radar should show, computed from the scenario's generation records.

An independent implementation of docs/definitions.md: it reads each message's recorded kind,
result class and recheck target, never its text. Windows are ``[since, until)``, naive UTC.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

FIGURE_KEYS = (
    "reports",
    "success",
    "failure",
    "error",
    "other",
    "patchsets_eligible",
    "patchsets_reported",
    "latency_p50_s",
    "latency_p90_s",
    "last_report_at",
    "last_success_at",
    "rechecks",
    "flaky_patchsets",
    "duplicate_reports",
    "agreement",
    "false_failure_rate",
    "coverage",
    "timeliness",
    "success_rate",
    "stability",
    "score",
    "status",
)


@dataclass(frozen=True)
class _Report:
    date: datetime
    order: int  # position in its change's message list: breaks ties between equal dates
    key: tuple[int, int]  # (change number, patchset number)
    cls: str
    pipeline: str | None = None


@dataclass(frozen=True)
class _Patchset:
    project: str
    created: datetime
    superseded_at: datetime | None


def _td(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def percentile(values, q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


class _Index:
    """The scenario's records, arranged for the definitions (of one project's changes only,
    when ``project`` is given: every figure is then restricted to that project)."""

    def __init__(self, scenario, project: str | None = None):
        self.patchsets: dict[tuple[int, int], _Patchset] = {}
        self.reports: dict[int, list[_Report]] = defaultdict(list)
        self.rechecks: dict[tuple[int, int], list[tuple[datetime, int | None]]] = defaultdict(list)
        for change in scenario.changes:
            if project is not None and change.project != project:
                continue
            ordered = sorted(change.patchsets, key=lambda ps: ps.number)
            for ps, following in zip(ordered, [*ordered[1:], None], strict=True):
                superseded = following.created if following else None
                self.patchsets[(change.number, ps.number)] = _Patchset(
                    change.project, ps.created, superseded
                )
            for order, message in enumerate(change.messages):
                key = (change.number, message.patchset)
                if message.kind == "report":
                    self.reports[message.author_id].append(
                        _Report(message.date, order, key, message.result_class, message.pipeline)
                    )
                elif message.kind == "recheck":
                    self.rechecks[key].append((message.date, message.target_id))
        for reports in self.reports.values():
            reports.sort(key=lambda r: (r.date, r.key, r.order))


def expected_figures(
    scenario,
    since: datetime,
    until: datetime,
    *,
    report_deadline=timedelta(hours=4),
    watch_lookback=timedelta(days=30),
    silent_after=timedelta(hours=24),
    unsupported_after=timedelta(days=14),
    weights=(0.35, 0.25, 0.25, 0.15),
    reference_username: str | None = "zuul",
    project: str | None = None,
) -> dict[int, dict]:
    """Every configured CI system's figures for the window (of one project's changes, when
    ``project`` is given); durations may be seconds."""
    options = {
        "deadline": _td(report_deadline),
        "lookback": _td(watch_lookback),
        "silent_after": _td(silent_after),
        "unsupported_after": _td(unsupported_after),
        "weights": weights,
    }
    with scenario.lock:
        index = _Index(scenario, project)
        reference = scenario.system(reference_username) if reference_username else None
        return {
            system.id: _figures(index, system.id, reference and reference.id, since, until, options)
            for system in scenario.systems
        }


def expected_status_history(
    scenario, start: datetime, end: datetime, *, window=timedelta(days=7), **options
) -> dict[int, list[tuple[datetime, str]]]:
    """Per system, its status at every whole hour in ``[start, end]``: the status of the window
    of length ``window`` ending at that hour (DESIGN.md section 4, "status at a time t")."""
    first = start.replace(minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(hours=1)
    hours = []
    while first <= end:
        hours.append(first)
        first += timedelta(hours=1)
    history: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for hour in hours:
        figures = expected_figures(scenario, hour - window, hour, **options)
        for system_id, values in figures.items():
            history[system_id].append((hour, values["status"]))
    return dict(history)


def expected_changes(history: list[tuple[datetime, str]]) -> list[tuple[datetime, str, str]]:
    """The (hour, from, to) status changes of one system's hourly history."""
    return [
        (hour, before, after)
        for (_, before), (hour, after) in zip(history, history[1:], strict=False)
        if before != after
    ]


def expected_status_since(history: list[tuple[datetime, str]], status: str) -> datetime | None:
    """The first whole hour from which every hourly evaluation up to the last gave ``status``;
    None when the last evaluation gave another status."""
    since = None
    for hour, value in reversed(history):
        if value != status:
            break
        since = hour
    return since


def _figures(index: _Index, sid: int, ref_id, since, until, opt) -> dict:
    deadline = opt["deadline"]
    before_until = [r for r in index.reports.get(sid, []) if r.date < until]
    window = [r for r in before_until if r.date >= since]
    classes = Counter(r.cls for r in window)

    # Watched: the projects of its reports in the lookback before its last report.
    last_report = before_until[-1].date if before_until else None
    watched = {
        index.patchsets[r.key].project
        for r in before_until
        if r.date >= last_report - opt["lookback"]
    }

    def countable(ps: _Patchset) -> bool:
        """In a watched project, old enough and not superseded within the deadline."""
        quick = ps.superseded_at is not None and ps.superseded_at - ps.created < deadline
        return ps.project in watched and ps.created <= until - deadline and not quick

    eligible = [
        key for key, ps in index.patchsets.items() if since <= ps.created < until and countable(ps)
    ]
    first_report: dict[tuple[int, int], datetime] = {}
    for report in before_until:
        first_report.setdefault(report.key, report.date)
    reported = [key for key in eligible if key in first_report]
    latencies = [(first_report[k] - index.patchsets[k].created).total_seconds() for k in reported]

    decided = classes["success"] + classes["failure"] + classes["error"]
    components = {
        "coverage": len(reported) / len(eligible) if eligible else None,
        "timeliness": (
            sum(1 for s in latencies if s <= deadline.total_seconds()) / len(latencies)
            if latencies
            else None
        ),
        "success_rate": classes["success"] / decided if decided else None,
    }
    by_patchset = defaultdict(list)
    for report in window:
        by_patchset[report.key].append(report)
    flaky = sum(1 for reports in by_patchset.values() if _is_flaky(reports))
    components["stability"] = 1 - flaky / len(by_patchset) if by_patchset else None

    score = _score(list(components.values()), opt["weights"])
    successes = [r.date for r in before_until if r.cls == "success"]
    figures = {
        "reports": len(window),
        "success": classes["success"],
        "failure": classes["failure"],
        "error": classes["error"],
        "other": classes["skipped"] + classes["unknown"],
        "patchsets_eligible": len(eligible),
        "patchsets_reported": len(reported),
        "latency_p50_s": percentile(latencies, 0.5),
        "latency_p90_s": percentile(latencies, 0.9),
        "last_report_at": last_report,
        "last_success_at": successes[-1] if successes else None,
        "rechecks": _rechecks(index, sid, before_until, since, until),
        "flaky_patchsets": flaky,
        "duplicate_reports": _duplicates(index, sid, by_patchset),
        **_agreement(index, sid, ref_id, by_patchset, since, until),
        **components,
        "score": score,
    }
    if not before_until:
        status = "unknown"
    elif not any(r.date >= until - opt["silent_after"] for r in before_until) and any(
        ps.created > last_report and countable(ps) for ps in index.patchsets.values()
    ):
        status = "silent"
    elif (score is not None and score < 50) or not any(
        d >= until - opt["unsupported_after"] for d in successes
    ):
        status = "failing"
    elif score is not None and score < 80:
        status = "degraded"
    else:
        status = "healthy"
    figures["status"] = status
    if status in ("failing", "silent") and score is not None:
        figures["score"] = min(score, 49)  # the score agrees with the status
    return figures


def _score(components, weights) -> int | None:
    present = [(w, c) for w, c in zip(weights, components, strict=True) if c is not None]
    total = sum(w for w, _ in present)
    if not present or not total:
        return None
    return round(100 * sum(w * c for w, c in present) / total)


def _is_flaky(reports) -> bool:
    failed = False
    for report in reports:
        if report.cls == "failure":
            failed = True
        elif report.cls == "success" and failed:
            return True
    return False


def _applies(target_id, sid) -> bool:
    return target_id is None or target_id == sid


def _rechecks(index, sid, before_until, since, until) -> int:
    per_patchset = defaultdict(list)
    for report in before_until:
        per_patchset[report.key].append(report)
    count = 0
    for key, rechecks in index.rechecks.items():
        for date, target in rechecks:
            if not (since <= date < until and _applies(target, sid)):
                continue
            earlier = [r for r in per_patchset.get(key, []) if r.date < date]
            if earlier and earlier[-1].cls != "success":
                count += 1
    return count


def _duplicates(index, sid, by_patchset) -> int:
    """Per patchset and pipeline: reports after the first with no recheck in between."""
    count = 0
    for key, reports in by_patchset.items():
        rechecks = [date for date, target in index.rechecks.get(key, []) if _applies(target, sid)]
        pipelines = defaultdict(list)
        for report in reports:
            pipelines[report.pipeline].append(report)
        for group in pipelines.values():
            for previous, report in zip(group, group[1:], strict=False):
                if not any(previous.date < date < report.date for date in rechecks):
                    count += 1
    return count


def _agreement(index, sid, ref_id, by_patchset, since, until) -> dict:
    none = {"agreement": None, "false_failure_rate": None}
    if ref_id is None:
        return none
    ref_last = {}
    for report in index.reports.get(ref_id, []):
        if since <= report.date < until:
            ref_last[report.key] = report.cls  # sorted by date: the last one wins
    both = [
        (reports[-1].cls, ref_last[key]) for key, reports in by_patchset.items() if key in ref_last
    ]
    if not both:
        return none
    ref_success = [mine for mine, ref in both if ref == "success"]
    return {
        "agreement": sum(1 for mine, ref in both if mine == ref) / len(both),
        "false_failure_rate": (
            sum(1 for mine in ref_success if mine == "failure") / len(ref_success)
            if ref_success
            else None
        ),
    }


def expected_totals(scenario) -> dict:
    """All-time counts a collector that stored every message should hold.

    ``systems``: per CI account id, reports by result word and by class, notices, rechecks naming
    it and job results by job name ('' for a job without a name); ``rechecks``: every recheck
    message; ``rechecks_by_patchset``: (change number, patchset) -> rechecks.
    """
    with scenario.lock:
        systems = {
            s.id: {
                "reports": 0,
                "by_result": Counter(),
                "by_class": Counter(),
                "notices": 0,
                "rechecks_naming": 0,
                "jobs": defaultdict(Counter),
            }
            for s in scenario.systems
        }
        rechecks = Counter()
        messages = 0
        for change in scenario.changes:
            for message in change.messages:
                messages += 1
                if message.kind == "recheck":
                    rechecks[(change.number, message.patchset)] += 1
                    if message.target_id in systems:
                        systems[message.target_id]["rechecks_naming"] += 1
                totals = systems.get(message.author_id)
                if totals is None:
                    continue
                if message.kind == "notice":
                    totals["notices"] += 1
                elif message.kind == "report":
                    totals["reports"] += 1
                    totals["by_result"][message.result] += 1
                    totals["by_class"][message.result_class] += 1
                    for job in message.jobs:
                        totals["jobs"][job.name or ""][job.result] += 1
        for totals in systems.values():
            totals["by_result"] = dict(totals["by_result"])
            totals["by_class"] = dict(totals["by_class"])
            totals["jobs"] = {name: dict(words) for name, words in totals["jobs"].items()}
        return {
            "systems": systems,
            "rechecks": sum(rechecks.values()),
            "rechecks_by_patchset": dict(rechecks),
            "changes": len(scenario.changes),
            "patchsets": scenario.patchset_count(),
            "messages": messages,
        }
