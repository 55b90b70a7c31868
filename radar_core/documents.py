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


def failures(results, runs, days, top: int) -> dict:
    """The body of /v1/systems/{id}/failures from report counts per result word and the failed
    job runs (radar_core.queries.report_results and failed_job_runs)."""
    by_result = sorted(
        ({"result": r.result, "result_class": r.result_class, "reports": r.reports,
          "last_at": r.last} for r in results),
        key=lambda r: (-r["reports"], r["result"]),
    )
    jobs: dict = {}
    reasons: dict = {}
    for run in runs:
        job = jobs.setdefault(run.name, {"name": run.name, "failures": 0, "results": {},
                                         "last_failure_at": None, "voting": run.voting,
                                         "dates": []})
        job["failures"] += 1
        job["results"][run.result] = job["results"].get(run.result, 0) + 1
        job["dates"].append(run.date)
        if job["last_failure_at"] is None or run.date > job["last_failure_at"]:
            job["last_failure_at"], job["voting"] = run.date, run.voting
        if run.detail:
            reason = reasons.setdefault((run.result, run.detail), {
                "result": run.result, "detail": run.detail, "runs": 0, "jobs": set(),
                "last_at": None})
            reason["runs"] += 1
            reason["jobs"].add(run.name)
            if reason["last_at"] is None or run.date > reason["last_at"]:
                reason["last_at"] = run.date
    by_job = sorted(jobs.values(), key=lambda j: (-j["failures"], j["name"] or ""))
    for rank, job in enumerate(by_job):
        dates = job.pop("dates")
        job["results"] = [{"result": word, "runs": count}
                          for word, count in sorted(job["results"].items(),
                                                    key=lambda item: (-item[1], item[0]))]
        job["per_day"] = ([sum(day.since <= d < day.until for d in dates) for day in days]
                          if rank < top else None)
    by_reason = sorted(reasons.values(), key=lambda r: (-r["runs"], r["result"], r["detail"]))
    for reason in by_reason:
        reason["jobs"] = sorted(reason["jobs"], key=lambda name: name or "")
    return {
        "days": [day.since for day in days],
        "by_result": by_result,
        "by_job": by_job,
        "reasons": by_reason,
    }


def missed_patchset(row, links: Links) -> dict:
    return {
        "id": row.id,
        "project": row.project,
        "change": row.change,
        "patchset": row.number,
        "created": row.created,
        "subject": row.subject,
        "gerrit_url": links.change(row.project, row.change, row.number),
    }
