"""Why a system's status is not healthy, in short sentences (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

from radar_core import catalogue, stats


def reasons(
    figures: stats.SystemFigures, until: datetime, cfg: stats.HealthConfig, waiting: int
) -> list[str]:
    """What pulls the status down; empty when healthy. ``waiting``: the patchsets that came
    after the last report (the silent check)."""
    if figures.status == "healthy":
        return []
    if figures.status == "unknown":
        return ["it has never reported"]
    sentences = []
    if figures.status == "silent":
        quiet = span(until - figures.last_report_at)
        sentences.append(f"no report for {quiet} while {waiting} patchsets waited")
    last_success = figures.last_success_at
    if last_success is None or last_success < until - cfg.unsupported_after:
        sentences.append(f"no successful report in {span(cfg.unsupported_after)}")
    healthy = cfg.score_degraded_below / 100
    for name in stats.COMPONENTS:
        value = getattr(figures, name)
        if value is None or value >= healthy:
            continue
        label = catalogue.FIGURES[name].label.lower()
        sentences.append(f"{label} {value:.0%} is below what a healthy system reaches")
        p50 = figures.latency_p50_s
        deadline = cfg.report_deadline
        if name == "timeliness" and p50 is not None and p50 > deadline.total_seconds():
            sentences.append(
                f"latency p50 {span(timedelta(seconds=p50))} exceeds the {span(deadline)} deadline"
            )
    return sentences


def span(delta: timedelta) -> str:
    """'45 min', '5.2 h', '3 days'."""
    seconds = delta.total_seconds()
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f}".removesuffix(".0") + " h"
    return f"{int(seconds // 86400)} days"
