"""How each API document is shown: one function per command and output format.

Every function here is pure: it takes the API's JSON (as documented in docs/api.md) and a
:class:`Look` and returns text, so the views are tested without a server. ``json`` output is the
API's document itself; ``csv`` output is one header row and raw values; ``table`` output is for
people.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from radar_client import nagios
from radar_client.formatting import (
    ASCII_BARS,
    MISSING,
    SPARK_BARS,
    Cell,
    Styled,
    fmt_ago,
    fmt_count,
    fmt_duration,
    fmt_pct,
    fmt_score,
    fmt_time,
    fmt_vote,
    parse_time,
    render_csv,
    render_json,
    render_pairs,
    render_table,
    result_cell,
    sparkline,
    status_cell,
)

Doc = dict[str, Any]
FORMATS = ("table", "json", "csv")

CONTACT_FIELDS = ("name", "email", "info_url", "recheck_keyword")
IDENTITY = ("id", "username", "name")


@dataclass(frozen=True)
class Look:
    """How to render: colour on or off, the time "ago" is measured from, Unicode or ASCII."""

    color: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    unicode: bool = True

    @property
    def bars(self) -> str:
        return SPARK_BARS if self.unicode else ASCII_BARS

    def table(self, headers: Sequence[str], rows: Any, align: str = "", indent: str = "") -> str:
        return render_table(headers, rows, align=align, color=self.color, indent=indent)

    def pairs(self, pairs: Any, indent: str = "") -> str:
        return render_pairs(pairs, color=self.color, indent=indent)

    def ago(self, value: str | None) -> str:
        return fmt_ago(value, self.now)

    def when(self, value: str | None) -> str:
        """``2026-11-23 09:51 (9 min ago)``."""
        return f"{fmt_time(value)} ({self.ago(value)})" if value else MISSING


# ---------------------------------------------------------------------------------------------
# Shared pieces


def window_line(doc: Doc) -> str:
    window = doc.get("window") or {}
    return f"window {fmt_time(window.get('since'))} to {fmt_time(window.get('until'))} UTC"


def system_label(system: Doc) -> str:
    name, username = system.get("name"), system.get("username")
    if name and username and name != username:
        return f"{name} ({username})"
    return str(username or name or system.get("id"))


def flat_system(system: Doc) -> dict[str, Any]:
    """A system's figures as one flat record (``health`` and ``stats`` merged), for CSV: every
    figure the API sends, in its order (the API's catalogue decides which)."""
    row = {key: system.get(key) for key in IDENTITY}
    row |= system.get("health") or {}
    row |= system.get("stats") or {}
    return row


def figure_keys(systems: Sequence[Doc]) -> list[str]:
    """The figure keys of the systems' records, in the API's order."""
    keys: dict[str, None] = {}
    for system in systems:
        keys |= dict.fromkeys(system.get("health") or {})
    for system in systems:
        keys |= dict.fromkeys(system.get("stats") or {})
    return list(keys)


def _csv_records(records: Sequence[dict[str, Any]], headers: Sequence[str]) -> str:
    return render_csv(headers, ([record.get(h) for h in headers] for record in records))


def render(fmt: str, doc: Any, table: Callable[[], str], csv: Callable[[], str]) -> str:
    """Pick the view for ``fmt``: the API document as JSON, or the CSV or table renderer."""
    if fmt == "json":
        return render_json(doc)
    if fmt == "csv":
        return csv()
    return table()


# ---------------------------------------------------------------------------------------------
# radar systems

SYSTEM_COLUMNS = (
    "#",
    "SYSTEM",
    "NAME",
    "STATUS",
    "SINCE",
    "SCORE",
    "COVERAGE",
    "TIMELY",
    "SUCCESS",
    "STABLE",
    "REPORTS",
    "P50 LATENCY",
    "LAST REPORT",
)


def systems_table(doc: Doc, look: Look) -> str:
    systems = doc.get("systems") or []
    if not systems:
        return f"{window_line(doc)}\nno systems"
    rows = [_system_row(rank, system, look) for rank, system in enumerate(systems, 1)]
    table = look.table(SYSTEM_COLUMNS, rows, align="rllrrrrrrrrrr")
    return f"{window_line(doc)}, {len(systems)} systems\n{table}"


def _system_row(rank: int, system: Doc, look: Look) -> list[Cell]:
    health, stats = system.get("health") or {}, system.get("stats") or {}
    return [
        str(rank),
        str(system.get("username") or system.get("id")),
        _truncate(system.get("name") or "", 24),
        status_cell(health.get("status")),
        look.ago(health.get("status_since")),
        Styled(fmt_score(health.get("score")), bold=True),
        fmt_pct(health.get("coverage")),
        fmt_pct(health.get("timeliness")),
        fmt_pct(health.get("success_rate")),
        fmt_pct(health.get("stability")),
        fmt_count(stats.get("reports")),
        fmt_duration(stats.get("latency_p50_s")),
        look.ago(stats.get("last_report_at")),
    ]


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def systems_csv(doc: Doc) -> str:
    records = [
        {"rank": rank} | flat_system(s) for rank, s in enumerate(doc.get("systems") or [], 1)
    ]
    headers = ["rank", *IDENTITY, *figure_keys(doc.get("systems") or [])]
    return _csv_records(records, headers)


def systems_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(fmt, doc, lambda: systems_table(doc, look), lambda: systems_csv(doc))


# ---------------------------------------------------------------------------------------------
# radar system NAME


def verdict(system: Doc) -> str | None:
    """Why the system is not healthy, in one line; ``None`` when it is healthy."""
    status = (system.get("health") or {}).get("status") or "unknown"
    if status == "healthy":
        return None
    reasons = [r for r in system.get("reasons") or [] if r]
    because = "; ".join(reasons) if reasons else "no reason given by the API"
    return f"{status}: {because}"


def components(system: Doc, look: Look) -> list[list[Cell]]:
    """Each score component with its value and the figures it comes from."""
    health, stats = system.get("health") or {}, system.get("stats") or {}
    eligible, reported = stats.get("patchsets_eligible"), stats.get("patchsets_reported")
    p50, p90 = stats.get("latency_p50_s"), stats.get("latency_p90_s")
    outcome = (
        f"{fmt_count(stats.get('success'))} success, {fmt_count(stats.get('failure'))} "
        f"failure, {fmt_count(stats.get('error'))} error of "
        f"{fmt_count(stats.get('reports'))} reports"
    )
    details = {
        "coverage": f"{fmt_count(reported)} of {fmt_count(eligible)} eligible patchsets reported",
        "timeliness": f"latency p50 {fmt_duration(p50)}, p90 {fmt_duration(p90)}",
        "success_rate": outcome,
        "stability": _plural(stats.get("flaky_patchsets"), "flaky patchset"),
    }
    rows: list[list[Cell]] = []
    for key, detail in details.items():
        value = health.get(key)
        text = fmt_pct(value) if value is not None else "no data"
        rows.append([key.replace("_", " "), text, detail if value is not None else MISSING])
    return rows


def _plural(count: int | None, noun: str) -> str:
    return f"{fmt_count(count)} {noun}{'' if count == 1 else 's'}"


def system_table(system: Doc, look: Look) -> str:
    health, stats = system.get("health") or {}, system.get("stats") or {}
    head = [
        ("system", f"{system_label(system)}, id {system.get('id')}"),
        ("window", window_line(system).removeprefix("window ")),
        ("status", status_cell(health.get("status"))),
        ("score", Styled(fmt_score(health.get("score")), bold=True)),
    ]
    why = verdict(system)
    if why:
        head.append(("why", Styled(why, fg="red" if "failing" in why else "yellow")))
    parts = [look.pairs(head)]
    parts.append(look.table(("COMPONENT", "VALUE", "FROM"), components(system, look), "lr"))
    parts.append("stats\n" + look.pairs(_stats_pairs(stats, look), indent="  "))
    parts.append("contacts\n" + look.pairs(_contact_pairs(system), indent="  "))
    return "\n\n".join(parts)


def _stats_pairs(stats: Doc, look: Look) -> list[tuple[str, Cell]]:
    return [
        (
            "reports",
            f"{fmt_count(stats.get('reports'))} ({fmt_count(stats.get('success'))} "
            f"success, {fmt_count(stats.get('failure'))} failure, "
            f"{fmt_count(stats.get('error'))} error, {fmt_count(stats.get('other'))} "
            "other)",
        ),
        (
            "patchsets",
            f"{fmt_count(stats.get('patchsets_reported'))} reported of "
            f"{fmt_count(stats.get('patchsets_eligible'))} eligible",
        ),
        (
            "latency",
            f"p50 {fmt_duration(stats.get('latency_p50_s'))}, "
            f"p90 {fmt_duration(stats.get('latency_p90_s'))}",
        ),
        ("last report", look.when(stats.get("last_report_at"))),
        ("last success", look.when(stats.get("last_success_at"))),
        ("rechecks", fmt_count(stats.get("rechecks"))),
        ("flaky patchsets", fmt_count(stats.get("flaky_patchsets"))),
        ("duplicate reports", fmt_count(stats.get("duplicate_reports"))),
        ("agreement", fmt_pct(stats.get("agreement"))),
        ("false failures", fmt_pct(stats.get("false_failure_rate"))),
    ]


def _contact_pairs(system: Doc) -> list[tuple[str, Cell]]:
    contacts = system.get("contacts") or {}
    return [(key.replace("_", " "), contacts.get(key) or MISSING) for key in CONTACT_FIELDS]


def system_record(system: Doc) -> dict[str, Any]:
    contacts = system.get("contacts") or {}
    record = flat_system(system)
    record |= {f"contact_{key}": contacts.get(key) for key in CONTACT_FIELDS}
    record["reasons"] = "; ".join(system.get("reasons") or [])
    return record


def system_csv_headers(system: Doc) -> list[str]:
    return [*IDENTITY, *figure_keys([system]), *(f"contact_{key}" for key in CONTACT_FIELDS),
            "reasons"]


def system_view(system: Doc, fmt: str, look: Look) -> str:
    return render(
        fmt,
        system,
        lambda: system_table(system, look),
        lambda: _csv_records([system_record(system)], system_csv_headers(system)),
    )


# ---------------------------------------------------------------------------------------------
# radar jobs NAME

JOB_FIELDS = (
    "name",
    "runs",
    "success",
    "failure",
    "error",
    "skipped",
    "success_rate",
    "duration_p50_s",
    "last_success_at",
    "voting",
)


def jobs_table(doc: Doc, look: Look) -> str:
    jobs = doc.get("jobs") or []
    title = f"jobs of {system_label(doc.get('system') or {})}, {window_line(doc)}"
    if not jobs:
        return f"{title}\nno jobs"
    rows = [
        [
            job.get("name") or MISSING,
            fmt_count(job.get("runs")),
            fmt_count(job.get("success")),
            fmt_count(job.get("failure")),
            fmt_count(job.get("error")),
            fmt_count(job.get("skipped")),
            fmt_pct(job.get("success_rate")),
            fmt_duration(job.get("duration_p50_s")),
            look.ago(job.get("last_success_at")),
            "yes" if job.get("voting") else "no",
        ]
        for job in jobs
    ]
    headers = (
        "JOB",
        "RUNS",
        "SUCCESS",
        "FAILURE",
        "ERROR",
        "SKIPPED",
        "SUCCESS RATE",
        "P50 DURATION",
        "LAST SUCCESS",
        "VOTING",
    )
    return f"{title}\n{look.table(headers, rows, align='lrrrrrrrrl')}"


def jobs_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(
        fmt,
        doc,
        lambda: jobs_table(doc, look),
        lambda: _csv_records(doc.get("jobs") or [], JOB_FIELDS),
    )


# ---------------------------------------------------------------------------------------------
# radar reports NAME

REPORT_FIELDS = (
    "id",
    "date",
    "result",
    "result_class",
    "vote",
    "pipeline",
    "project",
    "change",
    "patchset",
    "gerrit_url",
    "jobs",
    "jobs_failed",
)


def _failed_jobs(report: Doc) -> int:
    return sum(1 for job in report.get("jobs") or [] if job.get("result_class") != "success")


def reports_table(doc: Doc, look: Look) -> str:
    reports = doc.get("reports") or []
    title = f"reports of {system_label(doc.get('system') or {})}, newest first, {window_line(doc)}"
    if not reports:
        return f"{title}\nno reports"
    rows = [
        [
            fmt_time(report.get("date")),
            look.ago(report.get("date")),
            result_cell(report.get("result"), report.get("result_class")),
            fmt_vote(report.get("vote")),
            report.get("pipeline") or MISSING,
            report.get("project") or MISSING,
            f"{report.get('change')},{report.get('patchset')}",
            _jobs_summary(report),
            report.get("gerrit_url") or MISSING,
        ]
        for report in reports
    ]
    headers = (
        "DATE",
        "AGE",
        "RESULT",
        "VOTE",
        "PIPELINE",
        "PROJECT",
        "CHANGE,PS",
        "JOBS OK",
        "GERRIT",
    )
    return f"{title}\n{look.table(headers, rows, align='lllrlllrl')}"


def _jobs_summary(report: Doc) -> str:
    jobs = report.get("jobs") or []
    if not jobs:
        return MISSING
    return f"{len(jobs) - _failed_jobs(report)}/{len(jobs)}"


def report_record(report: Doc) -> dict[str, Any]:
    return {key: report.get(key) for key in REPORT_FIELDS[:-2]} | {
        "jobs": len(report.get("jobs") or []),
        "jobs_failed": _failed_jobs(report),
    }


def reports_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(
        fmt,
        doc,
        lambda: reports_table(doc, look),
        lambda: _csv_records([report_record(r) for r in doc.get("reports") or []], REPORT_FIELDS),
    )


# ---------------------------------------------------------------------------------------------
# radar trend NAME

TREND_FIELDS = (
    "since",
    "until",
    "score",
    "status",
    "coverage",
    "timeliness",
    "success_rate",
    "stability",
    "reports",
    "latency_p50_s",
)
SPARK_ROWS: tuple[tuple[str, str, float | None, float | None], ...] = (
    ("score", "score", 0, 100),
    ("coverage", "coverage", 0, 1),
    ("timeliness", "timeliness", 0, 1),
    ("success rate", "success_rate", 0, 1),
    ("stability", "stability", 0, 1),
    ("reports", "reports", 0, None),
    ("p50 latency", "latency_p50_s", 0, None),
)


def spark_summary(points: Sequence[Doc], look: Look) -> list[list[Cell]]:
    """One sparkline per figure, oldest bucket left, with the latest value and the range."""
    rows: list[list[Cell]] = []
    for label, key, lo, hi in SPARK_ROWS:
        values = [point.get(key) for point in points]
        present = [v for v in values if v is not None]
        show = _trend_formatter(key)
        latest = show(present[-1]) if present else MISSING
        span = f"{show(min(present))} .. {show(max(present))}" if present else MISSING
        line = sparkline(values, lo=lo, hi=hi, bars=look.bars)
        rows.append([label, Styled(line, fg="cyan"), latest, span])
    return rows


def _trend_formatter(key: str) -> Callable[[Any], str]:
    if key == "score":
        return fmt_score
    if key == "reports":
        return fmt_count
    if key == "latency_p50_s":
        return fmt_duration
    return fmt_pct


def trend_table(doc: Doc, look: Look) -> str:
    points = doc.get("points") or []
    bucket = doc.get("bucket") or "day"
    title = f"trend of {system_label(doc.get('system') or {})} by {bucket}, {window_line(doc)}"
    if not points:
        return f"{title}\nno data"
    sparks = look.table(
        ("FIGURE", "OLDEST -> NEWEST", "LATEST", "RANGE"), spark_summary(points, look)
    )
    rows = [
        [
            fmt_time(point.get("since"))[:10],
            Styled(fmt_score(point.get("score")), bold=True),
            status_cell(point.get("status")),
            fmt_pct(point.get("coverage")),
            fmt_pct(point.get("timeliness")),
            fmt_pct(point.get("success_rate")),
            fmt_pct(point.get("stability")),
            fmt_count(point.get("reports")),
            fmt_duration(point.get("latency_p50_s")),
        ]
        for point in points
    ]
    headers = (
        bucket.upper(),
        "SCORE",
        "STATUS",
        "COVERAGE",
        "TIMELY",
        "SUCCESS",
        "STABLE",
        "REPORTS",
        "P50 LATENCY",
    )
    return f"{title}\n{sparks}\n\n{look.table(headers, rows, align='lrlrrrrrr')}"


def trend_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(
        fmt,
        doc,
        lambda: trend_table(doc, look),
        lambda: _csv_records(doc.get("points") or [], TREND_FIELDS),
    )


# ---------------------------------------------------------------------------------------------
# radar compare A B [C ...]

# (label, record key, formatter, which way is better: +1 higher, -1 lower, 0 neither)
Figure = tuple[str, str, Callable[[Any], str], int]
COMPARE_FIGURES: tuple[Figure, ...] = (
    ("name", "name", lambda v: v or MISSING, 0),
    ("status", "status", lambda v: v or MISSING, 0),
    ("score", "score", fmt_score, 1),
    ("coverage", "coverage", fmt_pct, 1),
    ("timeliness", "timeliness", fmt_pct, 1),
    ("success rate", "success_rate", fmt_pct, 1),
    ("stability", "stability", fmt_pct, 1),
    ("reports", "reports", fmt_count, 0),
    ("success", "success", fmt_count, 0),
    ("failure", "failure", fmt_count, 0),
    ("error", "error", fmt_count, 0),
    ("other", "other", fmt_count, 0),
    ("eligible patchsets", "patchsets_eligible", fmt_count, 0),
    ("reported patchsets", "patchsets_reported", fmt_count, 0),
    ("p50 latency", "latency_p50_s", fmt_duration, -1),
    ("p90 latency", "latency_p90_s", fmt_duration, -1),
    ("last report", "last_report_at", fmt_time, 0),
    ("last success", "last_success_at", fmt_time, 0),
    ("rechecks", "rechecks", fmt_count, -1),
    ("flaky patchsets", "flaky_patchsets", fmt_count, -1),
    ("duplicate reports", "duplicate_reports", fmt_count, -1),
    ("agreement", "agreement", fmt_pct, 1),
    ("false failure rate", "false_failure_rate", fmt_pct, -1),
)


def compare_table(doc: Doc, look: Look) -> str:
    records = [flat_system(system) for system in doc.get("systems") or []]
    headers = ["FIGURE", *(str(r.get("username") or r.get("id")) for r in records)]
    rows = [_compare_row(figure, records) for figure in COMPARE_FIGURES]
    return f"{window_line(doc)}\n{look.table(headers, rows, align='l' + 'r' * len(records))}"


def _compare_row(figure: Figure, records: list[Doc]) -> list[Cell]:
    label, key, show, better = figure
    values = [record.get(key) for record in records]
    best = _best(values, better)
    cells: list[Cell] = [label]
    for value in values:
        if key == "status":
            cells.append(status_cell(value))
        else:
            cells.append(Styled(show(value), bold=best is not None and value == best))
    return cells


def _best(values: list[Any], better: int) -> Any:
    """The best of the values when they differ (``None`` when there is nothing to single out)."""
    present = [v for v in values if v is not None]
    if not better or len(set(present)) < 2:
        return None
    return max(present) if better > 0 else min(present)


def compare_csv(doc: Doc) -> str:
    records = [flat_system(system) for system in doc.get("systems") or []]
    headers = ["figure", *(str(r.get("username") or r.get("id")) for r in records)]
    keys = [*IDENTITY, *figure_keys(doc.get("systems") or [])]
    return render_csv(headers, ([key, *(r.get(key) for r in records)] for key in keys))


def compare_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(fmt, doc, lambda: compare_table(doc, look), lambda: compare_csv(doc))


# ---------------------------------------------------------------------------------------------
# radar change NUMBER


def change_grid(doc: Doc) -> tuple[list[Doc], list[tuple[Doc, dict[Any, Doc]]]]:
    """The systems (columns) and, per patchset, each system's result by system id."""
    systems = list(doc.get("systems") or [])
    rows = []
    for patchset in doc.get("patchsets") or []:
        by_system = {result.get("system_id"): result for result in patchset.get("results") or []}
        rows.append((patchset, by_system))
    return systems, rows


def _grid_cell(result: Doc | None) -> Styled:
    if not result:
        return Styled(MISSING)
    cell = result_cell(result.get("result"), result.get("result_class"))
    count = result.get("reports") or 1
    return Styled(f"{cell.text} x{count}", cell.fg) if count > 1 else cell


def change_table(doc: Doc, look: Look) -> str:
    systems, grid = change_grid(doc)
    head = (
        f"change {doc.get('number')} ({doc.get('project')}, {doc.get('branch')}, "
        f"{doc.get('status')}): {doc.get('subject')}"
    )
    lines = [head] + ([doc["gerrit_url"]] if doc.get("gerrit_url") else [])
    headers = ["PS", "CREATED", *(str(s.get("username") or s.get("id")) for s in systems)]
    rows = [
        [str(ps.get("number")), fmt_time(ps.get("created"))]
        + [_grid_cell(by_system.get(s.get("id"))) for s in systems]
        for ps, by_system in grid
    ]
    if not systems:
        lines.append("no CI system reported on this change")
    lines.append(look.table(headers, rows, align="rl"))
    return "\n".join(lines)


def change_csv(doc: Doc) -> str:
    systems, grid = change_grid(doc)
    headers = ["patchset", "created", *(str(s.get("username") or s.get("id")) for s in systems)]
    rows = [
        [ps.get("number"), ps.get("created")]
        + [(by_system.get(s.get("id")) or {}).get("result") for s in systems]
        for ps, by_system in grid
    ]
    return render_csv(headers, rows)


def change_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(fmt, doc, lambda: change_table(doc, look), lambda: change_csv(doc))


# ---------------------------------------------------------------------------------------------
# radar projects

PROJECT_FIELDS = ("name", "changes", "patchsets", "systems")


def projects_table(doc: Doc, look: Look) -> str:
    projects = doc.get("projects") or []
    if not projects:
        return "no projects"
    rows = [
        [str(p.get(key) if p.get(key) is not None else MISSING) for key in PROJECT_FIELDS]
        for p in projects
    ]
    return look.table([f.upper() for f in PROJECT_FIELDS], rows, align="lrrr")


def projects_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(
        fmt,
        doc,
        lambda: projects_table(doc, look),
        lambda: _csv_records(doc.get("projects") or [], PROJECT_FIELDS),
    )


# ---------------------------------------------------------------------------------------------
# radar silence

SILENCE_FIELDS = ("id", "username", "starts_at", "ends_at", "active", "author", "comment")


def silences_table(doc: Doc, look: Look) -> str:
    silences = doc.get("silences") or []
    if not silences:
        return "no silences"
    rows = []
    for item in silences:
        values = {**item, "username": item.get("username") or "(every system)",
                  "active": "yes" if item.get("active") else "no"}
        rows.append([str(values.get(key) if values.get(key) is not None else MISSING)
                     for key in SILENCE_FIELDS])
    return look.table([f.upper() for f in SILENCE_FIELDS], rows, align="lllllll")


def silences_view(doc: Doc, fmt: str, look: Look) -> str:
    return render(
        fmt,
        doc,
        lambda: silences_table(doc, look),
        lambda: _csv_records(doc.get("silences") or [], SILENCE_FIELDS),
    )


# ---------------------------------------------------------------------------------------------
# radar status

POLL_FIELDS = (
    "id",
    "query",
    "started_at",
    "finished_at",
    "outcome",
    "requests",
    "errors",
    "rate_limited",
    "changes",
    "reports_stored",
    "rechecks_stored",
    "message",
)


def outcome_cell(outcome: str | None) -> Styled:
    text = outcome or MISSING
    good = text.lower() in ("ok", "success", "succeeded")
    return Styled(text, "green" if good else ("bright_black" if text == MISSING else "red"))


def status_table(doc: Doc, look: Look) -> str:
    collector = doc.get("collector") or {}
    server_now = _now_of(doc, look)
    lag = collector.get("lag_s")
    interval = doc.get("poll_interval")
    late = lag is not None and interval and lag > 3 * interval
    summary = [
        ("outcome", outcome_cell(collector.get("outcome"))),
        ("last poll", server_now.when(collector.get("last_poll_at"))),
        ("last success", server_now.when(collector.get("last_success_at"))),
        ("lag", Styled(fmt_duration(lag), fg="red" if late else None)),
        ("poll interval", fmt_duration(interval)),
    ]
    totals = doc.get("totals") or {}
    parts = ["collector\n" + look.pairs(summary, indent="  ")]
    parts.append("totals\n" + look.pairs([(k, fmt_count(v)) for k, v in totals.items()], "  "))
    parts.append(_queries_table(collector.get("queries") or [], server_now))
    parts.append(_polls_table(collector.get("polls") or [], server_now))
    return "\n\n".join(part for part in parts if part)


def _now_of(doc: Doc, look: Look) -> Look:
    """The same look, with "ago" measured from the server's ``now`` when it sent one."""
    try:
        now = parse_time(doc.get("now"))
    except ValueError:
        now = None
    return Look(color=look.color, now=now or look.now, unicode=look.unicode)


def _queries_table(queries: list[Doc], look: Look) -> str:
    if not queries:
        return ""
    rows = [
        [
            q.get("query") or MISSING,
            fmt_time(q.get("watermark")),
            look.ago(q.get("last_success_at")),
            q.get("locked_by") or MISSING,
        ]
        for q in queries
    ]
    return look.table(("QUERY", "WATERMARK", "LAST SUCCESS", "LOCKED BY"), rows)


def _polls_table(polls: list[Doc], look: Look) -> str:
    if not polls:
        return "no polls yet"
    rows = [
        [
            fmt_time(p.get("started_at")),
            look.ago(p.get("started_at")),
            _poll_duration(p),
            outcome_cell(p.get("outcome")),
            fmt_count(p.get("requests")),
            fmt_count(p.get("errors")),
            fmt_count(p.get("rate_limited")),
            fmt_count(p.get("changes")),
            fmt_count(p.get("reports_stored")),
            fmt_count(p.get("rechecks_stored")),
            _truncate(" ".join(str(p.get("message") or "").split()), 40),
        ]
        for p in polls
    ]
    headers = (
        "STARTED",
        "AGE",
        "TOOK",
        "OUTCOME",
        "REQUESTS",
        "ERRORS",
        "RATE LIMITED",
        "CHANGES",
        "REPORTS",
        "RECHECKS",
        "MESSAGE",
    )
    return look.table(headers, rows, align="llrlrrrrrrl")


def _poll_duration(poll: Doc) -> str:
    started, finished = parse_time(poll.get("started_at")), parse_time(poll.get("finished_at"))
    if not started or not finished:
        return MISSING
    return fmt_duration((finished - started).total_seconds())


def status_view(doc: Doc, fmt: str, look: Look) -> str:
    polls = (doc.get("collector") or {}).get("polls") or []
    return render(
        fmt, doc, lambda: status_table(doc, look), lambda: _csv_records(polls, POLL_FIELDS)
    )


# ---------------------------------------------------------------------------------------------
# radar check NAME


def check_view(result: nagios.CheckResult, fmt: str) -> str:
    record = {
        "state": result.state.name,
        "exit_code": int(result.state),
        "summary": result.summary,
        "perfdata": result.perfdata,
        "line": result.line(),
    }
    return render(
        fmt,
        record,
        result.line,
        lambda: render_csv(list(record), [list(record.values())]),
    )


# ---------------------------------------------------------------------------------------------
# Events (radar watch)

EVENT_CSV_HEADERS = ("id", "at", "kind", "system_id", "summary", "data")


def event_summary(event: Doc) -> str:
    """A status change as ``acme-ci: degraded -> failing (score 41)``; new data as counts; any
    other kind (alerts, deliveries) as its data's keys and values, whatever they are."""
    data = event.get("data") or {}
    kind = event.get("kind")
    who = data.get("username") or (f"system {event['system_id']}"
                                   if event.get("system_id") is not None else None)
    if kind == "status":
        to = data.get("to") or "?"
        text = f"{data['from']} -> {to}" if data.get("from") else f"first status {to}"
        if data.get("score") is not None:
            text += f" (score {data['score']})"
        if data.get("reasons"):
            text += ": " + "; ".join(str(r) for r in data["reasons"])
    elif kind == "data":
        counts = [f"{data[k]} {k}" for k in ("reports", "rechecks", "changes") if data.get(k)]
        text = "new data: " + (", ".join(counts) or "nothing new")
        if data.get("query"):
            text += f" ({data['query']})"
    else:
        text = ", ".join(f"{k}={v}" for k, v in data.items() if k != "username") or "-"
    return f"{who}: {text}" if who else text


def event_line(event: Doc, fmt: str) -> str:
    """One event as one line: a readable sentence, a JSON line, or a CSV record."""
    if fmt == "json":
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    record = {
        "id": event.get("id"),
        "at": event.get("at"),
        "kind": event.get("kind"),
        "system_id": event.get("system_id"),
        "summary": event_summary(event),
        "data": json.dumps(event.get("data") or {}, ensure_ascii=False, sort_keys=True),
    }
    if fmt == "csv":
        whole = _csv_records([record], EVENT_CSV_HEADERS)
        return whole[len(event_csv_header()) + 1:]  # the record without the header row
    return f"{fmt_time(event.get('at'))}  {event.get('kind', '?'):<8} {record['summary']}"


def event_csv_header() -> str:
    return ",".join(EVENT_CSV_HEADERS)
