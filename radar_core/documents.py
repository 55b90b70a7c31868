"""The documents the API serves, shaped from figures and rows (pure; the catalogue says which
figure goes where)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from radar_core import catalogue, stats

JOB_CLASSES = ("success", "failure", "error", "skipped")
HEALTH = tuple(f.name for f in catalogue.group("health"))
STATS = tuple(f.name for f in catalogue.group("stats"))


def identity(row) -> dict:
    return {"id": row.id, "name": row.name, "username": row.username}


def summary(row, figures: stats.SystemFigures, status_since=None) -> dict:
    """A system with its health and stats, every figure of the catalogue."""
    values = {**figures.__dict__, "status_since": status_since}
    return {
        **identity(row),
        "health": {name: values.get(name) for name in HEALTH},
        "stats": {name: values.get(name) for name in STATS},
    }


def contacts(row) -> dict:
    return {
        "name": row.contact_name,
        "email": row.contact_email,
        "info_url": row.info_url,
        "recheck_keyword": row.recheck_keyword,
    }


def severity_key(system: dict):
    """Worst status first, then the lowest score (no score last), then the name."""
    health = system["health"]
    score = health.get("score")
    return (
        stats.severity_rank(health["status"]),
        score is None,
        score if score is not None else 0,
        (system.get("name") or "").casefold(),
        system["id"],
    )


class Links:
    """Gerrit links, or None without a Gerrit URL."""

    def __init__(self, gerrit_url: str | None):
        self.base = gerrit_url.rstrip("/") if gerrit_url else None

    def change(self, project: str, change: int, patchset: int | None = None) -> str | None:
        if self.base is None:
            return None
        url = f"{self.base}/c/{project}/+/{change}"
        return url if patchset is None else f"{url}/{patchset}"


def job(row) -> dict:
    return {
        "name": row.name,
        "url": row.url,
        "result": row.result,
        "result_class": row.result_class,
        "duration_s": row.duration_s,
        "voting": bool(row.voting),
        "detail": row.detail,
    }


def report(row, jobs: list[dict], links: Links) -> dict:
    return {
        "id": row.id,
        "date": row.date,
        "result": row.result,
        "result_class": row.result_class,
        "vote": row.vote,
        "pipeline": row.pipeline,
        "project": row.name,
        "change": row.number,
        "patchset": row.patchset_number,
        "gerrit_url": links.change(row.name, row.number, row.patchset_number),
        "jobs": jobs,
        "jobs_dropped": row.jobs_dropped,
        "sanitised": bool(row.sanitised),
    }


def job_figures(runs: Iterable) -> list[dict]:
    """Per job name: runs by class, success rate, p50 duration, last success, voting."""
    groups = defaultdict(list)
    for run in runs:
        groups[run.name].append(run)
    jobs = []
    for name, group in groups.items():
        counts = {cls: sum(run.result_class == cls for run in group) for cls in JOB_CLASSES}
        decided = counts["success"] + counts["failure"] + counts["error"]
        successes = [run.date for run in group if run.result_class == stats.SUCCESS]
        latest = max(group, key=lambda run: (run.date, run.id, run.position))
        jobs.append(
            {
                "name": name,
                "runs": len(group),
                **counts,
                "success_rate": counts["success"] / decided if decided else None,
                "duration_p50_s": stats.percentile(
                    [run.duration_s for run in group if run.duration_s is not None], 0.5
                ),
                "last_success_at": max(successes, default=None),
                "voting": bool(latest.voting),
            }
        )
    jobs.sort(key=lambda item: (-item["runs"], item["name"] is None, item["name"] or ""))
    return jobs


def change_grid(reports, system_order, jobs) -> dict[int, list[dict]]:
    """Per patchset number, each system's latest report on it (with how many it posted), in
    the order of ``system_order``; reports without a patchset number are left out."""
    latest: dict[tuple[int, int], tuple] = {}
    for r in sorted(reports, key=lambda r: (r.date, r.id)):
        if r.patchset_number is None:
            continue
        key = (r.patchset_number, r.system_id)
        latest[key] = (r, latest[key][1] + 1 if key in latest else 1)
    rank = {system_id: index for index, system_id in enumerate(system_order)}
    results = defaultdict(list)
    for (number, system_id), (r, count) in sorted(
        latest.items(), key=lambda item: (item[0][0], rank[item[0][1]])
    ):
        results[number].append(
            {
                "system_id": system_id,
                "result": r.result,
                "result_class": r.result_class,
                "date": r.date,
                "report_id": r.id,
                "reports": count,
                "jobs": jobs.get(r.id, []),
            }
        )
    return results


def latest_report_ids(reports) -> list[int]:
    """The ids of each system's latest report per patchset (the grid's cells)."""
    latest = {}
    for r in sorted(reports, key=lambda r: (r.date, r.id)):
        if r.patchset_number is not None:
            latest[(r.patchset_number, r.system_id)] = r.id
    return list(latest.values())


def change_of_status(row) -> dict:
    """A status change of the history."""
    return {
        "at": row.at,
        "from": row.from_status,
        "to": row.to_status,
        "score": row.score,
        "reasons": json.loads(row.reasons or "[]"),
    }


def event(row) -> dict:
    return {
        "id": row.id,
        "at": row.at,
        "kind": row.kind,
        "system_id": row.system_id,
        "data": json.loads(row.payload or "{}"),
    }
